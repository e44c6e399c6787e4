using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Model;

/// <summary>
/// A bias-free 2-D convolution with DDU's soft spectral normalization (Mukhoti et al. 2021, after Gouk et al. 2018 and
/// Behrmann et al. 2019): W_sn = W / (max(1, σ/c) + 1e-5), where σ is estimated by power iteration on the convolution
/// <em>operator</em> at the layer's known input shape (conv2d forward, conv_transpose2d adjoint) — not on the reshaped
/// kernel matrix, which bounds the operator only loosely. The 1e-5 is DDU's ("for stability", its
/// spectral_norm_conv_inplace.py). A 1×1 kernel is treated as the matrix W[out, in] and rescaled by max(1, σ/c) alone,
/// as DDU's wrapper does through its spectral_norm_fc.py (which has no 1e-5). One iteration per training-mode forward; evaluation reuses the stored u, v (no iteration), so a
/// model's output in eval mode is a pure function of its state. u and v are buffers: saved and loaded with the model.
/// Soft: a layer already within c is left unchanged, so capacity is only capped, never forced to σ = c.
/// With a stack of K models (ModelSpec.Stack) the layer is K independent layers computed as one grouped convolution:
/// weight [K·C_out, C_in, k, k], u and v hold K blocks of channels, and every norm, σ and divisor is per model.
/// PyTorch has torch.nn.utils.spectral_norm for the matrix case; TorchSharp has none, and neither has DDU's conv form.
/// </summary>
public sealed class SpectralNormConv2d : Module<Tensor, Tensor>
{
    /// <summary>DDU's default Lipschitz coefficient for its CIFAR ResNets.</summary>
    public const double DefaultCoefficient = 3.0;

    /// <summary>Added to the operator form's divisor by DDU (spectral_norm_conv_inplace.py); not by its matrix form.</summary>
    public const double OperatorStabilityTerm = 1e-5;

    private readonly Parameter weight;
    private readonly Tensor u, v;
    private readonly long stride, padding, outputPadding, stack, outputChannels, inputChannels;
    private readonly bool asMatrix;
    private readonly ScalarType? compute;
    private readonly bool keepOutput;

    public double Coefficient { get; }

