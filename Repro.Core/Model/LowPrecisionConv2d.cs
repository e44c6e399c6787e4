using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Model;

/// <summary>How the network computes. The L2 and LogitNorm arithmetic, the classifier, the loss, BatchNorm's parameters
/// and statistics and the optimizer's master weights stay fp32 in every mode.</summary>
public enum ComputePrecision
{
    Fp32,
    /// <summary>Convolutions in bf16, their outputs cast back to fp32 for BatchNorm (what TorchSharp reaches without autocast).</summary>
    Bf16,
    /// <summary>
    /// Convolutions in bf16 and the activations between them kept bf16 — through BatchNorm (bf16 in and out, fp32
    /// parameters and statistics, as cuDNN and ATen take it), the nonlinearity and the residual add — as PyTorch's
    /// autocast leaves them: no fp32 round trip per convolution. The last block's output is cast to fp32 before the
    /// global pooling, so z and ‖z‖ are averaged in fp32. A GPU lever (issue 32); "bf16-activations" in configs.
    /// </summary>
    Bf16Activations,
}

public static class ComputePrecisions
{
    /// <summary>As written in configs and tables: fp32, bf16, bf16-activations.</summary>
    public static string Name(this ComputePrecision p) => p switch
    {
        ComputePrecision.Fp32 => "fp32", ComputePrecision.Bf16 => "bf16", ComputePrecision.Bf16Activations => "bf16-activations",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    /// <summary>The precision <paramref name="name"/> names (as <see cref="Name"/> writes it), or null.</summary>
    public static ComputePrecision? Parse(string name) =>
        Enum.GetValues<ComputePrecision>().Cast<ComputePrecision?>().FirstOrDefault(p => p!.Value.Name() == name);

    /// <summary>The convolutions' compute type: null for fp32.</summary>
    public static ScalarType? ConvolutionType(this ComputePrecision p) => p == ComputePrecision.Fp32 ? null : ScalarType.BFloat16;

    /// <summary>Whether convolutions hand their bf16 output on as it is (true) or cast it back to fp32.</summary>
    public static bool KeepsActivations(this ComputePrecision p) => p == ComputePrecision.Bf16Activations;
}

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
    private readonly bool keepOutput;

    /// <param name="groups">K for a stack of K models (grouped over their channel blocks), else 1.</param>
    /// <param name="keepOutput">Hand the bf16 output on (ComputePrecision.Bf16Activations) instead of casting it to fp32.</param>
    public LowPrecisionConv2d(int inputChannels, int outputChannels, int kernelSize, int stride, int padding, int groups = 1, bool keepOutput = false)
        : base(nameof(LowPrecisionConv2d))
    {
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        this.keepOutput = keepOutput;
        // Initialized exactly as an ordinary Conv2d (Kaiming-uniform), by taking one's weight.
        using (var template = Conv2d(inputChannels, outputChannels, kernelSize, stride: stride, padding: padding, bias: false, groups: groups))
            weight = new TorchSharp.Modules.Parameter(template.weight!.detach().clone());
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor x) => Compute(x, weight, stride, padding, ScalarType.BFloat16, groups, keepOutput);

    /// <summary>conv2d in <paramref name="type"/> from fp32 weights, on an fp32 or already-<paramref name="type"/> input;
    /// the output in fp32, or in <paramref name="type"/> when <paramref name="keepOutput"/>.</summary>
    internal static Tensor Compute(Tensor x, Tensor w, long stride, long padding, ScalarType type, long groups, bool keepOutput = false)
    {
        using var scope = NewDisposeScope();
        var y = functional.conv2d(x.dtype == type ? x : x.to_type(type), w.to_type(type), strides: [stride, stride], padding: [padding, padding], groups: groups);
        return (keepOutput ? y : y.to_type(ScalarType.Float32)).MoveToOuterDisposeScope();
    }
}
