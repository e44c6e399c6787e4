using Repro.Data;
using Xunit;

namespace Repro.Tests.Data;

public class ImageSetTests
{
    private static ImageSet Digits(int count) =>
        new("digits", Enumerable.Range(0, count).Select(i => (byte)i).ToArray(), Enumerable.Range(0, count).Select(i => (long)i).ToArray(), 1, 1, 1, count);

    [Fact]
    public void An_evenly_spaced_subset_takes_every_count_over_n_th_image()
    {
        var subset = Digits(10).EvenlySpaced(4);
        Assert.Equal([0L, 2, 5, 7], subset.Labels);   // ⌊i·10/4⌋
        Assert.Equal(new byte[] { 0, 2, 5, 7 }, subset.Pixels);
    }

    [Fact]
    public void No_subset_or_one_as_large_as_the_set_is_the_set_itself()
    {
        var set = Digits(5);
        Assert.Same(set, set.EvenlySpaced(null));
        Assert.Same(set, set.EvenlySpaced(5));
        Assert.Same(set, set.EvenlySpaced(9));
    }
}
