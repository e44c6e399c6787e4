using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Model;

/// <summary>
/// The classifier of K models at once: model k maps its block of the features [N, K·in] to its block of the logits
/// [N, K·out] with its own weight and bias (one batched matrix product). Weight [K·out, in] and bias [K·out] are the K
/// models' nn.Linear parameters stacked, under Linear's names, so one model's state is exactly a Linear's.
/// </summary>
public sealed class StackedLinear : Module<Tensor, Tensor>
{
    private readonly Parameter weight, bias;
    private readonly long inFeatures, outFeatures, stack;

    public StackedLinear(int inFeatures, int outFeatures, int stack = 1) : base(nameof(StackedLinear))
    {
        if (stack < 1) throw new ArgumentOutOfRangeException(nameof(stack), stack, "must be ≥ 1");
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.stack = stack;
        // Each model initialized as nn.Linear initializes (Kaiming-uniform weight, uniform bias), in model order.
        var templates = Enumerable.Range(0, stack).Select(_ => Linear(inFeatures, outFeatures)).ToList();
        using (no_grad())
        {
            weight = new Parameter(cat(templates.Select(t => t.weight!.detach()).ToList(), 0));
            bias = new Parameter(cat(templates.Select(t => t.bias!.detach()).ToList(), 0));
        }
        foreach (var t in templates) t.Dispose();
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    /// <summary>The K models' weights [K·out, in] and biases [K·out] (for one model: nn.Linear's).</summary>
    public Tensor Weight => weight;
    public Tensor Bias => bias;

    public override Tensor forward(Tensor x)
    {
        if (stack == 1) return functional.linear(x, weight, bias);
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        // [K, N, in] × [K, in, out] + [K, 1, out] → [K, N, out] → [N, K·out]
        // TorchSharp 0.107's baddbmm hands its arguments to ATen in another order (shape errors), hence bmm + add.
        var perModel = bmm(x.view(n, stack, inFeatures).transpose(0, 1), weight.view(stack, outFeatures, inFeatures).transpose(1, 2))
                       + bias.view(stack, 1, outFeatures);
        return perModel.transpose(0, 1).reshape(n, stack * outFeatures).MoveToOuterDisposeScope();
    }
}
