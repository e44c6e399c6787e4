namespace Repro.Metrics;

/// <summary>
/// The AUROC's own sampling error on the test sets (one trained model, the ID and OoD test images drawn anew):
/// DeLong, DeLong &amp; Clarke-Pearson (1988), Biometrics 44(3), by the structural components each sample contributes —
/// for an ID sample the share of OoD samples it outscores (ties ½), for an OoD sample the share of ID samples that
/// outscore it — Var = S_id/n_id + S_ood/n_ood with S the sample variances of those components. The components are
/// read off the pooled <see cref="ScoreRanking"/> (Sun &amp; Xu 2014 take the same counts from mid-ranks), O(n log n),
/// so 10,000 + 10,000 scores take milliseconds.
/// </summary>
public static class AurocError
{
    public static double StandardError(ReadOnlySpan<double> id, ReadOnlySpan<double> ood)
    {
        var ranking = new ScoreRanking(id, ood);
        if (id.Length < 2 || ood.Length < 2)
            throw new ArgumentException($"DeLong's variance needs two samples of each set, got {id.Length} ID and {ood.Length} OoD");
        int nId = id.Length, nOod = ood.Length;
        var idComponents = new double[nId];
        var oodComponents = new double[nOod];
        int idBelow = 0, oodBelow = 0;
        foreach (var group in ranking.Groups())
        {
            double idComponent = (oodBelow + group.Ood / 2.0) / nOod, oodComponent = 1 - (idBelow + group.Id / 2.0) / nId;
            // Stored by input position, so the variances' floating-point sums do not depend on how the sort ordered ties.
            foreach (int sample in ranking.Samples(group))
                if (sample < nId) idComponents[sample] = idComponent;
                else oodComponents[sample - nId] = oodComponent;
            idBelow += group.Id;
            oodBelow += group.Ood;
        }
        return Math.Sqrt(SampleVariance(idComponents) / nId + SampleVariance(oodComponents) / nOod);
    }

    private static double SampleVariance(double[] values)
    {
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
    }
}
