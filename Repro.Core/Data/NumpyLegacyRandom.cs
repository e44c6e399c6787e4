namespace Repro.Data;

/// <summary>
/// numpy's legacy generator as `np.random.seed(s)` leaves it (MT19937 seeded by init_genrand, numpy's
/// `mt19937_seed`) and its `shuffle` (Fisher–Yates from the end, each index drawn by `random_interval`: 32-bit draws
/// masked to the smallest covering power of two, redrawn until ≤ i). DDU draws its held-out split with exactly these
/// calls (data/ood_detection/cifar10.py), so the same seed holds out the same 5,000 images here as there.
/// </summary>
public sealed class NumpyLegacyRandom
{
    private const int N = 624, M = 397;
    private readonly uint[] state = new uint[N];
    private int position;

    public NumpyLegacyRandom(uint seed)
    {
        state[0] = seed;
        for (int i = 1; i < N; i++) state[i] = 1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + (uint)i;
        position = N;
    }

    public uint NextUInt32()
    {
        if (position >= N) Regenerate();
        uint y = state[position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        return y ^ (y >> 18);
    }

    /// <summary>`np.random.random()`: 53 random bits from two draws.</summary>
    public double NextDouble()
    {
        ulong a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>numpy's `random_interval(max)`: uniform on [0, max] by masked rejection.</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary>`np.random.shuffle(x)` in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)Interval((uint)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void Regenerate()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (state[i] & 0x80000000u) | (state[(i + 1) % N] & 0x7fffffffu);
            state[i] = state[(i + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0u);
        }
        position = 0;
    }
}
