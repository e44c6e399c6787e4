using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// An OoD score: one value per sample from a forward pass already made. Convention (as OpenOOD's postprocessors):
/// higher = more in-distribution. A new score is one small class implementing this, added to <see cref="ScoreRegistry"/>.
/// </summary>
public interface IOodScore
{
    /// <summary>Stable id used in configs, file columns and tables (snake_case).</summary>
    string Name { get; }
    Tensor Compute(ModelOutput output);
}
