namespace Repro.Metrics;

/// <summary>
/// The ID and OoD scores ranked together as groups of tied scores: the one ranking <see cref="Auroc"/>,
/// <see cref="RocCurve"/>, <see cref="AurocError"/> and <see cref="Aupr"/> are read from. A tied group is taken whole,
/// which is where each of them gives a tied (ID, OoD) pair its ½.
/// </summary>
internal sealed class ScoreRanking
{
    private readonly double[] scores;
    private readonly int[] samples;
    private readonly int idCount;

    public ScoreRanking(ReadOnlySpan<double> id, ReadOnlySpan<double> ood)
    {
        ScoreChecks.Require(id, ood);
        idCount = id.Length;
        scores = new double[id.Length + ood.Length];
        id.CopyTo(scores);
        ood.CopyTo(scores.AsSpan(id.Length));
        samples = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(scores, samples);
    }

    /// <summary>The groups of tied scores, lowest score first (or highest first), found as they are read.</summary>
    public IEnumerable<TiedGroup> Groups(bool highestFirst = false)
    {
        if (!highestFirst)
            for (int start = 0, end; start < scores.Length; start = end)
            {
                int ids = 0;
                for (end = start; end < scores.Length && scores[end] == scores[start]; end++) if (samples[end] < idCount) ids++;
                yield return new TiedGroup(start, end, ids);
            }
        else
            for (int end = scores.Length, start; end > 0; end = start)
            {
                int ids = 0;
                for (start = end; start > 0 && scores[start - 1] == scores[end - 1]; start--) if (samples[start - 1] < idCount) ids++;
                yield return new TiedGroup(start, end, ids);
            }
    }

    /// <summary>The samples in <paramref name="group"/>, as input positions: ID 0 .. ID count − 1, then OoD.</summary>
    public ReadOnlySpan<int> Samples(TiedGroup group) => samples.AsSpan(group.Start, group.End - group.Start);
}

/// <summary>Positions Start .. End − 1 of the ranking, one score; <see cref="Id"/> of its samples are ID, the rest OoD.</summary>
internal readonly record struct TiedGroup(int Start, int End, int Id)
{
    public int Ood => End - Start - Id;

    /// <summary>The mean of the 1-based ranks the group spans: the rank each of its samples gets.</summary>
    public double MidRank => (Start + 1 + End) / 2.0;
}
