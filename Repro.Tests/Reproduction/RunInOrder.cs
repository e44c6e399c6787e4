using System.Reflection;
using Xunit.Sdk;
using Xunit.v3;

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
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases) where TTestCase : notnull, ITestCase =>
        testCases.OrderBy(t => (t as IXunitTestCase)?.TestMethod.Method.GetCustomAttribute<OrderAttribute>()?.Order ?? int.MaxValue)
            .ThenBy(t => t.TestMethodName, StringComparer.Ordinal)
            .ToList();
}
