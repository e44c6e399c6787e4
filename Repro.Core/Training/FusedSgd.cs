using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// SGD with momentum, L2 weight decay and optional Nesterov — PyTorch's torch.optim.SGD arithmetic — applied to every
/// parameter in one call of ATen's multi-tensor kernel `_fused_sgd_` (PyTorch's `SGD(fused=True)`). TorchSharp's SGD
/// loops over the parameters in .NET, about four kernels each: ≈ 250 launches per ResNet18 step, or K times that for
/// a stack of K seeds, which bound the small-batch spectral-norm rows on a GPU. TorchSharp does not wrap the op, so
/// it is reached by name through a TorchScript function. Momentum buffers are named by parameter, for checkpoints.
/// </summary>
public sealed class FusedSgd : IDisposable
{
    // Compiled once per process: compiling costs milliseconds and the unit holds no state. A script that fails to
    // compile kills the process (TorchSharp catches only c10::Error), which the CPU tests would show first. The script
    // must end in a newline (TorchScript's parser asserts otherwise), hence the blank last line.
    // Every argument is a tensor. TorchSharp 0.107 hands a double argument of `invoke` to libtorch as a native Scalar;
    // once, after nine units of a run had stepped fine, the tenth died in its first step with "Expected false to be
    // true" from c10::Scalar::toLong inside THSJIT_CompilationUnit_Invoke — a Scalar of no known kind. So the settings
    // travel as one CPU tensor [lr, momentum, weight decay, nesterov, first step], read back inside the script.
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def step(params: List[Tensor], grads: List[Tensor], buffers: List[Tensor], settings: Tensor):
            torch._fused_sgd_(params, grads, buffers, weight_decay=float(settings[2].item()), momentum=float(settings[1].item()), lr=float(settings[0].item()), dampening=0.0, nesterov=float(settings[3].item()) != 0.0, maximize=False, is_first_step=float(settings[4].item()) != 0.0)

        """));

    private readonly (string Name, Parameter Parameter)[] parameters;
    private readonly Tensor[] buffers;
    private bool buffersHoldMomentum;

    public double LearningRate { get; set; }
    public double Momentum { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    public FusedSgd(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double momentum,
        double weightDecay, bool nesterov)
    {
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be ≥ 0");
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "must be ≥ 0");
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov needs a momentum > 0", nameof(nesterov));
        this.parameters = parameters.ToArray();
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        // Allocated up front in each parameter's layout; the first step fills them with the gradient, as torch.optim.SGD does.
        buffers = momentum == 0 ? [] : this.parameters.Select(p => empty_like(p.Parameter).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Drops the gradients (PyTorch's set_to_none): backward then writes fresh ones, with no zeroing kernels.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            p.grad = null;
            grad.Dispose();
        }
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = new Tensor[parameters.Length];
        for (int i = 0; i < grads.Length; i++)
            grads[i] = parameters[i].Parameter.grad
                       ?? throw new InvalidOperationException($"parameter '{parameters[i].Name}' has no gradient: every parameter must take part in the loss");
        var settings = tensor(new[] { LearningRate, Momentum, WeightDecay, Nesterov ? 1.0 : 0.0, buffersHoldMomentum ? 0.0 : 1.0 }, ScalarType.Float64);
        Script.Value.invoke("step", parameters.Select(p => (Tensor)p.Parameter).ToArray(), grads, buffers, settings);
        buffersHoldMomentum = true;
    }

    /// <summary>Each parameter's momentum buffer by name; empty before the first step (and always without momentum).</summary>
    public IEnumerable<(string Name, Tensor Buffer)> MomentumBuffers() =>
        buffersHoldMomentum ? parameters.Zip(buffers, (p, b) => (p.Name, b)) : [];

    /// <summary>
    /// Restores the momentum buffers from a checkpoint's <paramref name="saved"/> (read from <paramref name="path"/>):
    /// every parameter's, or none — a checkpoint saved before any step — after which the next step starts afresh.
    /// </summary>
    public void RestoreMomentum(string path, IReadOnlyDictionary<string, Tensor> saved)
    {
        buffersHoldMomentum = false;
        if (saved.Count == 0) return;
        TensorFile.CopyInto(path, saved, parameters.Zip(buffers, (p, b) => (p.Name, b)));
        buffersHoldMomentum = true;
    }

    public void Dispose()
    {
        foreach (var b in buffers) b.Dispose();
    }
}
