namespace Repro.Model;

public enum ActivationKind { Relu, LeakyRelu }

/// <summary>
/// Everything that decides the network. Width 64 is the paper's ResNet18. With SpectralNorm every convolution is a
/// <see cref="SpectralNormConv2d"/> (BatchNorm and the final linear layer are not normalized, as in DDU); InputSize
/// (the square input's side) fixes each convolution's operator for the power iteration.
/// </summary>
public sealed record ModelSpec(
    int InputChannels = 3,
    int NumClasses = 10,
    int Width = 64,
    ActivationKind Activation = ActivationKind.Relu,
    FeatureNormMode FeatureNorm = FeatureNormMode.None,
    double FeatureNormEpsilon = 1e-12,
    bool SpectralNorm = false,
    double SpectralNormCoefficient = SpectralNormConv2d.DefaultCoefficient,
    int InputSize = 32,
    ComputePrecision Precision = ComputePrecision.Fp32)
{
    /// <summary>Dimension of z: the last stage's width (8w) after global average pooling.</summary>
    public int FeatureDim => 8 * Width;
}
