using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Model;

/// <summary>
/// The channels_last (NHWC) memory layout of a logical [N, C, H, W] tensor, reached through strides because
/// TorchSharp 0.107 wraps no memory_format. cuDNN runs a convolution in NHWC when its input or its weight is
/// channels_last (ATen's cudnn_conv_suggest_memory_format), which lets tensor cores work without transposes; on the
/// CPU the layout only changes which kernels run, not the numbers beyond rounding.
/// <para>Pitfalls, all checked on libtorch 2.10 CPU:</para>
/// <list type="bullet">
/// <item><c>.contiguous()</c> returns NCHW: anything that calls it undoes the layout, with a copy.</item>
/// <item><c>view</c> across C and H·W fails on a channels_last tensor (e.g. <c>view(-1)</c> on [1, C, H, W]):
/// use <c>reshape</c> or <c>flatten</c>, which copy only when they must.</item>
/// <item><c>cat</c> of a channels_last and an NCHW tensor gives NCHW; <c>cat</c> of two channels_last ones keeps it.
/// Element-wise ops, BatchNorm, pooling, clone and <c>to(dtype)</c> keep the layout.</item>
/// <item><c>Tensor.bytes</c> throws on it (non-contiguous); <c>data&lt;T&gt;()</c> reads in logical order.</item>
/// <item><c>Module.to(dtype or device)</c> keeps the strides but replaces every Parameter object: build optimizers
/// after it.</item>
/// <item>On the CPU, libtorch 2.10's oneDNN 3.7.1 NHWC kernels are wrong for two shapes the stacked (HFTA) model has,
/// measured against float64 here: a grouped convolution with one input channel per group and several outputs (the
/// stacked stem on 1-channel images) gives wrong outputs and input gradients, and a 1×1 stride-2 convolution with
/// fewer than 16 input channels per group writes past oneDNN's workspace in its weight gradient (oneDNN issue
/// #6035; heap corruption). The layout is for cuDNN: keep CPU runs in NCHW.</item>
/// </list>
/// </summary>
public static class ChannelsLast
{
    /// <summary>
    /// A channels_last copy of the 4-D <paramref name="x"/> with the same values, strides [C·H·W, 1, W·C, C]; no copy
    /// (a new view) when <paramref name="x"/> is already channels_last. Differentiable. Where C == 1 or H == W == 1 the
    /// two layouts are one memory order and the strides stay NCHW ones, as PyTorch's
    /// <c>contiguous(memory_format=torch.channels_last)</c> leaves them (see <see cref="IsChannelsLast"/>).
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"channels_last needs a 4-D tensor, got shape [{string.Join(", ", x.shape)}]", nameof(x));
        using var nhwc = x.permute(0, 2, 3, 1);
        using var dense = nhwc.contiguous();
        return dense.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// Whether the 4-D <paramref name="x"/> is laid out densely as NHWC: strides [C·H·W, 1, W·C, C], compared only on
    /// dimensions of size &gt; 1 — the rule of PyTorch's <c>is_contiguous(memory_format=torch.channels_last)</c>,
    /// since a size-1 dimension's stride never addresses memory. So a tensor with C == 1 or H == W == 1 that is
    /// contiguous NCHW is channels_last too (both layouts are the same bytes), and conversion leaves it alone. On a GPU
    /// cuDNN then takes the layout from the convolution's other operand, as it does for PyTorch's own channels_last models.
    /// </summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var shape = x.shape;
        var strides = x.stride();
        long expected = 1;
        foreach (var d in (ReadOnlySpan<int>)[1, 3, 2, 0])
        {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /// <summary>
    /// Makes every 4-D parameter of <paramref name="module"/> (recursively) channels_last, in place: the Parameter
    /// objects stay the same — <c>set_</c> points each one's TensorImpl at a channels_last copy — so the modules'
    /// fields, named_parameters() and anything already holding a parameter see the new layout. Gradients then come
    /// back channels_last from the convolutions' backward. Call it after <c>Module.to</c> and before the first
    /// backward, then build the optimizer (its state, e.g. <see cref="Repro.Training.FusedSgd"/>'s momentum buffers,
    /// takes each parameter's layout when it is built). Returns how many parameters changed layout.
    /// </summary>
    /// <remarks>
    /// Two alternatives do not work in TorchSharp 0.107: <c>copy_</c> writes the values in the destination's own
    /// (NCHW) strides, and <c>register_parameter</c> with a new Parameter throws "already registered" (and would
    /// leave module fields such as Conv2d.weight on the old Parameter anyway).
    /// </remarks>
    public static int ConvertParameters(nn.Module module)
    {
        int converted = 0;
        using var noGrad = no_grad();   // set_ on a leaf that requires grad is refused outside no_grad
        foreach (var (_, parameter) in module.named_parameters())
        {
            if (parameter.dim() != 4 || IsChannelsLast(parameter)) continue;
            using var channelsLast = ToChannelsLast(parameter);
            parameter.set_(channelsLast);
            converted++;
        }
        return converted;
    }
}
