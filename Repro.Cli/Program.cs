using System.Globalization;
using Repro.Cli;

// `repro`: the verbs and the error handling live in ReproCommand.cs (the tests call it in process too).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return ReproCommand.Run(args);
