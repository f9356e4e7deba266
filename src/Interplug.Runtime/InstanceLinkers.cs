using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// Scratch copies of a compiled plugin's linker. Each new instance defines its own kernel (and
/// its linked modules) in a copy, then instantiates its modules through it.
/// </summary>
/// <remarks>
/// Resolving imports in the linker happens in native code. Resolving them in .NET instead, one
/// <see cref="Function"/> object per import, cost more than the rest of instantiation together
/// (about 8–15 µs of a 30 µs spawn for a 13-import plugin, measured 2026-11-23). A copy keeps the
/// definitions of the last store that used it, but every instantiation redefines all of them
/// (shadowing), so no instance can reach another store's kernel. Copies are not thread-safe: each
/// instantiation rents one, and a concurrent one clones another.
/// </remarks>
internal sealed class InstanceLinkers : IDisposable
{
    private readonly Linker _template;
    private readonly Linker?[] _spares = new Linker?[Math.Max(2, Environment.ProcessorCount)];
    private volatile bool _disposed;

    public InstanceLinkers(Linker template) => _template = template;

    public Linker Rent()
    {
        for (var i = 0; i < _spares.Length; i++)
            if (Interlocked.Exchange(ref _spares[i], null) is { } spare)
                return spare;
        var copy = _template.Clone();
        copy.AllowShadowing = true;
        return copy;
    }

    public void Return(Linker linker)
    {
        if (!_disposed)
        {
            for (var i = 0; i < _spares.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _spares[i], linker, null) is not null)
                    continue;
                // Disposed meanwhile: take it back unless Dispose already did.
                if (_disposed)
                    Interlocked.Exchange(ref _spares[i], null)?.Dispose();
                return;
            }
        }
        linker.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        for (var i = 0; i < _spares.Length; i++)
            Interlocked.Exchange(ref _spares[i], null)?.Dispose();
    }
}
