using System.Globalization;

namespace Interplug.Runtime;

/// <summary>
/// One WebAssembly number passed to or returned from a host function of any signature: its
/// <see cref="Type"/> and its value. Numbers convert to it implicitly; reading it as another type
/// than its own throws, so a host function cannot misread an argument silently.
/// </summary>
public readonly struct WasmValue : IEquatable<WasmValue>
{
    private readonly long _bits;

    private WasmValue(WasmValueType type, long bits)
    {
        Type = type;
        _bits = bits;
    }

    /// <summary>The value's type. The default value is the <see cref="WasmValueType.I32"/> 0.</summary>
    public WasmValueType Type { get; }

    /// <summary>An <c>i32</c>.</summary>
    public static WasmValue FromInt32(int value) => new(WasmValueType.I32, value);

    /// <summary>An <c>i64</c>.</summary>
    public static WasmValue FromInt64(long value) => new(WasmValueType.I64, value);

    /// <summary>An <c>f32</c>.</summary>
    public static WasmValue FromFloat32(float value) => new(WasmValueType.F32, BitConverter.SingleToInt32Bits(value));

    /// <summary>An <c>f64</c>.</summary>
    public static WasmValue FromFloat64(double value) => new(WasmValueType.F64, BitConverter.DoubleToInt64Bits(value));

    /// <summary>The zero of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a number type.</exception>
    public static WasmValue Zero(WasmValueType type) => type is WasmValueType.I32 or WasmValueType.I64 or WasmValueType.F32 or WasmValueType.F64
        ? new(type, 0)
        : throw new ArgumentException($"a WasmValue is a number (i32, i64, f32, f64), not {Name(type)}", nameof(type));

    /// <summary>An <c>i32</c>.</summary>
    public static implicit operator WasmValue(int value) => FromInt32(value);

    /// <summary>An <c>i64</c>.</summary>
    public static implicit operator WasmValue(long value) => FromInt64(value);

    /// <summary>An <c>f32</c>.</summary>
    public static implicit operator WasmValue(float value) => FromFloat32(value);

    /// <summary>An <c>f64</c>.</summary>
    public static implicit operator WasmValue(double value) => FromFloat64(value);

    /// <summary>Whether two values have the same type and the same bits.</summary>
    public static bool operator ==(WasmValue left, WasmValue right) => left.Equals(right);

    /// <summary>Whether two values differ in type or bits.</summary>
    public static bool operator !=(WasmValue left, WasmValue right) => !left.Equals(right);

    /// <summary>The value of an <c>i32</c>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another type.</exception>
    public int AsInt32() => (int)Bits(WasmValueType.I32);

    /// <summary>The value of an <c>i64</c>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another type.</exception>
    public long AsInt64() => Bits(WasmValueType.I64);

    /// <summary>The value of an <c>f32</c>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another type.</exception>
    public float AsFloat32() => BitConverter.Int32BitsToSingle((int)Bits(WasmValueType.F32));

    /// <summary>The value of an <c>f64</c>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another type.</exception>
    public double AsFloat64() => BitConverter.Int64BitsToDouble(Bits(WasmValueType.F64));

    /// <inheritdoc />
    public bool Equals(WasmValue other) => Type == other.Type && _bits == other._bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WasmValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, _bits);

    /// <summary>The value as wasm text writes it, such as <c>i64 42</c>.</summary>
    public override string ToString() => Type switch
    {
        WasmValueType.I32 => $"i32 {AsInt32().ToString(CultureInfo.InvariantCulture)}",
        WasmValueType.I64 => $"i64 {AsInt64().ToString(CultureInfo.InvariantCulture)}",
        WasmValueType.F32 => $"f32 {AsFloat32().ToString(CultureInfo.InvariantCulture)}",
        _ => $"f64 {AsFloat64().ToString(CultureInfo.InvariantCulture)}",
    };

    private long Bits(WasmValueType expected) =>
        Type == expected ? _bits : throw new InvalidOperationException($"the value is {Name(Type)}, not {Name(expected)}");

    internal static string Name(WasmValueType type) => type switch
    {
        WasmValueType.I32 => "i32",
        WasmValueType.I64 => "i64",
        WasmValueType.F32 => "f32",
        WasmValueType.F64 => "f64",
        WasmValueType.V128 => "v128",
        WasmValueType.FuncRef => "funcref",
        WasmValueType.ExternRef => "externref",
        _ => "anyref",
    };
}
