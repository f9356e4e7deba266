using System.Reflection;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>The public API of Interplug.Runtime and Interplug.Host is Interplug's own: no engine type shows through.</summary>
public sealed class PublicApiTests
{
    private const BindingFlags Visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void No_public_member_mentions_a_Wasmtime_type()
    {
        var leaks = new[] { typeof(PluginRuntime).Assembly, typeof(PluginHost).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .SelectMany(Leaks)
            .ToList();

        Assert.True(leaks.Count == 0, "public API mentions Wasmtime:\n" + string.Join("\n", leaks));
    }

    [Fact]
    public void The_check_sees_a_Wasmtime_type_in_a_generic_argument()
    {
        Assert.True(Mentions(typeof(Func<IReadOnlyList<Wasmtime.ValueKind>, int>)));
        Assert.False(Mentions(typeof(Func<IReadOnlyList<WasmValueType>, int>)));
    }

    private static IEnumerable<string> Leaks(Type type)
    {
        if (type.BaseType is { } baseType && Mentions(baseType))
            yield return $"{type}: base type {baseType}";
        foreach (var implemented in type.GetInterfaces().Where(Mentions))
            yield return $"{type}: implements {implemented}";
        foreach (var member in type.GetMembers(Visible).Where(IsVisible))
        {
            foreach (var used in TypesOf(member).Where(Mentions))
                yield return $"{type}.{member.Name}: {used}";
        }
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(IsVisible),
        EventInfo e => e.AddMethod is { } add && IsVisible(add),
        _ => false, // nested types are checked as exported types of their own
    };

    private static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType), .. m.GetGenericArguments().SelectMany(g => g.GetGenericParameterConstraints())],
        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        PropertyInfo p => [p.PropertyType, .. p.GetIndexParameters().Select(i => i.ParameterType)],
        FieldInfo f => [f.FieldType],
        EventInfo e => e.EventHandlerType is { } handler ? [handler] : [],
        _ => [],
    };

    private static bool Mentions(Type type)
    {
        if (type.HasElementType)
            return Mentions(type.GetElementType()!);
        if (type.IsGenericType && !type.IsGenericTypeDefinition && type.GetGenericArguments().Any(Mentions))
            return true;
        return type.Namespace is { } ns && (ns == "Wasmtime" || ns.StartsWith("Wasmtime.", StringComparison.Ordinal));
    }
}
