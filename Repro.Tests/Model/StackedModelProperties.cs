using CsCheck;
using Repro.Losses;
using Repro.Model;
using Repro.Tests.Training;
using Repro.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Model;

/// <summary>
/// A stack of K models (ModelStack) against K separate models with the same weights, fed the same K batches: every
/// seed's logits, z, loss, σ of every spectrally normalized layer, gradients and weights after an SGD step must be the
/// separate model's, to rounding — whatever K, width, normalization, shortcut and head. In fp64, whose convolutions
/// ATen computes itself: the pinned CPU's oneDNN fp32 kernels are wrong at these small widths
/// (ReproducibleCpu.RequireSafeWidth); the fp32 stack is compared with separate runs in StackedTrainingTests.
/// </summary>
[Collection(TorchCollection.Name)]
public class StackedModelProperties
{
    private sealed record Case(int K, int Width, bool SpectralNorm, ShortcutKind Shortcut, FeatureNormMode Head, bool LogitNorm, int Seed);

    private static readonly Gen<Case> Cases =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Bool, Gen.Enum<ShortcutKind>(), Gen.Bool.Select(b => b ? FeatureNormMode.TrainOnly : FeatureNormMode.None),
                Gen.Bool, Gen.Int[0, 1000])
            .Select((k, w, sn, shortcut, head, logitNorm, seed) => new Case(k, w, sn, shortcut, head, logitNorm, seed));

    private const int Batch = 4, Channels = 2, Side = 8, Classes = 3;
    private const double Tolerance = 1e-9;

    private static void Close(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.to_type(ScalarType.Float64);
        using var a = actual.to_type(ScalarType.Float64);
        double scale = Math.Max(1, e.abs().max().item<double>());
        double difference = (e - a).abs().max().item<double>();
        Assert.True(difference <= Tolerance * scale, $"{what}: stacked and separate differ by {difference:G3} (scale {scale:G3})");
    }

    [Fact]
    public void A_stack_computes_what_its_separate_models_compute()
    {
        Cases.Sample(c =>
        {
            using var scope = NewDisposeScope();
            var spec = new ModelSpec(InputChannels: Channels, NumClasses: Classes, Width: c.Width, Activation: ActivationKind.LeakyRelu,
                FeatureNorm: c.Head, Shortcut: c.Shortcut, SpectralNorm: c.SpectralNorm, InputSize: Side);
            var singles = Enumerable.Range(0, c.K).Select(k =>
            {
                random.manual_seed(c.Seed + k);
                var single = new ResNet18(spec);
                single.to(ScalarType.Float64);
                return single;
            }).ToList();
            using var stack = ModelStack.Stack(singles);
            ITrainingLoss loss = c.LogitNorm ? new LogitNormLoss() : new CrossEntropyLoss();
            var data = new Generator((ulong)c.Seed);
            var xs = singles.Select(_ => randn([Batch, Channels, Side, Side], ScalarType.Float64, generator: data)).ToList();
            var ys = singles.Select(_ => randint(0, Classes, [Batch], generator: data)).ToList();

            // Separate: each model its own step.
            var separate = singles.Select(m =>
            {
                var sgd = new FusedSgd(m.named_parameters(), 0.1, 0.9, 5e-4, false);
                m.train();
                return sgd;
            }).ToList();
            var singleOutputs = singles.Select((m, k) => m.call(xs[k])).ToList();
            var singleLosses = singleOutputs.Select((o, k) => loss.PerSample(o.Logits, ys[k]).mean()).ToList();
            for (int k = 0; k < c.K; k++)
            {
                separate[k].ZeroGrad();
                singleLosses[k].backward();
            }

            // Stacked: one forward and backward of the sum of the models' losses.
            stack.train();
            using var stackSgd = new FusedSgd(stack.named_parameters(), 0.1, 0.9, 5e-4, false);
            var stacked = stack.call(cat(xs, 1));
            var logits = stacked.Logits.view(Batch * c.K, Classes);
            var perModel = loss.PerSample(logits, torch.stack(ys, 1).reshape(-1)).view(Batch, c.K).mean([0]);
            stackSgd.ZeroGrad();
            perModel.sum().backward();

            for (int k = 0; k < c.K; k++)
            {
                Close(singleOutputs[k].Logits, stacked.Logits.narrow(1, k * Classes, Classes), $"{c}: logits of model {k}");
                Close(singleOutputs[k].Features, stacked.Features.narrow(1, k * spec.FeatureDim, spec.FeatureDim), $"{c}: z of model {k}");
                Close(singleLosses[k], perModel[k], $"{c}: loss of model {k}");
            }
            var stackedLayers = stack.named_modules().Where(m => m.module is SpectralNormConv2d).ToList();
            Assert.Equal(c.SpectralNorm, stackedLayers.Count > 0);
            foreach (var (name, layer) in stackedLayers)
            {
                using var sigmas = ((SpectralNormConv2d)layer).Sigma();
                for (int k = 0; k < c.K; k++)
                {
                    var single = (SpectralNormConv2d)singles[k].named_modules().Single(m => m.name == name).module;
                    Close(single.Sigma(), sigmas[k].reshape(1), $"{c}: σ of {name}, model {k}");
                }
            }
            var stackParameters = stack.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            for (int k = 0; k < c.K; k++)
                foreach (var (name, p) in singles[k].named_parameters())
                    Close(p.grad!, ModelStack.Block(stackParameters[name].grad!, p, c.K, k, name), $"{c}: gradient of {name}, model {k}");

            foreach (var sgd in separate) sgd.Step();
            stackSgd.Step();
            for (int k = 0; k < c.K; k++)
            {
                using var unstacked = ModelStack.Unstack(stack, k);
                var after = unstacked.state_dict();
                foreach (var (name, value) in singles[k].state_dict())
                    Close(value, after[name], $"{c}: {name} of model {k} after the step");
            }
            foreach (var sgd in separate) sgd.Dispose();
            foreach (var m in singles) m.Dispose();
        }, iter: 12, threads: 1);
    }

    [Fact]
    public void Unstacking_a_stack_gives_back_the_models_it_was_built_from()
    {
        var spec = new ModelSpec(InputChannels: 1, NumClasses: 4, Width: 2, SpectralNorm: true, Shortcut: ShortcutKind.Conv, InputSize: 6);
        var singles = Enumerable.Range(0, 3).Select(k => { random.manual_seed(40 + k); return new ResNet18(spec); }).ToList();
        using var stack = ModelStack.Stack(singles);
        for (int k = 0; k < 3; k++)
        {
            using var back = ModelStack.Unstack(stack, k);
            var original = singles[k].state_dict();
            foreach (var (name, value) in back.state_dict())
                Assert.True(value.eq(original[name]).all().item<bool>(), $"{name} of model {k} changed on the way through the stack");
        }
        foreach (var m in singles) m.Dispose();
    }

    [Fact]
    public void Models_of_different_specs_are_not_stacked()
    {
        using var a = new ResNet18(new ModelSpec(Width: 2, InputSize: 8));
        using var b = new ResNet18(new ModelSpec(Width: 3, InputSize: 8));
        var e = Assert.Throws<ArgumentException>(() => ModelStack.Stack([a, b]));
        Assert.Contains("different specs", e.Message);
    }
}
