using System.Diagnostics;

namespace Interplug.Runtime;

/// <summary>
/// The one rule for time limits: deadlines are <see cref="Stopwatch.GetTimestamp"/> values, and
/// every conversion saturates. A limit too far away to represent is <see cref="None"/> ("no
/// deadline"), never an overflow that wraps into the past and times out at once.
/// </summary>
internal static class Deadline
{
    /// <summary>No deadline.</summary>
    public const long None = long.MaxValue;

    // CancellationTokenSource.CancelAfter accepts at most int.MaxValue - 1 ms (about 24.8 days).
    private static readonly TimeSpan LongestCancelAfter = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>The timestamp <paramref name="milliseconds"/> from now; <see cref="None"/> for null or a limit beyond the timestamp range.</summary>
    public static long AfterMilliseconds(long? milliseconds) =>
        milliseconds is { } ms ? Add(Stopwatch.GetTimestamp(), (Int128)ms * Stopwatch.Frequency / 1000) : None;

    /// <summary>The timestamp of a wall-clock deadline; <see cref="None"/> for null or one beyond the timestamp range, now for one in the past.</summary>
    public static long At(DateTimeOffset? wallClock)
    {
        if (wallClock is not { } at)
            return None;
        var remainingTicks = Int128.Max(0, (Int128)at.UtcTicks - DateTimeOffset.UtcNow.UtcTicks);
        return Add(Stopwatch.GetTimestamp(), remainingTicks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
    }

    /// <summary>The wall-clock time of a timestamp deadline; null for <see cref="None"/>, <see cref="DateTimeOffset.MaxValue"/> for one beyond the calendar.</summary>
    public static DateTimeOffset? ToWallClock(long deadline)
    {
        if (deadline == None)
            return null;
        var now = DateTimeOffset.UtcNow;
        var remainingTicks = Int128.Max(0, (Int128)deadline - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency;
        return remainingTicks >= DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks ? DateTimeOffset.MaxValue : now.AddTicks((long)remainingTicks);
    }

    /// <summary>
    /// Cancels <paramref name="source"/> at <paramref name="deadline"/>. A deadline further away than
    /// <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/> can wait (about 24.8 days) arms nothing.
    /// </summary>
    public static void CancelAt(CancellationTokenSource source, long deadline)
    {
        if (deadline == None)
            return;
        var remaining = Stopwatch.GetElapsedTime(Math.Min(Stopwatch.GetTimestamp(), deadline), deadline);
        if (remaining <= LongestCancelAfter)
            source.CancelAfter(remaining);
    }

    private static long Add(long timestamp, Int128 ticks) =>
        (long)Int128.Clamp(timestamp + ticks, timestamp, None);
}
