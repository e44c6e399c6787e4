using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Model;

/// <summary>
/// DDU's parameter-free shortcut (omegafragger/DDU, net/resnet.py, AvgPoolShortCut), used with its `-mod` flag together
/// with leaky ReLU: average-pool by the stride — or, when the side is odd, pick every stride-th pixel (a 1×1 pool with
/// that stride), which gives the ⌈side/stride⌉ the block's strided 3×3 convolution gives — then append zero channels
/// up to the block's width. Being a fixed operation it has nothing to normalize, so a spectrally normalized network
/// with these shortcuts bounds only its 3×3 convolutions. In a stack of K models each model's channel block gets its
/// own zero channels.
/// </summary>
public sealed class AvgPoolShortcut : Module<Tensor, Tensor>
{
    private readonly long inChannels, outChannels, stride, stack;

    public AvgPoolShortcut(int inChannels, int outChannels, int stride, int stack = 1) : base(nameof(AvgPoolShortcut))
    {
        if (stack < 1) throw new ArgumentOutOfRangeException(nameof(stack), stack, "must be ≥ 1");
        this.stack = stack;
        if (outChannels < inChannels)
            throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"must be ≥ the {inChannels} input channels (zeros are appended, none dropped)");
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (x.shape[1] != stack * inChannels) throw new ArgumentException($"expected {stack * inChannels} channels, got {x.shape[1]}", nameof(x));
        var pooled = x.shape[2] % 2 != 0
            ? functional.avg_pool2d(x, 1, stride)
            : functional.avg_pool2d(x, stride, stride);
        // pad's pairs run from the last dimension inwards: (W), (H), then (C: none before, the new channels after).
        if (stack == 1) return functional.pad(pooled, [0, 0, 0, 0, 0, outChannels - inChannels]).MoveToOuterDisposeScope();
        long n = pooled.shape[0], h = pooled.shape[2], w = pooled.shape[3];
        return functional.pad(pooled.reshape(n, stack, inChannels, h, w), [0, 0, 0, 0, 0, outChannels - inChannels])
            .reshape(n, stack * outChannels, h, w).MoveToOuterDisposeScope();
    }
}
