using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// The start-up rules of the Extism ABI, run once after instantiation. Which rule applies is
/// decided once per compiled module, so instantiating looks up only the exports that exist.
/// </summary>
internal sealed class Startup
{
    private readonly bool _haskell;
    private readonly string? _initializer;

    public Startup(Module main)
    {
        var exports = main.Exports.OfType<FunctionExport>().Select(e => e.Name).ToHashSet();
        _haskell = exports.Contains("hs_init");
        _initializer = _haskell
            ? (exports.Contains("_initialize") ? "_initialize" : null)
            : exports.Contains("__wasm_call_ctors") ? "__wasm_call_ctors"
            : exports.Contains("_initialize") ? "_initialize"
            : null;
    }

    public void Run(Instance main)
    {
        // For Haskell plugins the reactor initialiser runs first, then the Haskell runtime.
        if (_initializer is not null)
            main.GetAction(_initializer)?.Invoke();
        if (_haskell)
            main.GetAction<int, int>("hs_init")?.Invoke(0, 0);
    }
}
