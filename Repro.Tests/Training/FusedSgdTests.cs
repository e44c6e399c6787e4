using Repro.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

/// <summary>The fused multi-tensor step against TorchSharp's own SGD, which loops over the parameters.</summary>
[Collection(TorchCollection.Name)]
public class FusedSgdTests
{
    /// <summary>A small convolutional net with weight shapes of every rank the ResNet has (4-D kernels, 1-D BatchNorm, 2-D linear).</summary>
    private static nn.Module<Tensor, Tensor> Net(int seed)
    {
        random.manual_seed(seed);
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1, bias: false), nn.BatchNorm2d(8), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5));
    }

    [Theory]
    [InlineData(0.9, 5e-4, false)]
    [InlineData(0.9, 5e-4, true)]
    [InlineData(0.0, 1e-3, false)]
    [InlineData(0.5, 0.0, false)]
    public void A_hundred_fused_steps_equal_TorchSharp_SGD(double momentum, double weightDecay, bool nesterov)
    {
        using var looped = Net(3);
        using var fused = Net(3);
        using var reference = optim.SGD(looped.parameters(), 0.05, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov);
        using var sgd = new FusedSgd(fused.named_parameters(), 0.05, momentum, weightDecay, nesterov);
        var data = new Generator(11);
        for (int step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn([6, 3, 5, 5], generator: data);
            var y = randint(0, 5, [6], generator: data);
            // The schedule changes the rate between steps, as the cosine schedule does.
            double lr = 0.05 * (1 - step / 200.0);
            foreach (var group in reference.ParamGroups) group.LearningRate = lr;
            sgd.LearningRate = lr;
            reference.zero_grad();
            nn.functional.cross_entropy(looped.call(x), y).backward();
            reference.step();
            sgd.ZeroGrad();
            nn.functional.cross_entropy(fused.call(x), y).backward();
            sgd.Step();
        }
        foreach (var ((name, a), (_, b)) in looped.named_parameters().Zip(fused.named_parameters()))
        {
            double scale = a.abs().max().item<float>();
            double difference = (a - b).abs().max().item<float>();
            Assert.True(difference <= 1e-5 * Math.Max(1, scale), $"{name}: fused and looped differ by {difference:G3} after 100 steps");
        }
        Assert.Equal(momentum > 0, sgd.MomentumBuffers().Any());
    }

    [Fact]
    public void Restored_momentum_continues_as_if_never_interrupted()
    {
        using var a = Net(4);
        using var b = Net(4);
        using var sgdA = new FusedSgd(a.named_parameters(), 0.1, 0.9, 5e-4, false);
        using var sgdB = new FusedSgd(b.named_parameters(), 0.1, 0.9, 5e-4, false);
        var x = randn([4, 3, 5, 5]);
        var y = tensor(new long[] { 0, 1, 2, 3 });
        void Step(nn.Module<Tensor, Tensor> net, FusedSgd sgd)
        {
            using var scope = NewDisposeScope();
            sgd.ZeroGrad();
            nn.functional.cross_entropy(net.call(x), y).backward();
            sgd.Step();
        }
        Step(a, sgdA);
        Step(a, sgdA);
        Step(b, sgdB);
        // b's state is replaced by a's: weights and momentum, as a checkpoint restores them.
        using (no_grad())
            foreach (var (pa, pb) in a.parameters().Zip(b.parameters())) pb.copy_(pa);
        var saved = sgdA.MomentumBuffers().ToDictionary(m => m.Name, m => m.Buffer.clone());
        sgdB.RestoreMomentum("test", saved);
        Step(a, sgdA);
        Step(b, sgdB);
        Assert.All(a.parameters().Zip(b.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_named()
    {
        using var net = Net(5);
        using var sgd = new FusedSgd(net.named_parameters(), 0.1, 0.9, 0, false);
        var e = Assert.Throws<InvalidOperationException>(() => sgd.Step());
        Assert.Contains("'0.weight'", e.Message);
    }
}
