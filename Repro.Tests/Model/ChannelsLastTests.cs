using CsCheck;
using Repro.Model;
using Repro.Platform;
using Repro.Tests.Training;
using Repro.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Model;

/// <summary>
/// The NHWC layout reached through strides computes what NCHW computes, and converting a module's parameters in
/// place keeps them the objects that forward, named_parameters() and the optimizer share. Also cudnn.benchmark through
/// libtorch's C++ symbols, which a CPU build carries too.
/// </summary>
[Collection(TorchCollection.Name)]
public class ChannelsLastTests
{
    private static long[] Strides(Tensor t) => t.stride();

    private static long[] Canonical(Tensor t)
    {
        var (c, h, w) = (t.shape[1], t.shape[2], t.shape[3]);
        return [c * h * w, 1, w * c, c];
    }

    private static bool Ambiguous(Tensor t) => t.shape[1] == 1 || t.shape[2] * t.shape[3] == 1;

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().to(ScalarType.Float64).item<double>();

    private sealed record Conv(int Batch, int Groups, int InPerGroup, int OutPerGroup, int Kernel, int Stride, int Size, bool Transposed)
    {
        public int In => Groups * InPerGroup;
        public int Out => Groups * OutPerGroup;
        public long[] WeightShape => Transposed ? [In, OutPerGroup, Kernel, Kernel] : [Out, InPerGroup, Kernel, Kernel];

        public Tensor Apply(Tensor x, Tensor w) => Transposed
            ? nn.functional.conv_transpose2d(x, w, strides: [Stride, Stride], padding: [Kernel / 2, Kernel / 2], groups: Groups)
            : nn.functional.conv2d(x, w, strides: [Stride, Stride], padding: [Kernel / 2, Kernel / 2], groups: Groups);
    }

