namespace Repro.Scores;

/// <summary>
/// A score with a fit step: it first sees the in-distribution training set as the trained model does at test time
/// (<see cref="IdTrainingFeatures"/>), then scores any set from its forward pass. Fresh instances come from
/// <see cref="ScoreRegistry.Create"/>; an instance holds its fitted tensors until disposed.
/// </summary>
public interface IFittedScore : IOodScore, IDisposable
{
    void Fit(IdTrainingFeatures id);
}
