using Repro.Data;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>DDU's held-out split, drawn by numpy's legacy generator: checked against values numpy itself prints.</summary>
public class TrainingSplitTests
{
    [Fact]
    public void Mersenne_twister_gives_the_reference_first_output()
    {
        // Matsumoto & Nishimura's mt19937ar.c, init_genrand(5489): the first genrand_int32() is 3499211612.
        Assert.Equal(3499211612u, new NumpyLegacyRandom(5489).NextUInt32());
    }

    [Theory]
    // `np.random.seed(s); np.random.random()`, as printed by numpy (and quoted in countless tutorials).
    [InlineData(0u, 0.5488135039273248)]
    [InlineData(42u, 0.3745401188473625)]
    public void Random_double_equals_numpys(uint seed, double expected) =>
        Assert.Equal(expected, new NumpyLegacyRandom(seed).NextDouble());

    [Theory]
    // `np.random.seed(s); np.random.permutation(10)`: arange(10) shuffled by the same Fisher–Yates as np.random.shuffle.
    [InlineData(0u, new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 })]
    [InlineData(42u, new[] { 8, 1, 5, 0, 7, 2, 9, 4, 3, 6 })]
    public void Shuffle_equals_numpys_permutation(uint seed, int[] expected)
    {
        var items = Enumerable.Range(0, 10).ToArray();
        new NumpyLegacyRandom(seed).Shuffle(items);
        Assert.Equal(expected, items);
    }

    [Fact]
    public void Ddus_split_of_ten_images_holds_out_the_first_shuffled_indices()
    {
        // DDU: indices = list(range(10)); np.random.seed(0); np.random.shuffle(indices); valid = indices[:3].
        var split = (new RunConfig { ValidationFraction = 0.3, Seed = 0 }).TrainingSplit(10);
        Assert.Equal([2, 8, 4], split.HeldOut);
        Assert.Equal([0, 1, 3, 5, 6, 7, 9], split.Trained);
        Assert.Equal((7, 3), (split.Record.Trained, split.Record.HeldOut));
    }

    [Fact]
    public void Cifar_sized_split_trains_on_45000_disjoint_from_5000_and_depends_on_the_seed()
    {
        var a = (new RunConfig { ValidationFraction = 0.1, Seed = 3 }).TrainingSplit(50_000);
        Assert.Equal((45_000, 5_000), (a.Trained.Length, a.HeldOut.Length));
        Assert.Equal(Enumerable.Range(0, 50_000), a.Trained.Concat(a.HeldOut).Order());
        Assert.Equal(a.Trained.Order(), a.Trained);

        var again = (new RunConfig { ValidationFraction = 0.1, Seed = 3 }).TrainingSplit(50_000);
        var other = (new RunConfig { ValidationFraction = 0.1, Seed = 4 }).TrainingSplit(50_000);
        Assert.Equal(a.Record.TrainIndicesSha256, again.Record.TrainIndicesSha256);
        Assert.NotEqual(a.Record.TrainIndicesSha256, other.Record.TrainIndicesSha256);
        Assert.NotEqual(a.HeldOut.Order(), other.HeldOut.Order());
    }

    [Fact]
    public void Without_a_fraction_every_image_is_trained_on_and_a_subset_takes_the_first()
    {
        var all = (new RunConfig { Seed = 9 }).TrainingSplit(1_000);
        Assert.Equal(Enumerable.Range(0, 1_000), all.Trained);
        Assert.Empty(all.HeldOut);
        // The hash is of the indices as little-endian int32s: 0..999 hashes like the bytes written out by hand here.
        var bytes = Enumerable.Range(0, 1_000).SelectMany(BitConverter.GetBytes).ToArray();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), all.Record.TrainIndicesSha256);

        var subset = (new RunConfig { Seed = 9, ValidationFraction = 0.5, TrainSubset = 10 }).TrainingSplit(1_000);
        Assert.Equal(10, subset.Trained.Length);
        Assert.Equal(500, subset.HeldOut.Length);
        Assert.Empty(subset.Trained.Intersect(subset.HeldOut));
        Assert.Equal(subset.Trained.Order(), subset.Trained);
    }

    [Fact]
    public void Training_images_are_the_split_s_images_with_their_labels()
    {
        var pixels = Enumerable.Range(0, 10 * 4).Select(i => (byte)i).ToArray();
        var set = new ImageSet("fashion-mnist", pixels, Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), 1, 2, 2, 10);
        var split = (new RunConfig { ValidationFraction = 0.3, Seed = 0 }).TrainingSplit(10);
        var trained = split.TrainingImages(set);
        Assert.Equal([0L, 1, 3, 5, 6, 7, 9], trained.Labels);
        Assert.Equal(new byte[] { 12, 13, 14, 15 }, trained.Pixels[8..12]);   // third trained image is image 3
        Assert.Same(set, new RunConfig().TrainingSplit(10).TrainingImages(set));
    }
}
