using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Model;

/// <summary>
/// Between K separate models and one stack of them (ModelSpec.Stack = K). Every tensor of a stack's state is its K
/// models' tensors concatenated along the one dimension that is K times as long (channels for weights, BatchNorm
/// statistics and the spectral-norm vectors, classes for the classifier); a tensor of the same shape in both —
/// BatchNorm's step counter, equal in every model because they take the same steps — is shared.
/// </summary>
public static class ModelStack
{
    /// <summary>A stack of copies of <paramref name="models"/> (same spec apart from Stack 1), on their device and in their precision.</summary>
    public static ResNet18 Stack(IReadOnlyList<ResNet18> models)
    {
        if (models.Count == 0) throw new ArgumentException("a stack needs at least one model", nameof(models));
        var spec = models[0].Spec;
        if (spec.Stack != 1) throw new ArgumentException("the models to stack must be single models", nameof(models));
        if (models.FirstOrDefault(m => m.Spec != spec) is { } other)
            throw new ArgumentException($"models of different specs cannot be stacked ({spec} vs {other.Spec})", nameof(models));
        var first = models[0].parameters().First();
        var stack = new ResNet18(spec with { Stack = models.Count }).to(first.dtype).to(first.device);
        var singles = models.Select(m => m.state_dict()).ToList();
        using var noGrad = no_grad();
        foreach (var (name, target) in stack.state_dict())
        {
            var parts = singles.Select(s => s[name]).ToList();
            int dim = StackedDim(name, target, parts[0], models.Count);
            if (dim < 0) target.copy_(parts[0]);
            else using (var joined = cat(parts, dim)) target.copy_(joined);
        }
        return stack;
    }

    /// <summary>Model <paramref name="index"/> of the stack as a separate model (a copy), on the stack's device and in its precision.</summary>
    public static ResNet18 Unstack(ResNet18 stack, int index)
    {
        int k = stack.Spec.Stack;
        if (index < 0 || index >= k) throw new ArgumentOutOfRangeException(nameof(index), index, $"the stack holds {k} models");
        var first = stack.parameters().First();
        var single = new ResNet18(stack.Spec with { Stack = 1 }).to(first.dtype).to(first.device);
        var stacked = stack.state_dict();
        using var noGrad = no_grad();
        foreach (var (name, target) in single.state_dict())
        {
            var source = stacked[name];
            int dim = StackedDim(name, source, target, k);
            target.copy_(dim < 0 ? source : source.narrow(dim, index * target.shape[dim], target.shape[dim]));
        }
        single.train(stack.training);
        return single;
    }

    /// <summary>Model <paramref name="index"/>'s block of a stacked tensor (a view), e.g. of a gradient.</summary>
    public static Tensor Block(Tensor stacked, Tensor single, int stackSize, int index, string name)
    {
        int dim = StackedDim(name, stacked, single, stackSize);
        return dim < 0 ? stacked : stacked.narrow(dim, index * single.shape[dim], single.shape[dim]);
    }

    /// <summary>The dimension along which the stack's tensor is K of the single model's; −1 when they are the same shape.</summary>
    private static int StackedDim(string name, Tensor stacked, Tensor single, int k)
    {
        if (stacked.shape.SequenceEqual(single.shape)) return -1;
        if (stacked.dim() == single.dim())
            for (int d = 0; d < stacked.dim(); d++)
                if (stacked.shape[d] == k * single.shape[d]
                    && Enumerable.Range(0, (int)stacked.dim()).All(o => o == d || stacked.shape[o] == single.shape[o]))
                    return d;
        throw new InvalidOperationException(
            $"'{name}': a stack of {k} holds [{string.Join(", ", stacked.shape)}], which is not {k} of [{string.Join(", ", single.shape)}] along one dimension");
    }
}
