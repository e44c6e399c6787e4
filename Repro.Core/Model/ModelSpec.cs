namespace Repro.Model;

public enum ActivationKind { Relu, LeakyRelu }

/// <summary>How a residual block whose shape changes carries x to its output.</summary>
public enum ShortcutKind
{
    /// <summary>1×1 convolution (stride s) + BatchNorm: He et al.'s projection, torchvision's and LogitNorm's ResNet18.</summary>
    Conv,
    /// <summary>DDU's `-mod` shortcut (net/resnet.py, AvgPoolShortCut): average pooling by the stride, then zero
    /// channels up to the block's width. No weights, so nothing on it is spectrally normalized.</summary>
    Avgpool,
}

/// <summary>
/// Everything that decides the network, and the one place each model setting's default is written (RunConfig takes
/// its model defaults from here and maps a row to its spec in RunConfig.ModelSpecFor). Width 64 is the paper's
/// ResNet18. With SpectralNorm every convolution is a
/// <see cref="SpectralNormConv2d"/> (BatchNorm and the final linear layer are not normalized, as in DDU); InputSize
/// (the square input's side) fixes each convolution's operator for the power iteration. Shortcut chooses the
/// projection of the blocks that change shape; FeatureNormTemperature is τ of the train-time normalization z/(‖z‖·τ).
/// Stack K &gt; 1 computes K independent models of this spec as one network (HFTA, Wang et al. 2021): every
/// convolution grouped over K channel blocks, BatchNorm over K·C channels, one classifier per model; input, z and
/// logits carry the K models side by side in their channel/feature dimension (see <see cref="ResNet18"/>).
/// </summary>
public sealed record ModelSpec(
    int InputChannels = 3,
    int NumClasses = 10,
    int Width = 64,
    ActivationKind Activation = ActivationKind.Relu,
    FeatureNormMode FeatureNorm = FeatureNormMode.None,
    double FeatureNormEpsilon = FeatureNormalization.DefaultEpsilon,
    double FeatureNormTemperature = FeatureNormalization.DefaultTemperature,
    ShortcutKind Shortcut = ShortcutKind.Conv,
    bool SpectralNorm = false,
    double SpectralNormCoefficient = SpectralNormConv2d.DefaultCoefficient,
    int InputSize = 32,
    ComputePrecision Precision = ComputePrecision.Fp32,
    int Stack = 1)
{
    /// <summary>Dimension of z: the last stage's width (8w) after global average pooling.</summary>
    public int FeatureDim => 8 * Width;
}
