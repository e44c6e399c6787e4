using Repro.Model;
using Repro.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Model;

/// <summary>
/// bf16 convolutions (fp32 master weights, fp32 BatchNorm and head), and bf16 activations kept between them, change the
/// network's numbers only at bfloat16's precision: same weights, same batch → logits agree with fp32 to a few percent
/// and gradients point the same way.
/// </summary>
[Collection(TorchCollection.Name)]
public class PrecisionProperties(ITestOutputHelper output)
{
    private static ResNet18 Model(ComputePrecision precision, bool spectralNorm)
    {
        random.manual_seed(5);   // both precisions start from identical weights (same init order, same parameter names)
        return new ResNet18(new ModelSpec(InputChannels: 1, NumClasses: 10, Width: 8, Activation: ActivationKind.LeakyRelu,
            FeatureNorm: FeatureNormMode.TrainOnly, SpectralNorm: spectralNorm, InputSize: 28, Precision: precision));
    }

    [Theory]
    [InlineData(ComputePrecision.Bf16, false, 0.03)]
    [InlineData(ComputePrecision.Bf16, true, 0.03)]
    [InlineData(ComputePrecision.Bf16Activations, false, 0.03)]
    [InlineData(ComputePrecision.Bf16Activations, true, 0.03)]
    public void Bf16_matches_fp32_to_bfloat16_precision(ComputePrecision precision, bool spectralNorm, double logitTolerance)
    {
        using var fp32 = Model(ComputePrecision.Fp32, spectralNorm);
        using var bf16 = Model(precision, spectralNorm);
        Assert.Equal(fp32.parameters().Select(p => p.shape).SelectMany(s => s), bf16.parameters().Select(p => p.shape).SelectMany(s => s));
        foreach (var (a, b) in fp32.parameters().Zip(bf16.parameters())) Assert.Equal(0f, (a - b).abs().max().item<float>());   // identical start

        random.manual_seed(6);
        using var x = randn(32, 1, 28, 28);
        using var y = randint(0, 10, [32]);
        var grads = new List<Tensor[]>();
        var logits = new List<Tensor>();
        foreach (var model in new[] { fp32, bf16 })
        {
            model.train();
            using var output = model.call(x);
            Assert.Equal(ScalarType.Float32, output.Logits.dtype);   // the head and the loss stay fp32
            Assert.Equal(ScalarType.Float32, output.Features.dtype);   // z is pooled in fp32
            nn.functional.cross_entropy(output.Logits, y).backward();
            logits.Add(output.Logits.detach().clone());
            grads.Add(model.parameters().Select(p => p.grad!.clone()).ToArray());
        }
        var relative = ((logits[1] - logits[0]).norm() / logits[0].norm()).item<float>();
        output.WriteLine($"{precision}, spectral norm {spectralNorm}: logits relative error {relative:F4}");
        Assert.InRange(relative, 0, logitTolerance);
        var g32 = cat(grads[0].Select(g => g.flatten()).ToArray());
        var g16 = cat(grads[1].Select(g => g.flatten()).ToArray());
        var cosine = (g32.dot(g16) / (g32.norm() * g16.norm())).item<float>();
        output.WriteLine($"{precision}, spectral norm {spectralNorm}: gradient cosine {cosine:F4}");
        // BatchNorm's backward subtracts nearly equal terms, which amplifies bf16 rounding in the conv gradients:
        // measured 0.96 here; a wrong cast or weight gives ~0.
        Assert.InRange(cosine, 0.9, 1.0001);
        Assert.All(grads[1], g => Assert.Equal(ScalarType.Float32, g.dtype));   // master weights get fp32 gradients
    }

    /// <summary>Where the two bf16 modes differ: a block hands on fp32 under bf16 (the convolution's output cast back for
    /// BatchNorm) and bf16 under bf16-activations, while BatchNorm's statistics stay fp32 in both.</summary>
    [Theory]
    [InlineData(ComputePrecision.Fp32, ScalarType.Float32)]
    [InlineData(ComputePrecision.Bf16, ScalarType.Float32)]
    [InlineData(ComputePrecision.Bf16Activations, ScalarType.BFloat16)]
    public void Between_blocks_the_activations_are_bf16_only_under_bf16_activations(ComputePrecision precision, ScalarType between)
    {
        foreach (var spectralNorm in new[] { false, true })
        {
            var spec = new ModelSpec(InputChannels: 8, NumClasses: 10, Width: 8, Activation: ActivationKind.LeakyRelu,
                SpectralNorm: spectralNorm, Shortcut: ShortcutKind.Avgpool, InputSize: 8, Precision: precision);
            using var block = new BasicBlock(spec, 8, 16, 2, 8, Activations.Of(ActivationKind.LeakyRelu));
            block.train();
            // What the block before hands on (the stem, under bf16-activations, hands on bf16 too).
            using var x = randn(4, 8, 8, 8).to_type(between);
            using var y = block.call(x);
            Assert.Equal(between, y.dtype);
            Assert.All(block.buffers().Where(b => b.is_floating_point()), b => Assert.Equal(ScalarType.Float32, b.dtype));
        }
    }
}
