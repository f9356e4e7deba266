namespace Interplug.Runtime.Kernel;

/// <summary>
/// Copies a block into or out of a plugin's memory, avoiding one slow case of the C library's
/// <c>memmove</c>, which .NET calls for copies over 2 KiB on Linux x64.
/// </summary>
/// <remarks>
/// For such lengths glibc copies with <c>rep movsb</c>, which on this project's AMD EPYC machines
/// ran 10–20× slower (64 KiB: 70–126 µs instead of 6–8 µs, measured 2026-12-02) when the
/// destination lies 1–31 bytes above the source modulo 4 KiB. Kernel blocks are 16-byte aligned
/// and every memory starts on a page, so two blocks at the same place in two plugins, one block
/// further, are 16 bytes apart: a caller's 64 KiB argument copied into its child hit this on
/// every call. Those copies go in 2 KiB pieces instead, which .NET copies with vector instructions
/// of its own; every other copy is a plain <see cref="Span{T}.CopyTo(Span{T})"/>.
/// </remarks>
internal static unsafe class BlockCopy
{
    // .NET's own vectorized copy handles up to this many bytes; longer copies go to memmove.
    private const int ManagedCopyLimit = 2048;
    private const int PageSize = 4096;
    // Distances measured slow were 1–31 bytes; the margin costs little (a piecewise copy runs at
    // about the speed of a fast memmove).
    private const int AliasedDistance = 64;

    /// <summary>Copies <paramref name="source"/> to the start of <paramref name="destination"/>, which must not overlap it.</summary>
    public static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length <= ManagedCopyLimit || !Aliased(source, destination))
        {
            source.CopyTo(destination);
            return;
        }
        destination = destination[..source.Length];
        for (var offset = 0; offset < source.Length; offset += ManagedCopyLimit)
        {
            var length = Math.Min(ManagedCopyLimit, source.Length - offset);
            source.Slice(offset, length).CopyTo(destination.Slice(offset, length));
        }
    }

    /// <summary>A new array holding <paramref name="source"/>.</summary>
    public static byte[] ToArray(ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
            return [];
        var copy = GC.AllocateUninitializedArray<byte>(source.Length);
        Copy(source, copy);
        return copy;
    }

    private static bool Aliased(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* from = source)
        fixed (byte* to = destination)
        {
            var distance = (nint)to - (nint)from & (PageSize - 1);
            return distance is > 0 and < AliasedDistance;
        }
    }
}
