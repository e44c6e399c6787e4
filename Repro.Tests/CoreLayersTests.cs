using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace Repro.Tests;

/// <summary>
/// Repro.Core's folders are layers — Platform, Data, Model, Losses/Metrics/Scores, Training, Runs, Experiments — and
/// a folder may use the ones below it only. Read from the compiled assembly, not the source text: every type's base
/// types, fields, signatures and every type, method and field its IL names, each charged to the folder of the
/// outermost type that holds it (lambdas and iterators compile to nested types).
/// </summary>
public class CoreLayersTests
{
    private static readonly string[] Order = ["Platform", "Data", "Model", "Losses", "Metrics", "Scores", "Training", "Runs", "Experiments"];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Fact]
    public void Core_folders_depend_only_on_the_layers_below_them()
    {
        var edges = Edges(typeof(ReproException).Assembly);
        var upward = edges.Where(e => Array.IndexOf(Order, e.Key.To) > Array.IndexOf(Order, e.Key.From))
            .Select(e => $"{e.Key.From} → {e.Key.To}: {string.Join(", ", e.Value.Order().Take(4))}").ToList();
        Assert.True(upward.Count == 0, "a Core folder uses one above it (layers, bottom up: " + string.Join(" < ", Order) + "):\n" + string.Join("\n", upward));
        var unknown = edges.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Except(Order).ToList();
        Assert.True(unknown.Count == 0, $"folders without a layer: {string.Join(", ", unknown)} — add them to {nameof(Order)}");
    }

    /// <summary>The test sees what it must: the layers' known uses downward are found.</summary>
    [Fact]
    public void The_reader_finds_uses_in_signatures_bodies_and_lambdas()
    {
        var edges = Edges(typeof(ReproException).Assembly);
        Assert.Contains(edges[("Training", "Model")], u => u.StartsWith("Trainer → "));
        Assert.Contains(edges[("Runs", "Training")], u => u.StartsWith("UnitRunner → "));
        Assert.Contains(edges[("Experiments", "Runs")], u => u.StartsWith("ExperimentRunner → "));
    }

    /// <summary>Folder → folder, with "Type → Type" examples, for every use across folders of Repro.Core.</summary>
    private static Dictionary<(string From, string To), HashSet<string>> Edges(Assembly core)
    {
        var edges = new Dictionary<(string, string), HashSet<string>>();
        foreach (var type in core.GetTypes())
        {
            var owner = Outermost(type);
            if (Folder(owner) is not { } from) continue;
            foreach (var used in Uses(type))
            {
                var target = Outermost(used);
                if (target.Assembly != core || Folder(target) is not { } to || to == from) continue;
                var key = (from, to);
                if (!edges.TryGetValue(key, out var examples)) edges[key] = examples = [];
                examples.Add($"{owner.Name} → {target.Name}");
            }
        }
        return edges;
    }

    private static Type Outermost(Type type)
    {
        while (type.IsGenericType && !type.IsGenericTypeDefinition) type = type.GetGenericTypeDefinition();
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>Repro.X's X; null for the root namespace and for compiler-made types outside any folder.</summary>
    private static string? Folder(Type type) =>
        type.Namespace is { } ns && ns.StartsWith("Repro.", StringComparison.Ordinal) ? ns["Repro.".Length..].Split('.')[0] : null;

    private static IEnumerable<Type> Uses(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            found.Add(t);
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) if (!a.IsGenericParameter) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(all)) Add(f.FieldType);
        foreach (var p in type.GetProperties(all)) Add(p.PropertyType);
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo m) Add(m.ReturnType);
            foreach (var p in method.GetParameters()) Add(p.ParameterType);
            var body = method.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var member in Tokens(method, body.GetILAsByteArray() ?? []))
                Add(member switch { Type t => t, MemberInfo mi => mi.DeclaringType, _ => null });
        }
        return found;
    }

    /// <summary>The members and types an IL body names through its inline tokens.</summary>
    private static IEnumerable<MemberInfo> Tokens(MethodBase method, byte[] il)
    {
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (ArgumentException) { }
                if (member is not null) yield return member;
            }
            i += size;
        }
    }
}
