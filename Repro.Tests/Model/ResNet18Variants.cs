using Repro.Model;
using Repro.Tests.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Model;

/// <summary>The two ResNet18s — 1×1-convolution shortcuts (Wei et al., torchvision) and DDU's average-pooling ones — against hand counts and hand-built values.</summary>
[Collection(TorchCollection.Name)]
public class ResNet18Variants
{
    private static long Parameters(ResNet18 model) => model.parameters().Sum(p => p.numel());

    [Theory]
    // 3×3 convolutions carry no bias; each BatchNorm has weight + bias (2C); fc has 512·classes + classes.
    //   stem:   3·64·9 = 1,728 + bn 128                                                              =     1,856
    //   layer1: 2 blocks × (2 × 64·64·9 + 2 × 128)              = 2 × 73,984                         =   147,968
    //   layer2: 64·128·9 + 128·128·9 + 2×256 = 221,696; + 128·128·9·2 + 2×256 = 295,424              =   517,120
    //   layer3: 128·256·9 + 256·256·9 + 2×512 = 885,760; + 256·256·9·2 + 2×512 = 1,180,672           = 2,066,432
    //   layer4: 256·512·9 + 512·512·9 + 2×1024 = 3,540,992; + 512·512·9·2 + 2×1024 = 4,720,640       = 8,261,632
    //   fc (10 classes): 5,120 + 10                                                                  =     5,130
    //   total without shortcuts                                                                      = 11,000,138
    //   conv shortcuts: (64·128 + 256) + (128·256 + 512) + (256·512 + 1024) = 8,448 + 33,280 + 132,096 = 173,824
    // 1 input channel: the stem loses 2·64·9 = 1,152; 6 classes: fc is 3,072 + 6 = 3,078 (2,052 fewer than 10).
    // The input side changes no parameter (only spectral normalization's u, v buffers depend on it).
    [InlineData(3, 32, 10, ShortcutKind.Avgpool, 11_000_138)]
    [InlineData(3, 32, 10, ShortcutKind.Conv, 11_000_138 + 173_824)]
    [InlineData(1, 28, 6, ShortcutKind.Avgpool, 11_000_138 - 1_152 - 2_052)]
    [InlineData(1, 28, 6, ShortcutKind.Conv, 11_000_138 + 173_824 - 1_152 - 2_052)]
    public void Parameter_count_matches_the_hand_count(int channels, int side, int classes, ShortcutKind shortcut, long expected)
    {
        foreach (var sn in new[] { false, true })
        {
            using var model = new ResNet18(new ModelSpec(InputChannels: channels, NumClasses: classes, InputSize: side, Shortcut: shortcut,
                SpectralNorm: sn, Activation: ActivationKind.LeakyRelu));
            Assert.Equal(expected, Parameters(model));
            model.eval();
            using var output = model.call(zeros(2, channels, side, side));
            Assert.Equal([2L, 512], output.Features.shape);
        }
    }

    [Fact]
    public void The_conv_variant_is_the_published_cifar_resnet18()
    {
        // kuangliu/pytorch-cifar's ResNet18, the layout LogitNorm and DDU (mod=False) share: 11,173,962 parameters.
        using var model = new ResNet18(new ModelSpec(InputChannels: 3, NumClasses: 10, Width: 64, Shortcut: ShortcutKind.Conv));
        Assert.Equal(11_173_962, Parameters(model));
    }

    [Theory]
    [InlineData(4)]   // even side: 2×2 average pooling, stride 2
    [InlineData(5)]   // odd side: DDU picks every other pixel (a 1×1 pool with stride 2), giving ⌈5/2⌉ = 3
    public void Avgpool_shortcut_pools_by_the_stride_and_appends_zero_channels(int side)
    {
        const int n = 2, inC = 2, outC = 5, stride = 2;
        var values = Enumerable.Range(0, n * inC * side * side).Select(i => (float)((i * 7919) % 97) / 10f).ToArray();
        using var x = tensor(values, new long[] { n, inC, side, side });
        using var shortcut = new AvgPoolShortcut(inC, outC, stride);
        using var y = shortcut.call(x);

        int outSide = (side + 1) / 2;
        Assert.Equal([(long)n, outC, outSide, outSide], y.shape);
        float X(int b, int c, int r, int q) => values[((b * inC + c) * side + r) * side + q];
        var actual = y.data<float>().ToArray();
        for (int b = 0; b < n; b++)
            for (int c = 0; c < outC; c++)
                for (int r = 0; r < outSide; r++)
                    for (int q = 0; q < outSide; q++)
                    {
                        float expected = c >= inC ? 0f
                            : side % 2 == 1 ? X(b, c, 2 * r, 2 * q)
                            : (X(b, c, 2 * r, 2 * q) + X(b, c, 2 * r, 2 * q + 1) + X(b, c, 2 * r + 1, 2 * q) + X(b, c, 2 * r + 1, 2 * q + 1)) / 4f;
                        Assert.Equal(expected, actual[((b * outC + c) * outSide + r) * outSide + q], 5);
                    }
    }

    [Fact]
    public void Spectral_normalization_covers_every_convolution_and_no_avgpool_shortcut()
    {
        static List<string> Normalized(ShortcutKind shortcut)
        {
            using var model = new ResNet18(new ModelSpec(InputChannels: 1, Width: 4, InputSize: 28, SpectralNorm: true, Shortcut: shortcut));
            return model.named_modules().Where(m => m.module is SpectralNormConv2d).Select(m => m.name).ToList();
        }
        var avgpool = Normalized(ShortcutKind.Avgpool);
        var conv = Normalized(ShortcutKind.Conv);
        Assert.Equal(17, avgpool.Count);   // stem + 4 stages × 2 blocks × 2 convolutions
        Assert.DoesNotContain(avgpool, name => name.Contains("shortcut"));
        Assert.Equal(20, conv.Count);      // the same + the three 1×1 shortcut projections
        Assert.Equal(["layer2.0.shortcut.0", "layer3.0.shortcut.0", "layer4.0.shortcut.0"], conv.Where(name => name.Contains("shortcut")));
    }
}
