using Repro.Data;
using Repro.Model;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Training;

public class RunConfigTests
{
    [Theory]
    [InlineData("epochs=0", "epochs")]
    [InlineData("batchSize=1", "batchSize")]
    [InlineData("learningRate=-0.1", "learningRate")]
    [InlineData("momentum=1.5", "momentum")]
    [InlineData("milestones=[5,3]", "milestones")]
    [InlineData("primaryScore=odin", "primaryScore")]
    [InlineData("device=tpu", "device")]
    [InlineData("inDistribution=imagenet", "inDistribution")]
    [InlineData("featureNorm=sometimes", "featureNorm")]
    [InlineData("epochz=3", "epochz")]
    [InlineData("shortcut=identity", "shortcut")]
    [InlineData("featureNormTemperature=0", "featureNormTemperature")]
    [InlineData("featureNormTemperature=0.1", "featureNormTemperature")]   // with featureNorm none
    [InlineData("validationFraction=1", "validationFraction")]
    [InlineData("lrSchedule=linear", "lrSchedule")]
    public void Invalid_value_is_refused_naming_the_key(string assignment, string key)
    {
        var e = Assert.Throws<ConfigException>(() => new RunConfig().With([assignment]));
        Assert.Equal(key, e.Key);
        Assert.Contains($"'{key}'", e.Message);
    }

    [Fact]
    public void Unknown_key_in_a_file_is_refused_naming_it()
    {
        var e = Assert.Throws<ConfigException>(() => RunConfig.FromJson("{ \"row\": \"x\", \"widht\": 3 }", "x.json"));
        Assert.Contains("widht", e.Message);
        Assert.Contains("x.json", e.Message);
    }

    [Fact]
    public void Config_round_trips_through_json_and_overrides_apply()
    {
        var config = new RunConfig().With(["epochs=3", "milestones=[1,2]", "featureNorm=train-only", "row=custom"]);
        Assert.Equal(3, config.Epochs);
        Assert.Equal(Repro.Model.FeatureNormMode.TrainOnly, config.FeatureNorm);
        Assert.Equal(config.ToJson(), RunConfig.FromJson(config.ToJson(), "round trip").ToJson());
        Assert.Equal([1, 2], config.Milestones);
    }

    [Fact]
    public void Recipe_differences_name_each_changed_key_and_leave_the_device_aside()
    {
        var a = new RunConfig();
        var b = a with { Width = 32, Shortcut = Repro.Model.ShortcutKind.Avgpool, Device = "cuda:1" };
        Assert.Equal(["width: 64 → 32", "shortcut: \"conv\" → \"avgpool\""], a.RecipeDifferences(b));
        Assert.Equal(["shortcut: \"conv\" → \"avgpool\""], a.RecipeDifferences(b, "width"));
        Assert.True(a.SameRecipe(a with { Device = "cuda" }));
        Assert.False(a.SameRecipe(b));
        var e = Assert.Throws<ReproException>(() => a.RequireSameRecipe(b, differences => $"unit x differs ({differences})"));
        Assert.Equal("unit x differs (width: 64 → 32, shortcut: \"conv\" → \"avgpool\")", e.Message);
        a.RequireSameRecipe(a with { Device = "cpu" }, _ => "not thrown");
    }

    [Fact]
    public void Every_model_setting_reaches_the_spec_from_the_key_of_its_name_and_the_defaults_are_the_specs()
    {
        var config = new RunConfig
        {
            Width = 16, Activation = ActivationKind.LeakyRelu, Shortcut = ShortcutKind.Avgpool, FeatureNorm = FeatureNormMode.TrainOnly,
            FeatureNormEpsilon = 1e-6, FeatureNormTemperature = 0.5, SpectralNorm = true, SpectralNormCoefficient = 2,
            Precision = ComputePrecision.Bf16,
        };
        var spec = config.ModelSpecFor(DataCatalog.Cifar10, stack: 3);
        Assert.Equal((3, 10, 32, 3), (spec.InputChannels, spec.NumClasses, spec.InputSize, spec.Stack));
        string[] fromData = [nameof(ModelSpec.InputChannels), nameof(ModelSpec.NumClasses), nameof(ModelSpec.InputSize), nameof(ModelSpec.Stack), nameof(ModelSpec.FeatureDim)];
        foreach (var setting in typeof(ModelSpec).GetProperties().Where(p => !fromData.Contains(p.Name)))
        {
            var value = typeof(RunConfig).GetProperty(setting.Name)?.GetValue(config);
            Assert.True(value is not null, $"ModelSpec.{setting.Name} has no config key");
            Assert.NotEqual(setting.GetValue(new ModelSpec()), value);   // else a setting the mapping dropped would pass
            Assert.Equal(value, setting.GetValue(spec));
        }
        var info = DataCatalog.FashionMnist;
        Assert.Equal(new ModelSpec(InputChannels: info.Channels, NumClasses: info.NumClasses, InputSize: info.Side), new RunConfig().ModelSpecFor(info));
    }

    [Fact]
    public void Step_schedule_matches_multistep_lr()
    {
        var config = new RunConfig { LearningRate = 0.1, Milestones = [40, 50], Gamma = 0.1 };
        Assert.Equal(0.1, config.LearningRateAt(39), 12);
        Assert.Equal(0.01, config.LearningRateAt(40), 12);
        Assert.Equal(0.001, config.LearningRateAt(59), 12);
    }

    [Fact]
    public void Cosine_schedule_is_openoods_per_step_annealing_to_1e_minus_6()
    {
        // 1e-6 + (0.1 − 1e-6)·½(1 + cos(π t/T)), T = 100 epochs × 391 steps (CIFAR-10 at batch 128).
        var config = new RunConfig { LearningRate = 0.1, Epochs = 100, LrSchedule = LearningRateSchedule.Cosine };
        Assert.Equal(0.1, config.LearningRateAt(0, 0, 391), 15);
        Assert.Equal((0.1 + 1e-6) / 2, config.LearningRateAt(50, 0, 391), 15);                  // t = T/2: cos = 0
        Assert.Equal(1e-6 + (0.1 - 1e-6) * 0.5 * (1 + Math.Cos(Math.PI / 4)), config.LearningRateAt(25, 0, 391), 15);
        Assert.Equal(config.LearningRateAt(25, 0, 391), config.LearningRateAt(24, 391, 391), 15); // steps run on across epochs
        Assert.True(config.LearningRateAt(99, 390, 391) is > 1e-6 and < 1.1e-6);                  // last step, just above the floor
        var e = Assert.Throws<ConfigException>(() => config.With(["milestones=[40]"]));
        Assert.Equal("milestones", e.Key);
    }
}
