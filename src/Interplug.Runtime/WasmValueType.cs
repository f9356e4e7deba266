namespace Interplug.Runtime;

/// <summary>
/// WebAssembly value types: the four numbers a <see cref="HostFunction"/> takes and returns, and
/// the vector and reference types that only appear in a <see cref="PluginImport"/>'s signature.
/// </summary>
public enum WasmValueType
{
    /// <summary><c>i32</c>, a 32-bit integer (<see cref="int"/>).</summary>
    I32,

    /// <summary><c>i64</c>, a 64-bit integer (<see cref="long"/>); by Extism convention also a kernel memory handle.</summary>
    I64,

    /// <summary><c>f32</c>, a 32-bit float (<see cref="float"/>).</summary>
    F32,

    /// <summary><c>f64</c>, a 64-bit float (<see cref="double"/>).</summary>
    F64,

    /// <summary><c>v128</c>, a SIMD vector. Seen in <see cref="PluginImport"/> signatures; a <see cref="HostFunction"/> cannot take or return one.</summary>
    V128,

    /// <summary><c>funcref</c>, a function reference. Seen in <see cref="PluginImport"/> signatures; a <see cref="HostFunction"/> cannot take or return one.</summary>
    FuncRef,

    /// <summary><c>externref</c>, a host reference. Seen in <see cref="PluginImport"/> signatures; a <see cref="HostFunction"/> cannot take or return one.</summary>
    ExternRef,

    /// <summary><c>anyref</c>, any reference. Seen in <see cref="PluginImport"/> signatures; a <see cref="HostFunction"/> cannot take or return one.</summary>
    AnyRef,
}
