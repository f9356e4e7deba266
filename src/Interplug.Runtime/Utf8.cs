using System.Text;

namespace Interplug.Runtime;

/// <summary>Strict UTF-8 decoding that reports bad input as a typed error.</summary>
internal static class Utf8
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"{what} is not valid UTF-8", e);
        }
    }

    /// <summary>Decodes for display, replacing invalid sequences; for logs and error messages.</summary>
    public static string Lossy(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
