using CsCheck;
using Repro.Model;
using Repro.Tests.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Model;

/// <summary>
/// The spectral normalization against the ground truth: the dense matrix of the convolution operator at the layer's
/// input shape, built by applying the layer to every basis image, and its largest singular value.
/// </summary>
[Collection(TorchCollection.Name)]
public class SpectralNormProperties
{
    private sealed record Shape(int InChannels, int OutChannels, int Kernel, int Stride, int Size);

    private static readonly Gen<Shape> Shapes =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 4], Gen.Int[0, 1].Select(i => 1 + 2 * i), Gen.Int[1, 2], Gen.Int[3, 7])
            .Select((i, o, k, s, n) => new Shape(i, o, k, s, n));

    private static SpectralNormConv2d Layer(Shape s, int seed, double coefficient = 3.0)
    {
        random.manual_seed(seed);
        var layer = new SpectralNormConv2d(s.InChannels, s.OutChannels, s.Kernel, s.Stride, s.Kernel / 2, s.Size, coefficient);
        layer.to(ScalarType.Float64);
        return layer;
    }

    /// <summary>
    /// "Enough iterations": power iteration converges like (σ₂/σ₁)^2k, slowly when the top two singular values are
    /// close, so iterate until the estimate stops moving (relative change &lt; 1e-9 over 250 steps), at most 50,000.
    /// </summary>
    private static void Converge(SpectralNormConv2d layer)
    {
        double previous = double.NaN;
        for (int i = 0; i < 200; i++)
        {
            layer.PowerIteration(250);
            using var sigma = layer.Sigma();
            double current = sigma.item<double>();
            if (Math.Abs(current - previous) <= 1e-9 * current) return;
            previous = current;
        }
    }

    /// <summary>Largest singular value of x ↦ conv2d(x, w) on C×n×n inputs.</summary>
    private static double OperatorNorm(Tensor w, Shape s)
    {
        using var scope = NewDisposeScope();
        int n = s.InChannels * s.Size * s.Size;
        var basis = eye(n, dtype: ScalarType.Float64).view(n, s.InChannels, s.Size, s.Size);
        var columns = nn.functional.conv2d(basis, w, strides: [s.Stride, s.Stride], padding: [s.Kernel / 2, s.Kernel / 2]).view(n, -1);
        return linalg.svdvals(columns).max().item<double>();
    }

    [Fact]
    public void Sigma_estimate_matches_the_operators_largest_singular_value_within_one_percent()
    {
        Gen.Select(Shapes, Gen.Int[0, 10_000]).Sample((shape, seed) =>
        {
            using var scope = NewDisposeScope();
            using var layer = Layer(shape, seed);
            Converge(layer);
            double estimate = layer.Sigma().item<double>();
            double truth = OperatorNorm(layer.Weight, shape);
            return Math.Abs(estimate - truth) <= 0.01 * truth;
        }, iter: 25);
    }

    [Fact]
    public void Normalized_operator_norm_stays_within_the_coefficient()
    {
        Gen.Select(Shapes, Gen.Int[0, 10_000], Gen.Double[0.5, 3]).Sample((shape, seed, c) =>
        {
            using var scope = NewDisposeScope();
            using var layer = Layer(shape, seed, c);
            using (no_grad()) layer.Weight.mul_(20);   // push σ well above c
            Converge(layer);
            double normalized = OperatorNorm(layer.NormalizedWeight(), shape);
            return normalized <= c * (1 + 1e-3);
        }, iter: 25);
    }

    [Theory]
    [InlineData(3, 1 + 1e-5)]   // DDU's operator form divides by max(1, σ/c) + 1e-5 (spectral_norm_conv_inplace.py)
    [InlineData(1, 1.0)]        // its matrix form for 1×1 kernels by max(1, σ/c) alone (spectral_norm_fc.py)
    public void A_layer_already_within_the_coefficient_is_divided_by_ddus_floor_only(int kernel, double divisor)
    {
        var shape = new Shape(2, 3, kernel, 1, 5);
        using var layer = Layer(shape, 1, coefficient: 1e6);
        layer.PowerIteration(50);
        using var w = layer.NormalizedWeight();
        using var expected = layer.Weight / divisor;
        Assert.True(w.allclose(expected, rtol: 0, atol: 0));
    }

    [Fact]
    public void Power_iteration_runs_in_training_mode_only()
    {
        var shape = new Shape(2, 3, 3, 2, 6);
        using var layer = Layer(shape, 2);
        using var x = randn(4, 2, 6, 6, dtype: ScalarType.Float64);
        var before = layer.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        layer.eval();
        using (layer.call(x)) { }
        Assert.True(before["u"].allclose(layer.state_dict()["u"], rtol: 0, atol: 0), "eval must not iterate");
        layer.train();
        using (layer.call(x)) { }
        Assert.False(before["u"].allclose(layer.state_dict()["u"], rtol: 0, atol: 0), "training forward iterates once");
    }

    [Fact]
    public void A_training_forward_equals_one_power_iteration_then_the_normalized_convolution_bit_for_bit()
    {
        // The forward computes A v once for both the new u and σ; it must give exactly what the two-step definition
        // gives (PowerIteration(1), then conv with NormalizedWeight()), including the gradient, on any shape.
        Shapes.Sample(s =>
        {
            using var fused = Layer(s, 11);
            using var stepwise = Layer(s, 11);
            // Twins by copy, not by seed: a test outside this collection may draw from the global generator meanwhile.
            using (no_grad())
                foreach (var (name, t) in stepwise.state_dict()) t.copy_(fused.state_dict()[name]);
            using var x = randn(2, s.InChannels, s.Size, s.Size, dtype: ScalarType.Float64);
            fused.train();
            stepwise.train();
            using var a = fused.call(x);
            stepwise.PowerIteration(1);
            using var b = nn.functional.conv2d(x, stepwise.NormalizedWeight(), strides: [s.Stride, s.Stride], padding: [s.Kernel / 2, s.Kernel / 2]);
            Assert.True(a.allclose(b, rtol: 0, atol: 0), "outputs differ");
            foreach (var name in new[] { "u", "v" })
                Assert.True(fused.state_dict()[name].allclose(stepwise.state_dict()[name], rtol: 0, atol: 0), $"{name} differs");
            a.sum().backward();
            b.sum().backward();
            Assert.True(fused.Weight.grad!.allclose(stepwise.Weight.grad!, rtol: 0, atol: 0), "weight gradients differ");
        }, iter: 25);
    }

    [Fact]
    public void Singular_vectors_are_saved_and_loaded_with_the_model()
    {
        var spec = new ModelSpec(InputChannels: 1, Width: 2, SpectralNorm: true, InputSize: 12);
        random.manual_seed(3);
        using var trained = new ResNet18(spec);
        using var x = randn(2, 1, 12, 12);
        trained.train();
        for (int i = 0; i < 3; i++) using (trained.call(x)) { }
        Assert.Contains("conv1.u", trained.state_dict().Keys);
        Assert.Contains("layer2.0.shortcut.0.v", trained.state_dict().Keys);

        var path = Path.GetTempFileName();
        try
        {
            trained.save(path);
            random.manual_seed(99);
            using var loaded = new ResNet18(spec);
            loaded.load(path);
            trained.eval();
            loaded.eval();
            using var a = trained.call(x);
            using var b = loaded.call(x);
            Assert.True(a.Logits.allclose(b.Logits, rtol: 0, atol: 0));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Spectral_norm_adds_buffers_not_parameters()
    {
        using var plain = new ResNet18(new ModelSpec(Width: 64));
        using var sn = new ResNet18(new ModelSpec(Width: 64, SpectralNorm: true));
        Assert.Equal(plain.parameters().Sum(p => p.numel()), sn.parameters().Sum(p => p.numel()));
        Assert.Equal(plain.parameters().Count(), sn.parameters().Count());
    }
}
