namespace Interplug.Host.Calls;

/// <summary>
/// Remembers the export name last decoded for a callee: callers nearly always call the same
/// export again, and decoding it each time would allocate a string per call.
/// </summary>
internal sealed class ExportNameCache
{
    private byte[] _bytes = [];
    private string _name = "";

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (!utf8.SequenceEqual(_bytes))
        {
            _name = Runtime.Utf8.Decode(utf8, "export name");
            _bytes = utf8.ToArray();
        }
        return _name;
    }
}
