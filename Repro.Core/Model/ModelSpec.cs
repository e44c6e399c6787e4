namespace Repro.Model;

public enum ActivationKind { ReLU, LeakyReLU }

/// <summary>Everything that decides the network's shape. Width 64 is the paper's ResNet18.</summary>
public sealed record ModelSpec(
    int InputChannels = 3,
    int NumClasses = 10,
    int Width = 64,
    ActivationKind Activation = ActivationKind.ReLU,
    FeatureNormMode FeatureNorm = FeatureNormMode.None,
    double FeatureNormEpsilon = 1e-12)
{
    /// <summary>Dimension of z: the last stage's width (8w) after global average pooling.</summary>
    public int FeatureDim => 8 * Width;
}
