namespace Interplug.Reliability;

/// <summary>
/// Random programs for the fuzz driver (fuzz_driver.wat): steps of an opcode and three
/// arguments, each a literal, an earlier result or a canned string. Arguments lean on the values
/// that find bugs: 0, -1, boundaries, just-returned handles, handles plus small offsets.
/// </summary>
public static class FuzzProgram
{
    /// <summary>Bytes per step: opcode, then three (tag, i64) arguments.</summary>
    public const int StepSize = 1 + (3 * 9);

    /// <summary>Number of opcodes the driver understands.</summary>
    public const int Opcodes = 29;

    // Steps that end the driver's call when given a bad argument (env functions reading a block,
    // and the inter-plugin functions that fail their caller). Drawn one time in 32, so that a
    // program usually gets deep before one of them ends it.
    private static readonly byte[] Ending = [15, 16, 17, 18, 20, 27, 28];
    private static readonly byte[] Continuing = [.. Enumerable.Range(0, Opcodes).Select(o => (byte)o).Except(Ending)];

    private static readonly long[] Interesting =
    [
        0, 1, -1, 7, 8, 15, 16, 1023, 1024, 1025, 1032, 65535, 65536, 65537, int.MaxValue, uint.MaxValue,
        long.MaxValue, long.MinValue, long.MaxValue - 7, 0x7FFFFFF0, 1L << 32, 1L << 40, -1024,
    ];

    /// <summary>A program of <paramref name="steps"/> steps drawn from <paramref name="random"/>.</summary>
    public static byte[] Generate(Random random, int steps)
    {
        var program = new byte[steps * StepSize];
        for (var s = 0; s < steps; s++)
        {
            var at = s * StepSize;
            program[at] = random.Next(32) == 0 ? Ending[random.Next(Ending.Length)] : Continuing[random.Next(Continuing.Length)];
            for (var a = 0; a < 3; a++)
            {
                var (tag, value) = Argument(random);
                program[at + 1 + (a * 9)] = tag;
                BitConverter.TryWriteBytes(program.AsSpan(at + 2 + (a * 9), 8), value);
            }
        }
        return program;
    }

    private static (byte Tag, long Value) Argument(Random random) => random.Next(10) switch
    {
        < 4 => (1, random.Next(8)),                                          // an earlier result
        4 => (1, random.Next(8)),                                            // (twice as likely)
        5 => (2, random.Next(8)),                                            // a canned string
        6 => (0, Interesting[random.Next(Interesting.Length)]),              // a boundary
        7 => (0, 1024 + (16 * random.Next(64)) + random.Next(3) - 1),        // near a block start
        8 => (0, random.NextInt64()),                                        // anything
        _ => (0, random.Next(256)),                                          // small
    };
}
