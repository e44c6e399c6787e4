using Xunit.Abstractions;
using Xunit.Sdk;

namespace Repro.Tests.Reproduction;

/// <summary>A test's place in its class when the class uses <see cref="RunInOrder"/>; lower runs first.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OrderAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}

/// <summary>
/// Runs a class's tests in their [Order] order. xunit's default order is unspecified, and the reproduction's verdict
/// must come after the training in the same `dotnet test --filter Category=Repro`.
/// </summary>
public sealed class RunInOrder : ITestCaseOrderer
{
    public const string TypeName = "Repro.Tests.Reproduction.RunInOrder";
    public const string Assembly = "Repro.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(OrderAttribute).AssemblyQualifiedName)
                .FirstOrDefault()?.GetNamedArgument<int>(nameof(OrderAttribute.Order)) ?? int.MaxValue)
            .ThenBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
