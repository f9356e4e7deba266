namespace Interplug.Host;

/// <summary>
/// Counts what is using a host's shared resources (compiled plugins, runtime): starts, top-level
/// calls and compiles in flight. Once the host is closed nothing new may enter, and the resources
/// are released exactly once, as soon as the last user has left. Closing waits a while for the
/// users in the foreground (starts and calls), not for those in the background (compiles nobody
/// waits for any more), which release the resources when they finish.
/// </summary>
/// <param name="release">Frees the shared resources; runs once, on the thread that saw the last user leave.</param>
internal sealed class HostUsers(Action release)
{
    private int _users;
    private int _background;
    private int _closed;
    private int _released;

    public bool IsClosed => Interlocked.CompareExchange(ref _closed, 0, 0) != 0;

    /// <summary>Enters as a user; false once the host is closed.</summary>
    /// <param name="background">Whether closing should not wait for this user.</param>
    public bool TryEnter(bool background = false)
    {
        Interlocked.Increment(ref _users);
        if (background)
            Interlocked.Increment(ref _background);
        if (!IsClosed)
            return true;
        Exit(background);
        return false;
    }

    /// <summary>Leaves; <paramref name="background"/> as given to <see cref="TryEnter"/>.</summary>
    public void Exit(bool background = false)
    {
        if (background)
            Interlocked.Decrement(ref _background);
        if (Interlocked.Decrement(ref _users) == 0 && IsClosed)
            Release();
    }

    /// <summary>
    /// Lets no new user in; false if the host was closed already. The first closer stays a user
    /// itself until <see cref="Drain"/>, so nothing is released in between.
    /// </summary>
    public bool TryClose()
    {
        Interlocked.Increment(ref _users);
        if (Interlocked.Exchange(ref _closed, 1) == 0)
            return true;
        Exit();
        return false;
    }

    /// <summary>After a <see cref="TryClose"/> that returned true, leaves and waits up to <paramref name="wait"/> for the foreground users to leave; the last user out releases the resources if any is left.</summary>
    public void Drain(TimeSpan wait)
    {
        Interlocked.Decrement(ref _users);
        SpinWait.SpinUntil(() => Volatile.Read(ref _users) - Volatile.Read(ref _background) <= 0, wait);
        if (Volatile.Read(ref _users) == 0)
            Release();
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            release();
    }
}
