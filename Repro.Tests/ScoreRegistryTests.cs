using Repro.Model;
using Repro.Scores;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests;

public class ScoreRegistryTests
{
    [Fact]
    public void Every_score_type_is_registered_once()
    {
        var types = typeof(IOodScore).Assembly.GetTypes()
            .Where(t => typeof(IOodScore).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        var created = ScoreRegistry.Create();
        Assert.Equal(types.OrderBy(t => t.Name), created.Select(s => s.GetType()).OrderBy(t => t.Name));
        Assert.Equal(created.Count, ScoreRegistry.Names.Distinct().Count());
        Assert.Equal(ScoreRegistry.Names, created.Select(s => s.Name));
        Assert.NotSame(created[0], ScoreRegistry.Create()[0]);   // fitted scores hold state: every unit gets its own
    }

    [Fact]
    public void Scores_compute_their_definitions_on_a_known_output()
    {
        using var scope = NewDisposeScope();
        var output = new ModelOutput(tensor(new float[] { 2, 0, 0, 1, 1, 1 }).view(2, 3), tensor(new float[] { 3, 4, 0, 1 }).view(2, 2));
        Assert.Equal([5f, 1f], ScoreRegistry.Get("feature_norm").Compute(output).data<float>().ToArray());
        Assert.Equal([2f, 1f], ScoreRegistry.Get("max_logit").Compute(output).data<float>().ToArray());
        var msp = ScoreRegistry.Get("msp").Compute(output).data<double>().ToArray();   // float64 by design
        Assert.Equal(Math.Exp(2) / (Math.Exp(2) + 2), msp[0], 5);
        Assert.Equal(1.0 / 3, msp[1], 5);
        var energy = ScoreRegistry.Get("energy").Compute(output).data<float>().ToArray();
        Assert.Equal(Math.Log(Math.Exp(2) + 2), energy[0], 5);
        Assert.Equal(1 + Math.Log(3), energy[1], 5);   // logsumexp([1, 1, 1])
    }

    [Fact]
    public void Unknown_score_lists_the_known_ones() =>
        Assert.Contains("feature_norm", Assert.Throws<KeyNotFoundException>(() => ScoreRegistry.Get("odin")).Message);
}
