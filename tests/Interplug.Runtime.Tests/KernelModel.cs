using System.Buffers.Binary;
using System.Text;

namespace Interplug.Runtime.Tests;

/// <summary>What one step of <see cref="KernelModelTests"/>' interpreter plugin does; A, B and C are its operands.</summary>
internal enum KernelOpCode
{
    /// <summary>Slot A := alloc(B), every byte set to C.</summary>
    Alloc = 0,

    /// <summary>free(slot A + B): a double free when the slot was freed, a forged one when B is not 0.</summary>
    Free = 1,

    /// <summary>Byte C at offset B (modulo the length) of slot A's block, when it is live.</summary>
    Store = 2,

    /// <summary>Slot A := config_get("greeting"); the plugin frees the key too when B is not 0.</summary>
    ConfigGet = 3,

    /// <summary>var_set("k", slot A) when the slot is live; the plugin frees key and value too when B is not 0.</summary>
    VarSet = 4,

    /// <summary>Slot A := var_get("k"); the plugin frees the key too when B is not 0.</summary>
    VarGet = 5,

    /// <summary>Slot A := a copy of slot B's block made by a host function (a host read and write), when slot B is live.</summary>
    Echo = 6,

    /// <summary>log_info(slot A) when the slot is live.</summary>
    Log = 7,

    /// <summary>free(input_offset()).</summary>
    FreeInput = 8,
}

/// <summary>One step of the interpreter plugin's program: 32 bytes of input.</summary>
internal readonly record struct KernelOp(KernelOpCode Code, long A, long B, long C)
{
    public const int Size = 32;

    public static byte[] Encode(IReadOnlyList<KernelOp> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * Size);
            BinaryPrimitives.WriteInt64LittleEndian(span, (long)program[i].Code);
            BinaryPrimitives.WriteInt64LittleEndian(span[8..], program[i].A);
            BinaryPrimitives.WriteInt64LittleEndian(span[16..], program[i].B);
            BinaryPrimitives.WriteInt64LittleEndian(span[24..], program[i].C);
        }
        return bytes;
    }

    public override string ToString() => $"{Code}({A}, {B}, {C})";
}

/// <summary>
/// The reference model of the kernel's block memory: which blocks are live and what each holds.
/// It replays a program against the trace the interpreter plugin recorded and throws at the first
/// step where the kernel disagrees: a new block overlapping a live one (the input included), a
/// live block whose length or contents changed, an input that changed, or a failed allocation.
/// </summary>
/// <remarks>
/// Host functions follow the rule the host promises: a result block is new, and the argument
/// blocks the host consumes are freed after it. A free of a handle that is not a live block
/// changes nothing; the input block can never be freed.
/// </remarks>
internal sealed class KernelModel
{
    public const int Slots = 8;
    public const string ConfigKey = "greeting";
    public const string ConfigValue = "hello";

    private static readonly byte[] ConfigKeyBytes = Encoding.UTF8.GetBytes(ConfigKey);
    private static readonly byte[] ConfigValueBytes = Encoding.UTF8.GetBytes(ConfigValue);
    private static readonly byte[] VarKeyBytes = "k"u8.ToArray();

    private readonly Dictionary<long, byte[]> _live = [];
    private readonly long[] _slots = new long[Slots];
    private readonly byte[] _input;
    private readonly long _inputHandle;
    private byte[]? _var;
    private long[] _trace = [];
    private int _next;
    private int _step;

    private KernelModel(byte[] input, long inputHandle)
    {
        _input = input;
        _inputHandle = inputHandle;
    }

    /// <summary>Replays <paramref name="program"/> against <paramref name="trace"/>; throws where they disagree.</summary>
    public static void Check(IReadOnlyList<KernelOp> program, byte[] trace)
    {
        var values = new long[trace.Length / 8];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(trace.AsSpan(i * 8));
        var model = new KernelModel(KernelOp.Encode(program), values[0]) { _trace = values, _next = 1 };
        foreach (var op in program)
        {
            model.Apply(op);
            model.CheckState(op);
            model._step++;
        }
    }

