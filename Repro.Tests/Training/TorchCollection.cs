using Xunit;

namespace Repro.Tests.Training;

/// <summary>TorchSharp tests share global state (manual_seed, thread-level dispose statistics): run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class TorchCollection { public const string Name = "torch"; }
