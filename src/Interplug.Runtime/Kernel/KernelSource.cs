namespace Interplug.Runtime.Kernel;

/// <summary>The kernel module's text (kernel.wat), embedded in this assembly.</summary>
internal static class KernelSource
{
    public static readonly string Text = Load();

    /// <summary>The <c>extism:host/env</c> names the kernel module serves.</summary>
    public static readonly IReadOnlySet<string> EnvNames = new HashSet<string>
    {
        "alloc", "free", "length", "length_unsafe", "load_u8", "load_u64", "store_u8", "store_u64",
        "input_length", "input_offset", "input_load_u8", "input_load_u64", "output_set", "error_set", "error_get",
    };

    public const string HostModule = "interplug:kernel";

    private static string Load()
    {
        using var stream = typeof(KernelSource).Assembly.GetManifestResourceStream("Interplug.Runtime.kernel.wat")
            ?? throw new InvalidOperationException("kernel.wat is not embedded in Interplug.Runtime");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
