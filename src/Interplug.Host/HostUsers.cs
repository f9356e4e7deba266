namespace Interplug.Host;

/// <summary>
/// Counts what is using a host's shared resources (compiled plugins, runtime): starts, top-level
/// calls and compiles in flight. Once the host is closed nothing new may enter, and the resources
/// are released exactly once, as soon as the last user has left.
/// </summary>
/// <param name="release">Frees the shared resources; runs once, on the thread that saw the last user leave.</param>
internal sealed class HostUsers(Action release)
{
    private int _users;
    private int _closed;
    private int _released;

    public bool IsClosed => Interlocked.CompareExchange(ref _closed, 0, 0) != 0;

    /// <summary>Enters as a user; false once the host is closed.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _users);
        if (!IsClosed)
            return true;
        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _users) == 0 && IsClosed)
            Release();
    }

    /// <summary>Closes the host and waits up to <paramref name="wait"/> for the users to leave; the last one out releases the resources if they take longer.</summary>
    /// <returns>Whether every user left in time.</returns>
    public bool Close(TimeSpan wait)
    {
        Interlocked.Exchange(ref _closed, 1);
        if (!SpinWait.SpinUntil(() => Volatile.Read(ref _users) == 0, wait))
            return false;
        Release();
        return true;
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            release();
    }
}
