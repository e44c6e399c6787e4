using System.Security.Cryptography;

namespace Repro.Data;

/// <summary>What a unit trained on, as recorded in its metrics.json: how many images, how many held out, and a hash of the trained indices.</summary>
public sealed record TrainingSplitRecord(double ValidationFraction, int Seed, int Trained, int HeldOut, string TrainIndicesSha256);

/// <summary>
/// Which training images a run trains on. With a validation fraction f, DDU's split (train.py →
/// get_train_valid_loader(val_size = f, val_seed = seed)): indices 0..n−1 shuffled by numpy's legacy generator seeded
/// with the run's seed, the first ⌊f·n⌋ held out. Trained indices are kept in ascending order (DDU samples them at
/// random each epoch, so their order carries nothing); a train subset takes the first N of them.
/// </summary>
public sealed record TrainingSplit(int[] Trained, int[] HeldOut, TrainingSplitRecord Record)
{
    /// <param name="trainSubset">Train on the first N of the trained indices only (null: all).</param>
    public static TrainingSplit For(int seed, double validationFraction, int? trainSubset, int trainingImages)
    {
        var order = Enumerable.Range(0, trainingImages).ToArray();
        int heldOut = (int)Math.Floor(validationFraction * trainingImages);
        if (heldOut > 0) new NumpyLegacyRandom(checked((uint)seed)).Shuffle(order);
        var trained = order[heldOut..];
        Array.Sort(trained);
        if (trainSubset is { } subset && subset < trained.Length) trained = trained[..subset];
        var held = order[..heldOut];
        return new TrainingSplit(trained, held, new TrainingSplitRecord(validationFraction, seed, trained.Length, held.Length, Hash(trained)));
    }

    /// <summary>The images trained on: the set itself when that is all of it (ascending distinct indices of all of it are 0..n−1).</summary>
    public ImageSet TrainingImages(ImageSet all) => Trained.Length == all.Count ? all : all.Select(Trained);

    /// <summary>SHA-256 of the trained indices as little-endian int32s, in ascending order.</summary>
    public static string Hash(IReadOnlyList<int> indices)
    {
        var bytes = new byte[indices.Count * sizeof(int)];
        for (int i = 0; i < indices.Count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * sizeof(int)), indices[i]);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("index hashes are defined on little-endian machines");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
