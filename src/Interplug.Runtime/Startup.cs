using Wasmtime;

namespace Interplug.Runtime;

/// <summary>The start-up rules of the Extism ABI, run once after instantiation.</summary>
internal static class Startup
{
    public static void Run(Instance main)
    {
        if (main.GetAction<int, int>("hs_init") is { } hsInit)
        {
            // Haskell plugins: the reactor initialiser first, then the Haskell runtime.
            main.GetAction("_initialize")?.Invoke();
            hsInit(0, 0);
            return;
        }
        var init = main.GetAction("__wasm_call_ctors") ?? main.GetAction("_initialize");
        init?.Invoke();
    }
}
