namespace Repro.Training;

/// <summary>One line of the training curve.</summary>
public sealed record EpochRecord(int Epoch, double LearningRate, double Loss, double Accuracy, double Seconds, double ImagesPerSecond);
