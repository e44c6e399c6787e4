using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Model;

/// <summary>How convolutions compute. Everything else — BatchNorm, the L2 and LogitNorm arithmetic, the classifier,
/// the loss and the optimizer's master weights — stays fp32 either way.</summary>
public enum ComputePrecision { Fp32, Bf16 }

/// <summary>
/// A bias-free convolution that keeps an fp32 weight (the optimizer's master copy) and computes in bfloat16: input and
/// weight are cast down for the convolution and its output cast back up, so BatchNorm sees fp32. This is the part of
/// PyTorch's autocast that pays (convolutions on bf16 units), done by hand because TorchSharp 0.107 has no autocast.
/// Gradients reach the fp32 weight through the casts. Its parameter is named "weight", as Conv2d's, so checkpoints map.
/// </summary>
public sealed class LowPrecisionConv2d : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter weight;
    private readonly long stride, padding, groups;

    /// <param name="groups">K for a stack of K models (grouped over their channel blocks), else 1.</param>
    public LowPrecisionConv2d(int inputChannels, int outputChannels, int kernelSize, int stride, int padding, int groups = 1)
        : base(nameof(LowPrecisionConv2d))
    {
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        // Initialized exactly as an ordinary Conv2d (Kaiming-uniform), by taking one's weight.
        using (var template = Conv2d(inputChannels, outputChannels, kernelSize, stride: stride, padding: padding, bias: false, groups: groups))
            weight = new TorchSharp.Modules.Parameter(template.weight!.detach().clone());
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor x) => Compute(x, weight, stride, padding, ScalarType.BFloat16, groups);

    /// <summary>conv2d in <paramref name="type"/> on fp32 tensors, returning fp32.</summary>
    internal static Tensor Compute(Tensor x, Tensor w, long stride, long padding, ScalarType type, long groups)
    {
        using var scope = NewDisposeScope();
        return functional.conv2d(x.to_type(type), w.to_type(type), strides: [stride, stride], padding: [padding, padding], groups: groups)
            .to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
