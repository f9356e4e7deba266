using System.Runtime.InteropServices;
using Interplug.Runtime.Kernel;

namespace Interplug.Runtime.Tests;

/// <summary>
/// <see cref="BlockCopy"/> copies every byte, and nothing past the block, whichever way it
/// copies: whole, or in pieces when the destination lies just above the source modulo 4 KiB.
/// </summary>
public sealed class BlockCopyTests
{
    public static TheoryData<int> Distances() => [0, 1, 15, 16, 31, 32, 63, 64, 65, 4095, 4096 + 16];

    [Theory]
    [MemberData(nameof(Distances))]
    public void Every_length_arrives_whole_at_every_distance(int distance)
    {
        const int Room = 1 << 18;
        var source = GC.AllocateArray<byte>(Room + 8192, pinned: true);
        var destination = GC.AllocateArray<byte>(Room + 16384, pinned: true);
        var sourceStart = Offset(source, 0) + 8;
        var destinationStart = Offset(destination, Address(source, sourceStart) + distance);
        foreach (var length in new[] { 0, 1, 2047, 2048, 2049, 4096 + 5, 65536, 65536 + 3, 200_000 })
        {
            var from = source.AsSpan(sourceStart, length);
            Random.Shared.NextBytes(from);
            var to = destination.AsSpan(destinationStart, length + 1);
            to.Fill(0xEE);

            BlockCopy.Copy(from, to);

            Assert.True(from.SequenceEqual(to[..length]), $"{length} bytes at distance {distance}");
            Assert.Equal(0xEE, to[length]);
        }
    }

    [Fact]
    public void ToArray_returns_a_copy_of_the_bytes()
    {
        var bytes = new byte[70_000];
        Random.Shared.NextBytes(bytes);

        Assert.Equal(bytes, BlockCopy.ToArray(bytes));
        Assert.Empty(BlockCopy.ToArray([]));
    }

    private static long Address(byte[] pinned, int index) => Marshal.UnsafeAddrOfPinnedArrayElement(pinned, index);

    // The first index of the pinned array whose address is congruent to `target` modulo 4 KiB.
    private static int Offset(byte[] pinned, long target) => (int)(((target - Address(pinned, 0)) % 4096 + 4096) % 4096);
}