    /// <summary>
    /// Groups &gt; 1 is the stacked-seeds (HFTA) convolution: K models' channels side by side, groups = K. Left out are
    /// shapes where libtorch 2.10's CPU kernels (oneDNN 3.7.1) compute wrong numbers whatever this class does, measured
    /// here against float64: one channel per group on either side (backward-data with one input channel, in both
    /// layouts; NHWC depthwise convolution with a channel multiplier, outputs and input gradients), and 1×1 stride-2
    /// kernels with fewer than 16 input channels per group (NHWC weight gradients write past oneDNN's workspace,
    /// oneDNN issue #6035: heap corruption that spoils later tests), which get 16 or 32.
    /// </summary>
    private static readonly Gen<Conv> Convs =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[2, 4], Gen.Int[2, 4], Gen.Int[0, 1].Select(i => 1 + 2 * i), Gen.Int[1, 2], Gen.Int[3, 7], Gen.Bool)
            .Select((n, g, i, o, k, s, size, t) => new Conv(n, g, k == 1 && s == 2 ? 8 * i : i, o, k, s, size, t));

    private static bool Close(Tensor reference, Tensor actual) =>
        MaxDifference(reference, actual.to(ScalarType.Float64)) <= 1e-4 * Math.Max(1, reference.abs().max().item<double>());

    /// <summary>
    /// The reference is the NCHW computation in float64, which libtorch's CPU runs without oneDNN: fp32 NCHW has
    /// wrong-gradient shapes of its own here (see <see cref="Convs"/>), which would fail this test for the wrong reason.
    /// </summary>
    [Fact]
    public void Convolution_on_channels_last_input_and_weight_matches_NCHW_in_output_and_gradients()
    {
        int checkedLayouts = 0;
        Gen.Select(Convs, Gen.Int[0, 10_000]).Sample((conv, seed) =>
        {
            using var scope = NewDisposeScope();
            random.manual_seed(seed);
            var x = randn(conv.Batch, conv.In, conv.Size, conv.Size, dtype: ScalarType.Float64).requires_grad_();
            var w = randn(conv.WeightShape, dtype: ScalarType.Float64).requires_grad_();
            var y = conv.Apply(x, w);
            var upstream = randn_like(y);
            (y * upstream).sum().backward();

            var xl = ChannelsLast.ToChannelsLast(x.detach().to(ScalarType.Float32)).requires_grad_();
            var wl = ChannelsLast.ToChannelsLast(w.detach().to(ScalarType.Float32)).requires_grad_();
            Assert.True(ChannelsLast.IsChannelsLast(xl) && ChannelsLast.IsChannelsLast(wl));
            var yl = conv.Apply(xl, wl);
            (yl * upstream.to(ScalarType.Float32)).sum().backward();

            // The output's layout shows the NHWC kernels ran, so the comparison is not NCHW against itself.
            if (!Ambiguous(yl))
            {
                Assert.True(ChannelsLast.IsChannelsLast(yl), $"{conv}: output strides [{string.Join(", ", Strides(yl))}]");
                checkedLayouts++;
            }
            Assert.True(Close(y, yl), $"{conv}: outputs differ by {MaxDifference(y, yl.to(ScalarType.Float64)):G3}");
            Assert.True(Close(x.grad!, xl.grad!), $"{conv}: input gradients differ by {MaxDifference(x.grad!, xl.grad!.to(ScalarType.Float64)):G3}");
            Assert.True(Close(w.grad!, wl.grad!), $"{conv}: weight gradients differ by {MaxDifference(w.grad!, wl.grad!.to(ScalarType.Float64)):G3}");
        }, iter: 80);
        Assert.True(checkedLayouts > 40, $"only {checkedLayouts} cases had an unambiguous layout");
    }

    [Fact]
    public void ToChannelsLast_keeps_values_and_gives_NHWC_strides()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int[1, 5]).Sample((n, c, h, w) =>
        {
            using var scope = NewDisposeScope();
            var x = randn(n, c, h, w);
            var cl = ChannelsLast.ToChannelsLast(x);
            Assert.Equal(x.shape, cl.shape);
            Assert.True((x == cl).all().item<bool>());
            Assert.True(ChannelsLast.IsChannelsLast(cl));
            if (Ambiguous(x))
                Assert.True(ChannelsLast.IsChannelsLast(x), "C == 1 or H == W == 1: NCHW and NHWC are the same bytes");
            else
            {
                Assert.Equal(Canonical(x), Strides(cl));
                Assert.False(ChannelsLast.IsChannelsLast(x), $"contiguous NCHW [{string.Join(", ", x.shape)}] taken for channels_last");
            }
            var again = ChannelsLast.ToChannelsLast(cl);
            Assert.Equal(Strides(cl), Strides(again));
            Assert.Equal(cl.storage<float>().data_ptr(), again.storage<float>().data_ptr());   // already channels_last: a view, no copy
        }, iter: 100);
    }

    [Fact]
    public void IsChannelsLast_rejects_other_layouts_and_ranks()
    {
        using var scope = NewDisposeScope();
        var cl = ChannelsLast.ToChannelsLast(randn(2, 3, 4, 5));
        Assert.False(ChannelsLast.IsChannelsLast(cl.contiguous()));                          // contiguous() is NCHW
        Assert.False(ChannelsLast.IsChannelsLast(cl[.., .., TensorIndex.Slice(step: 2)]));   // not dense
        Assert.False(ChannelsLast.IsChannelsLast(cl.transpose(2, 3)));                       // NWHC
        Assert.False(ChannelsLast.IsChannelsLast(randn(3, 4, 5)));
        Assert.Throws<ArgumentException>(() => ChannelsLast.ToChannelsLast(randn(3, 4)));
    }

    private static Sequential Net(int seed)
    {
        random.manual_seed(seed);
        // 3×3 kernels, a strided one, a 1×1 one (ambiguous: stays as it is) and parameters of rank 1 and 2.
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5));
    }

    [Fact]
    public void ConvertParameters_makes_conv_weights_channels_last_in_place_and_the_optimizer_updates_them()
    {
        using var scope = NewDisposeScope();
        using var plain = Net(7);
        using var converted = Net(7);
        var before = converted.named_parameters().ToDictionary(p => p.name, p => (Parameter: p.parameter, Strides: Strides(p.parameter), Value: p.parameter.detach().clone()));
        var x = randn(4, 3, 9, 9);
        plain.eval();
        converted.eval();
        using (no_grad())
        {
            var expected = plain.call(x);
            Assert.Equal(2, ChannelsLast.ConvertParameters(converted));
            Assert.True(MaxDifference(expected, converted.call(x)) <= 1e-5);
        }

        foreach (var (name, parameter) in converted.named_parameters())
        {
            var old = before[name];
            Assert.Same(old.Parameter, parameter);
            Assert.True((old.Value == parameter).all().item<bool>(), $"{name}: values changed");
            if (parameter.dim() == 4 && !Ambiguous(parameter))
                Assert.Equal(Canonical(parameter), Strides(parameter));
            else
                Assert.Equal(old.Strides, Strides(parameter));
        }
        var conv0 = (Conv2d)converted[0];
        var conv3 = (Conv2d)converted[3];
        Assert.Same(before["0.weight"].Parameter, conv0.weight);   // the field forward reads
        Assert.True(ChannelsLast.IsChannelsLast(conv0.weight!) && ChannelsLast.IsChannelsLast(conv3.weight!));
        Assert.Equal(0, ChannelsLast.ConvertParameters(converted));

        // Built after the conversion, the optimizer must hold the tensors forward uses: then both nets, the same
        // steps on the same batches, stay equal. Had it held copies, the converted net's forward would not move.
        using var plainSgd = new FusedSgd(plain.named_parameters(), 0.1, 0.9, 5e-4, nesterov: false);
        using var convertedSgd = new FusedSgd(converted.named_parameters(), 0.1, 0.9, 5e-4, nesterov: false);
        plain.train();
        converted.train();
        var data = new Generator(3);
        for (int step = 0; step < 3; step++)
        {
            using var stepScope = NewDisposeScope();
            var batch = randn([8, 3, 9, 9], generator: data);
            var labels = randint(0, 5, [8], generator: data);
            foreach (var (net, sgd) in new[] { (plain, plainSgd), (converted, convertedSgd) })
            {
                sgd.ZeroGrad();
                nn.functional.cross_entropy(net.call(batch), labels).backward();
                sgd.Step();
            }
            Assert.True(ChannelsLast.IsChannelsLast(conv3.weight!.grad!), "the convolution's backward gives channels_last gradients");
        }
        Assert.True(MaxDifference(before["3.weight"].Value, conv3.weight!) > 1e-3, "the optimizer did not move the forward's weights");
        Assert.True(ChannelsLast.IsChannelsLast(conv0.weight!) && ChannelsLast.IsChannelsLast(conv3.weight!));
        foreach (var ((name, a), (_, b)) in plain.named_parameters().Zip(converted.named_parameters()))
            Assert.True(MaxDifference(a, b) <= 1e-4, $"{name}: the two nets differ by {MaxDifference(a, b):G3} after 3 steps");
        plain.eval();
        converted.eval();
        using (no_grad()) Assert.True(MaxDifference(plain.call(x), converted.call(x)) <= 1e-4);
    }

    [Fact]
    public void CudnnBenchmark_is_set_and_read_back_through_libtorchs_symbols()
    {
        using (var _ = zeros(1)) { }   // TorchSharp has loaded libtorch
        var previous = CudnnBenchmark.IsEnabled();
        Assert.NotNull(previous);
        try
        {
            Assert.True(CudnnBenchmark.TrySet(false, out var message), message);
            Assert.False(CudnnBenchmark.IsEnabled());
            Assert.True(CudnnBenchmark.TryEnable(out message), message);
            Assert.True(CudnnBenchmark.IsEnabled());
        }
        finally
        {
            CudnnBenchmark.TrySet(previous!.Value, out _);
        }
        // One libtorch_cpu in the process: the flag set is the one TorchSharp's libtorch reads.
        if (OperatingSystem.IsLinux())
        {
            var mapped = File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libtorch_cpu", StringComparison.Ordinal))
                .Select(f => f[5]).Distinct().ToList();
            Assert.Single(mapped);
        }
    }
}