    /// <param name="inputChannels">C_in.</param>
    /// <param name="inputSize">Spatial side of the square input this layer sees (the operator depends on it).</param>
    /// <param name="compute">Null: fp32. BFloat16: the convolution of the input runs in bf16 (see LowPrecisionConv2d); σ, the
    /// power iteration and the weight stay fp32.</param>
    /// <param name="stack">K models in one: channels are per model, so the layer maps K·C_in to K·C_out channels.</param>
    /// <param name="keepOutput">With <paramref name="compute"/>: hand the low-precision output on instead of casting it to fp32
    /// (ComputePrecision.Bf16Activations).</param>
    public SpectralNormConv2d(int inputChannels, int outputChannels, int kernelSize, int stride, int padding, int inputSize,
        double coefficient = DefaultCoefficient, ScalarType? compute = null, int stack = 1, bool keepOutput = false) : base(nameof(SpectralNormConv2d))
    {
        if (stack < 1) throw new ArgumentOutOfRangeException(nameof(stack), stack, "must be ≥ 1");
        this.stack = stack;
        this.inputChannels = inputChannels;
        this.outputChannels = outputChannels;
        this.compute = compute;
        this.keepOutput = keepOutput;
        if (!(coefficient > 0)) throw new ArgumentOutOfRangeException(nameof(coefficient), coefficient, "c must be > 0");
        Coefficient = coefficient;
        this.stride = stride;
        this.padding = padding;
        asMatrix = kernelSize == 1;

        // Same initialization as an ordinary Conv2d (Kaiming-uniform, a = √5), taken from one so the two agree.
        using (var template = Conv2d(stack * inputChannels, stack * outputChannels, kernelSize, stride: stride, padding: padding,
                   bias: false, groups: stack))
            weight = new Parameter(template.weight!.detach().clone());
        register_parameter("weight", weight);

        int outputSize = Convolution.OutputSize(inputSize, kernelSize, stride, padding);
        // conv_transpose2d must return exactly the input shape; with stride 2 and an even input it falls one short.
        outputPadding = inputSize - ((outputSize - 1) * stride - 2 * padding + kernelSize);
        using (no_grad())
        {
            u = asMatrix ? randn(stack * outputChannels) : randn(1, stack * outputChannels, outputSize, outputSize);
            v = asMatrix ? randn(stack * inputChannels) : randn(1, stack * inputChannels, inputSize, inputSize);
            u.copy_(PerModelUnit(u));
            v.copy_(PerModelUnit(v));
        }
        register_buffer("u", u);
        register_buffer("v", v);
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var w = Rescaled(TrainingSigma());
        return (compute is { } type
                ? LowPrecisionConv2d.Compute(x, w, stride, padding, type, stack, keepOutput)
                : functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding], groups: stack))
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// In training, one power iteration and σ from the same product: A v is computed once, with the gradient, and gives
    /// both the new u = A v / ‖A v‖ and σ = uᵀ A v (each per model: σ has one entry per model of the stack) — the values PowerIteration(1) followed by Sigma() give, with one
    /// operator application fewer per step (a step of small batches is bound by kernel launches; see README
    /// Performance). In evaluation, σ from the stored vectors.
    /// </summary>
    private Tensor TrainingSigma()
    {
        if (!training) return Sigma();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            v.copy_(PerModelUnit(Adjoint(u)));
        }
        var av = Apply(v, weight);
        using (no_grad()) u.copy_(PerModelUnit(av.detach()));
        return PerModelSum(u * av).MoveToOuterDisposeScope();
    }

    /// <summary>Runs power iterations on the operator, updating the stored singular-vector estimates in place.</summary>
    public void PowerIteration(int iterations)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < iterations; i++)
        {
            v.copy_(PerModelUnit(Adjoint(u)));
            u.copy_(PerModelUnit(Apply(v)));
        }
    }

    /// <summary>σ ≈ uᵀ A v with the stored vectors, one per model of the stack; differentiable in the weight (gradients
    /// flow through the rescale).</summary>
    public Tensor Sigma()
    {
        using var scope = NewDisposeScope();
        return PerModelSum(u * Apply(v, weight)).MoveToOuterDisposeScope();
    }

    /// <summary>W / (max(1, σ/c) + 1e-5), or W / max(1, σ/c) for a 1×1 kernel, each model's block by its own σ.</summary>
    public Tensor NormalizedWeight()
    {
        using var scope = NewDisposeScope();
        return Rescaled(Sigma()).MoveToOuterDisposeScope();
    }

    private Tensor Rescaled(Tensor sigma)
    {
        using var scope = NewDisposeScope();
        // Scalars held here, not converted implicitly: an implicit one can be finalized while libtorch still reads
        // it, which surfaced as an intermittent "toDouble" error from c10::Scalar.
        using Scalar coefficient = Coefficient, one = 1.0, stability = OperatorStabilityTerm;
        var factor = (sigma / coefficient).clamp_min(one);
        var divisor = asMatrix ? factor : factor + stability;
        // One divisor per output channel, broadcast over the kernel: keeps the weight's memory layout (channels_last).
        return (weight / divisor.repeat_interleave(outputChannels).view(-1, 1, 1, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Each model's block of <paramref name="t"/> (u or v: channels are per model) scaled to unit norm.</summary>
    private Tensor PerModelUnit(Tensor t)
    {
        var blocks = t.reshape(stack, -1);
        return (blocks / linalg.vector_norm(blocks, dims: [1], keepdim: true).clamp_min(1e-12)).view_as(t);
    }

    private Tensor PerModelSum(Tensor t) => t.reshape(stack, -1).sum(1);

    private Tensor Apply(Tensor x, Tensor? w = null)
    {
        w ??= weight;
        return asMatrix
            ? bmm(w.reshape(stack, outputChannels, inputChannels), x.view(stack, inputChannels, 1)).view(-1)
            : functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding], groups: stack);
    }

    private Tensor Adjoint(Tensor y) => asMatrix
        ? bmm(weight.reshape(stack, outputChannels, inputChannels).transpose(1, 2), y.view(stack, outputChannels, 1)).view(-1)
        : functional.conv_transpose2d(y, weight, strides: [stride, stride], padding: [padding, padding],
            output_padding: [outputPadding, outputPadding], groups: stack);
}
