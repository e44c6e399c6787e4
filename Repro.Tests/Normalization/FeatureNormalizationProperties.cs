using CsCheck;
using Repro.Model;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Normalization;

/// <summary>Properties of the paper's Eq. 1, z/max(‖z‖, ε), over random feature batches.</summary>
[Collection(Training.TorchCollection.Name)]   // it seeds torch's global generator, which the collection's tests share
public class FeatureNormalizationProperties
{
    private const double Eps = 1e-12;

    /// <summary>Batches of 1–8 feature vectors of dimension 1–16, entries in ±1000, as float64 for exact checks.</summary>
    private static readonly Gen<double[][]> Features =
        Gen.Int[1, 16].SelectMany(d => Gen.Double[-1000, 1000].Array[d].Array[1, 8]);

    private static Tensor ToTensor(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }, ScalarType.Float64);

    [Fact]
    public void Every_row_has_unit_norm_after()
    {
        Features.Where(rows => rows.All(r => Norm(r) > 1e-6)).Sample(rows =>
        {
            using var scope = NewDisposeScope();
            var norms = linalg.vector_norm(FeatureNormalization.Normalize(ToTensor(rows), Eps), dims: new long[] { 1 });
            return norms.data<double>().ToArray().All(n => Math.Abs(n - 1) < 1e-12);
        }, iter: 200);
    }

    [Fact]
    public void Direction_is_kept()
    {
        Features.Where(rows => rows.All(r => Norm(r) > 1e-6)).Sample(rows =>
        {
            using var scope = NewDisposeScope();
            var z = ToTensor(rows);
            var zn = FeatureNormalization.Normalize(z, Eps);
            // cosine(z, z_norm) = 1 and z_norm·‖z‖ = z.
            var restored = zn * linalg.vector_norm(z, dims: new long[] { 1 }, keepdim: true);
            return allclose(restored, z, rtol: 1e-10, atol: 1e-9);
        }, iter: 200);
    }

    [Fact]
    public void Zero_vector_gives_finite_output()
    {
        Gen.Int[1, 64].Sample(d =>
        {
            using var scope = NewDisposeScope();
            var z = zeros(3, d, requires_grad: true);
            var zn = FeatureNormalization.Normalize(z, 1e-12);
            zn.sum().backward();
            return isfinite(zn).all().item<bool>() && isfinite(z.grad!).all().item<bool>() && zn.abs().max().item<float>() == 0;
        });
    }

    [Fact]
    public void Gradient_through_normalization_is_orthogonal_to_z()
    {
        Gen.Select(Features.Where(rows => rows.All(r => Norm(r) > 1e-3)), Gen.Int[0, 1_000_000]).Sample((rows, seed) =>
        {
            using var scope = NewDisposeScope();
            var z = ToTensor(rows).requires_grad_();
            random.manual_seed(seed);
            var upstream = randn_like(z);
            (FeatureNormalization.Normalize(z, Eps) * upstream).sum().backward();
            // ∂(z/‖z‖)/∂z = (I − ẑẑᵀ)/‖z‖ projects out z: the loss cannot change ‖z‖ through the normalization.
            var dot = (z.grad! * z).sum(1).abs();
            var scale = linalg.vector_norm(z.grad!, dims: new long[] { 1 }) * linalg.vector_norm(z, dims: new long[] { 1 });
            return (dot <= scale * 1e-10 + 1e-12).all().item<bool>();
        }, iter: 200);
    }

    [Theory]
    [InlineData(FeatureNormMode.None, false, false)]
    [InlineData(FeatureNormMode.TrainOnly, true, false)]
    [InlineData(FeatureNormMode.Always, true, true)]
    public void Mode_decides_when_the_classifier_sees_normalized_z(FeatureNormMode mode, bool inTraining, bool inEvaluation)
    {
        using var module = new FeatureNormalization(mode);
        using var z = tensor(new float[] { 3, 4 }).view(1, 2);
        module.train();
        Assert.Equal(inTraining, module.IsActive);
        using (var y = module.call(z)) Assert.Equal(inTraining ? 1f : 5f, linalg.vector_norm(y).item<float>(), 5);
        module.eval();
        Assert.Equal(inEvaluation, module.IsActive);
        using (var y = module.call(z)) Assert.Equal(inEvaluation ? 1f : 5f, linalg.vector_norm(y).item<float>(), 5);
    }

    [Fact]
    public void TrainOnly_network_equals_plain_network_in_evaluation_and_Always_network_in_training()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var spec = new ModelSpec(InputChannels: 1, Width: 2);
        using var trainOnly = new ResNet18(spec with { FeatureNorm = FeatureNormMode.TrainOnly });
        using var plain = new ResNet18(spec with { FeatureNorm = FeatureNormMode.None });
        using var always = new ResNet18(spec with { FeatureNorm = FeatureNormMode.Always });
        plain.load_state_dict(trainOnly.state_dict());
        always.load_state_dict(trainOnly.state_dict());
        var x = randn(4, 1, 28, 28);

        foreach (var m in new[] { trainOnly, plain, always }) m.eval();
        using (no_grad())
        {
            using var a = trainOnly.call(x);
            using var b = plain.call(x);
            Assert.True(allclose(a.Logits, b.Logits), "eval: train-only classifier must see raw z");
            Assert.True(allclose(a.Features, b.Features), "eval: z itself is never normalized");
            Assert.True(linalg.vector_norm(a.Features, dims: new long[] { 1 }).min().item<float>() > 0);
        }
        foreach (var m in new[] { trainOnly, always }) m.train();
        using var c = trainOnly.call(x);
        using var d = always.call(x);
        Assert.True(allclose(c.Logits, d.Logits), "train: train-only classifier must see z/‖z‖");
    }

    [Fact]
    public void Temperature_one_is_bit_identical_to_the_papers_normalization_in_value_and_gradient()
    {
        // τ = 1 must change nothing: the paper's z / max(‖z‖, ε), written out here, bit for bit — output and gradient.
        Features.Sample(rows =>
        {
            using var scope = NewDisposeScope();
            var z1 = ToTensor(rows).to(ScalarType.Float32).requires_grad_(true);
            var z2 = z1.detach().clone().requires_grad_(true);
            using var module = new FeatureNormalization(FeatureNormMode.TrainOnly, Eps, temperature: 1.0);
            module.train();
            var ours = module.call(z1);
            var paper = z2 / linalg.vector_norm(z2, ord: 2, dims: new long[] { 1 }, keepdim: true).clamp_min(Eps);
            (ours * ours.detach()).sum().backward();
            (paper * paper.detach()).sum().backward();
            return ours.allclose(paper, rtol: 0, atol: 0) && z1.grad!.allclose(z2.grad!, rtol: 0, atol: 0);
        }, iter: 100);
    }

    [Fact]
    public void Temperature_divides_the_normalized_feature_in_training_and_raw_z_in_evaluation()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { 3, 4, 0, 0, 0, 2 }, new long[] { 2, 3 });
        using var module = new FeatureNormalization(FeatureNormMode.TrainOnly, Eps, temperature: 0.1);
        module.train();
        // ‖(3,4,0)‖ = 5 → (0.6, 0.8, 0) / 0.1; ‖(0,0,2)‖ = 2 → (0, 0, 1) / 0.1.
        Assert.True(allclose(module.call(z), tensor(new double[] { 6, 8, 0, 0, 0, 10 }, new long[] { 2, 3 }), rtol: 1e-12, atol: 0));
        module.eval();
        // OpenOOD's T2FNorm feeds the classifier z / τ at test time (t2fnorm_net.py), not z / ‖z‖.
        Assert.True(allclose(module.call(z), z * 10, rtol: 1e-12, atol: 0));
    }

    [Fact]
    public void The_feature_norm_score_never_sees_the_temperature()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var spec = new ModelSpec(InputChannels: 1, Width: 2, FeatureNorm: FeatureNormMode.TrainOnly, Shortcut: ShortcutKind.Avgpool);
        using var paper = new ResNet18(spec);
        using var t2f = new ResNet18(spec with { FeatureNormTemperature = 0.1 });
        t2f.load_state_dict(paper.state_dict());
        var x = randn(4, 1, 28, 28);
        foreach (var m in new[] { paper, t2f }) m.eval();
        using (no_grad())
        {
            using var a = paper.call(x);
            using var b = t2f.call(x);
            Assert.True(a.Features.allclose(b.Features, rtol: 0, atol: 0), "‖z‖ is read from z itself, before any temperature");
            Assert.False(a.Logits.allclose(b.Logits, rtol: 1e-3, atol: 0), "the classifier does see z / τ (T2FNorm's own score)");
        }
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}
