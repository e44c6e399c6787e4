using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Model;

/// <summary>
/// CIFAR-style ResNet18 (He et al. 2016 as adapted for 32×32 inputs in the LogitNorm and DDU code): a 3×3 stem with
/// no max-pool, four stages of two basic blocks with widths w, 2w, 4w, 8w, global average pooling to z, then one
/// linear classifier. Field names follow torchvision/PyTorch so weights map across. With <see cref="ShortcutKind.Avgpool"/>
/// and leaky ReLU this is DDU's `resnet18(mod=True)` (net/resnet.py), the network the paper's "+" and L2 models used.
/// A stack of K models (spec.Stack) takes the K models' images side by side as channels, [N, K·C, H, W], and returns
/// logits [N, K·classes] and z [N, K·8w]: model k owns the k-th block of each. <see cref="ModelStack"/> builds one from
/// K separate models and takes them apart again.
/// </summary>
public sealed class ResNet18 : Module<Tensor, ModelOutput>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1, layer2, layer3, layer4;
    private readonly FeatureNormalization featureNorm;
    private readonly StackedLinear fc;
    private readonly Func<Tensor, Tensor> act;

    public ModelSpec Spec { get; }

    public ResNet18(ModelSpec spec) : base(nameof(ResNet18))
    {
        if (spec.Width < 1) throw new ArgumentOutOfRangeException(nameof(spec), "width must be ≥ 1");
        if (spec.Stack < 1) throw new ArgumentOutOfRangeException(nameof(spec), "stack must be ≥ 1");
        Spec = spec;
        act = Activations.Of(spec.Activation);
        int w = spec.Width, size = spec.InputSize;
        conv1 = Convolution.Create(spec, spec.InputChannels, w, 3, stride: 1, inputSize: size);
        bn1 = BatchNorm2d(spec.Stack * w);
        layer1 = Stage(w, w, stride: 1, ref size);
        layer2 = Stage(w, 2 * w, stride: 2, ref size);
        layer3 = Stage(2 * w, 4 * w, stride: 2, ref size);
        layer4 = Stage(4 * w, 8 * w, stride: 2, ref size);
        featureNorm = new FeatureNormalization(spec.FeatureNorm, spec.FeatureNormEpsilon, spec.FeatureNormTemperature);
        fc = new StackedLinear(spec.FeatureDim, spec.NumClasses, spec.Stack);
        RegisterComponents();
    }

    /// <summary>Two blocks; advances <paramref name="size"/> to the stage's output side.</summary>
    private Sequential Stage(int inChannels, int outChannels, int stride, ref int size)
    {
        var first = new BasicBlock(Spec, inChannels, outChannels, stride, size, act);
        size = Convolution.OutputSize(size, 3, stride, 1);
        return Sequential(("0", first), ("1", new BasicBlock(Spec, outChannels, outChannels, 1, size, act)));
    }

    /// <summary>The classifier's weight [classes, 8w] and bias, as used on z at test time (train-only L2 is off then).</summary>
    public (Tensor Weight, Tensor Bias) Classifier => Spec.Stack == 1 ? (fc.Weight, fc.Bias)
        : throw new InvalidOperationException("a stacked model has K classifiers: take the models apart first (ModelStack.Unstack)");

    public override ModelOutput forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = act(bn1.call(conv1.call(x)));
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        // Under bf16-activations the blocks hand on bf16; z is averaged in fp32. Other models keep their own type (fp64 in tests).
        var z = functional.adaptive_avg_pool2d(h.dtype == ScalarType.BFloat16 ? h.to_type(ScalarType.Float32) : h, 1).flatten(1);
        // Each model's z is normalized on its own: one row per (sample, model).
        long n = z.shape[0];
        var features = Spec.Stack == 1 ? featureNorm.call(z) : featureNorm.call(z.view(n * Spec.Stack, -1)).view(n, -1);
        var logits = fc.call(features);
        return new ModelOutput(logits.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope());
    }
}

/// <summary>Two 3×3 convolutions with a residual connection; the spec's shortcut when the shape changes.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Module<Tensor, Tensor>? shortcut;
    private readonly Func<Tensor, Tensor> act;

    public BasicBlock(ModelSpec spec, int inChannels, int outChannels, int stride, int inputSize, Func<Tensor, Tensor> act)
        : base(nameof(BasicBlock))
    {
        this.act = act;
        conv1 = Convolution.Create(spec, inChannels, outChannels, 3, stride, inputSize);
        bn1 = BatchNorm2d(spec.Stack * outChannels);
        conv2 = Convolution.Create(spec, outChannels, outChannels, 3, 1, Convolution.OutputSize(inputSize, 3, stride, 1));
        bn2 = BatchNorm2d(spec.Stack * outChannels);
        if (stride != 1 || inChannels != outChannels)
            shortcut = spec.Shortcut switch
            {
                ShortcutKind.Conv => Sequential(
                    ("0", Convolution.Create(spec, inChannels, outChannels, 1, stride, inputSize)),
                    ("1", BatchNorm2d(spec.Stack * outChannels))),
                ShortcutKind.Avgpool => new AvgPoolShortcut(inChannels, outChannels, stride, spec.Stack),
                _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Shortcut, null),
            };
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = act(bn1.call(conv1.call(x)));
        h = bn2.call(conv2.call(h));
        var skip = shortcut is null ? x : shortcut.call(x);
        return act(h + skip).MoveToOuterDisposeScope();
    }
}

/// <summary>Every convolution of the network, plain or spectrally normalized as the spec says.</summary>
internal static class Convolution
{
    /// <summary>3×3 kernels pad by 1, 1×1 kernels by 0 (the shortcut projection). Channels are per model; a stack of K
    /// models groups the convolution K ways.</summary>
    public static Module<Tensor, Tensor> Create(ModelSpec spec, int inChannels, int outChannels, int kernelSize, int stride, int inputSize)
    {
        int padding = kernelSize / 2, k = spec.Stack;
        var type = spec.Precision.ConvolutionType();
        if (spec.SpectralNorm)
            return new SpectralNormConv2d(inChannels, outChannels, kernelSize, stride, padding, inputSize, spec.SpectralNormCoefficient,
                type, k, spec.Precision.KeepsActivations());
        return type is not null
            ? new LowPrecisionConv2d(k * inChannels, k * outChannels, kernelSize, stride, padding, k, spec.Precision.KeepsActivations())
            : Conv2d(k * inChannels, k * outChannels, kernelSize, stride: stride, padding: padding, bias: false, groups: k);
    }

    public static int OutputSize(int inputSize, int kernelSize, int stride, int padding) =>
        (inputSize + 2 * padding - kernelSize) / stride + 1;
}

public static class Activations
{
    /// <summary>LeakyReLU slope 0.01 is PyTorch's default and what DDU's ResNet uses.</summary>
    public const double LeakySlope = 0.01;

    public static Func<Tensor, Tensor> Of(ActivationKind kind) => kind switch
    {
        ActivationKind.Relu => x => functional.relu(x),
        ActivationKind.LeakyRelu => x => functional.leaky_relu(x, LeakySlope),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
