namespace Interplug.Runtime;

/// <summary>The WebAssembly number types a host function's parameters and results can have.</summary>
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
}
