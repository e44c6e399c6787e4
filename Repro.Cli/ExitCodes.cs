namespace Repro.Cli;

/// <summary>What `repro` exits with.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A clear error (bad input, missing data, a refused overwrite) or a command-line mistake.</summary>
    public const int Failed = 1;
    /// <summary>No verb given: the help was printed.</summary>
    public const int Usage = 2;
    /// <summary>The run finished, but one or more of its units failed (the others are complete).</summary>
    public const int UnitsFailed = 3;
    /// <summary>`repro compare` judged a difference beyond the device's noise, or an equivalence not shown.</summary>
    public const int NotWithin = 4;
    /// <summary>A bug: the message and the trace are printed.</summary>
    public const int Unexpected = 70;
}
