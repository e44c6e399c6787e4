namespace Repro.Experiments;

/// <summary>
/// A claim judged, with <see cref="Judgement"/> saying how, in words. Bands format 2: by the one-sided paired t-test
/// over the seeds both cells share (<see cref="Test"/>) at the file's α, because a difference of means says nothing
/// about whether another draw of seeds would keep it; Missing with fewer than two shared seeds, which have no spread to
/// test against. Format 1 (files from before the test): on the seeds' means alone, left ≥ right + margin, as such files
/// were always judged, with the two-sided paired comparison beside it (<see cref="Paired"/>). Beside either, each side's
/// test-set error (half the 95% interval of one seed's AUROC, DeLong), so a reader sees whether seeds or test images
/// dominate the noise.
/// </summary>
public sealed record ClaimVerdict(Claim Claim, double? Left, double? Right, Verdict Verdict, string Judgement,
    OneSidedPairedTest? Test = null, PairedDifference? Paired = null,
    double? LeftOneSeedTestSetHalfWidth = null, double? RightOneSeedTestSetHalfWidth = null)
{
    /// <param name="left">The left cell (a row's own score on an OoD set); null when the table has no such cell.</param>
    public static ClaimVerdict Of(Claim claim, ScoreSeeds? left, ScoreSeeds? right, ToleranceBands bands)
    {
        double? leftMean = left?.Auroc.Spread?.Avg, rightMean = right?.Auroc.Spread?.Avg;
        var shared = left is null || right is null ? []
            : left.Auroc.PerSeed.Select(v => v.Seed).Intersect(right.Auroc.PerSeed.Select(v => v.Seed)).Order().ToList();
        var verdict = new ClaimVerdict(claim, leftMean, rightMean, Verdict.Missing, "",
            LeftOneSeedTestSetHalfWidth: left?.OneSeedTestSetHalfWidth, RightOneSeedTestSetHalfWidth: right?.OneSeedTestSetHalfWidth);
        if (leftMean is null || rightMean is null)
            return verdict with { Judgement = $"missing: no finished seed of {(leftMean is null ? claim.Left : claim.Right).Row} on {(leftMean is null ? claim.Left : claim.Right).Ood}" };

        if (bands.Format == 1)
        {
            double difference = leftMean.Value - rightMean.Value;
            bool holds = leftMean >= rightMean + claim.Margin;
            return verdict with
            {
                Verdict = holds ? Verdict.Within : Verdict.Outside,
                Judgement = FormattableString.Invariant(
                    $"judged on the means (bands format 1): difference {difference:+0.000;−0.000;0.000} {(holds ? "≥" : "<")} margin {claim.Margin:0.000}"),
                Paired = shared.Count < 2 ? null : SeedStatistics.Compare(left!.Auroc, right!.Auroc, claim.Margin),
            };
        }
        if (shared.Count < 2)
            return verdict with
            {
                Judgement = $"missing: {claim.Left.Row} and {claim.Right.Row} share {(shared.Count == 0 ? "no seed" : $"only seed {shared[0]}")}; " +
                            "the one-sided paired t-test needs two",
            };
        var test = SeedStatistics.TestAbove(left!.Auroc, right!.Auroc, claim.Margin, bands.ClaimAlpha);
        return verdict with { Verdict = test.Supported ? Verdict.Within : Verdict.Outside, Judgement = test.Describe(), Test = test };
    }

    /// <summary>The statistics after the judgement, for tables and the report; null when there are none.</summary>
    public string? Statistics
    {
        get
        {
            var parts = new List<string>();
            if (Paired is { } p) parts.Add(p.Describe());
            if (LeftOneSeedTestSetHalfWidth is { } l && RightOneSeedTestSetHalfWidth is { } r)
                parts.Add(FormattableString.Invariant($"one seed's AUROC from its test sets alone ±{l:0.000} vs ±{r:0.000} (DeLong, 95%)"));
            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
    }
}