    /// <summary>The interpreter's hash of a block: acc = acc * 31 + byte, wrapping.</summary>
    public static long Hash(ReadOnlySpan<byte> bytes)
    {
        long acc = 0;
        foreach (var b in bytes)
            acc = unchecked((acc * 31) + b);
        return acc;
    }

    private void Apply(KernelOp op)
    {
        var slot = (int)(op.A & (Slots - 1));
        switch (op.Code)
        {
            case KernelOpCode.Alloc:
                _slots[slot] = Fresh(Enumerable.Repeat((byte)op.C, (int)op.B).ToArray(), op);
                break;
            case KernelOpCode.Free:
                Free(_slots[slot] + op.B);
                break;
            case KernelOpCode.Store:
                if (_live.TryGetValue(_slots[slot], out var block))
                    block[(int)((ulong)op.B % (ulong)block.Length)] = (byte)op.C;
                break;
            case KernelOpCode.ConfigGet:
                _slots[slot] = HostCall(ConfigKeyBytes, ConfigValueBytes, op);
                break;
            case KernelOpCode.VarSet:
                VarSet(_slots[slot], op);
                break;
            case KernelOpCode.VarGet:
                _slots[slot] = HostCall(VarKeyBytes, _var, op);
                break;
            case KernelOpCode.Echo:
                var source = _slots[(int)(op.B & (Slots - 1))];
                _slots[slot] = _live.TryGetValue(source, out var original) ? Fresh(original, op) : Expect(0, "echo of a dead block", op);
                break;
            case KernelOpCode.Log:
                Free(_slots[slot]);
                break;
            case KernelOpCode.FreeInput:
                break;
            default:
                throw new InvalidOperationException($"unknown op {op}");
        }
    }

    // config_get and var_get: the plugin allocates the key, the host returns a new block (or 0) and frees the key after.
    private long HostCall(byte[] key, byte[]? value, KernelOp op)
    {
        var keyHandle = Fresh(key, op);
        var result = value is null ? Expect(0, "a missing value", op) : Fresh(value, op);
        _live.Remove(keyHandle);
        if (op.B != 0)
            Free(keyHandle);
        return result;
    }

    private void VarSet(long valueHandle, KernelOp op)
    {
        var keyHandle = Fresh(VarKeyBytes, op);
        if (_live.TryGetValue(valueHandle, out var value))
        {
            _var = [.. value];
            _live.Remove(valueHandle);
            _live.Remove(keyHandle);
        }
        if (op.B != 0)
        {
            Free(keyHandle);
            Free(valueHandle);
        }
    }

    private void Free(long handle) => _live.Remove(handle);

    private long Fresh(byte[] contents, KernelOp op)
    {
        var handle = Next();
        if (handle == 0)
            Fail($"a {contents.Length}-byte block could not be allocated", op);
        Overlaps(handle, contents.Length, _inputHandle, _input.Length, "the input", op);
        foreach (var (other, bytes) in _live)
            Overlaps(handle, contents.Length, other, bytes.Length, $"live block {other}", op);
        _live[handle] = [.. contents]; // a copy: stores change it, and the key arrays are shared
        return handle;
    }

    private void Overlaps(long handle, long length, long other, long otherLength, string what, KernelOp op)
    {
        if (handle < other + otherLength && other < handle + length)
            Fail($"new block [{handle}, +{length}) overlaps {what} [{other}, +{otherLength})", op);
    }

    private long Expect(long expected, string what, KernelOp op)
    {
        var actual = Next();
        if (actual != expected)
            Fail($"expected {expected} for {what}, got {actual}", op);
        return actual;
    }

    private void CheckState(KernelOp op)
    {
        for (var s = 0; s < Slots; s++)
        {
            var contents = _live.GetValueOrDefault(_slots[s]) ?? [];
            var length = Next();
            var hash = Next();
            if (length != contents.Length || hash != Hash(contents))
                Fail($"slot {s} (handle {_slots[s]}) should hold {contents.Length} bytes with hash {Hash(contents)}, the kernel says {length} bytes with hash {hash}", op);
        }
        if (Next() != Hash(_input))
            Fail("the input changed", op);
    }

    private long Next() => _trace[_next++];

    private void Fail(string what, KernelOp op) => throw new InvalidOperationException($"step {_step}, {op}: {what}");
}
