using System.Security.Cryptography;

namespace Interplug.Runtime.Manifests;

/// <summary>Turns a <see cref="WasmSource"/> into verified bytes.</summary>
internal static class WasmSourceLoader
{
    public static byte[] Load(WasmSource source, string? baseDirectory, HttpClient http)
    {
        var bytes = ReadBytes(source, baseDirectory, http);
        if (source.Hash is { } expected)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(actual, expected.Trim(), StringComparison.OrdinalIgnoreCase))
                throw new PluginException(PluginErrorKind.InvalidManifest,
                    $"hash mismatch for {source}: expected {expected.Trim().ToLowerInvariant()}, got {actual}");
        }
        return bytes;
    }

    private static byte[] ReadBytes(WasmSource source, string? baseDirectory, HttpClient http)
    {
        var given = (source.Path is null ? 0 : 1) + (source.Data is null ? 0 : 1)
            + (source.Url is null ? 0 : 1) + (source.Bytes is null ? 0 : 1);
        if (given != 1)
            throw new PluginException(PluginErrorKind.InvalidManifest,
                "each wasm entry needs exactly one of \"path\", \"data\" or \"url\"");

        if (source.Bytes is { } inMemory)
            return inMemory.ToArray();
        if (source.Data is { } base64)
        {
            try
            {
                return Convert.FromBase64String(base64);
            }
            catch (FormatException e)
            {
                throw new PluginException(PluginErrorKind.InvalidManifest, "wasm \"data\" is not valid base64", e);
            }
        }
        if (source.Path is { } path)
        {
            var full = System.IO.Path.IsPathRooted(path) || baseDirectory is null
                ? path
                : System.IO.Path.Combine(baseDirectory, path);
            try
            {
                return File.ReadAllBytes(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PluginException(PluginErrorKind.InvalidManifest, $"cannot read wasm file {full}: {e.Message}", e);
            }
        }
        return Download(source.Url!, http);
    }

    private static byte[] Download(string url, HttpClient http)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new PluginException(PluginErrorKind.InvalidManifest, $"wasm \"url\" is not an http(s) URL: {url}");
        try
        {
            using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, uri));
            response.EnsureSuccessStatusCode();
            using var stream = response.Content.ReadAsStream();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            throw new PluginException(PluginErrorKind.InvalidManifest, $"cannot download wasm from {url}: {e.Message}", e);
        }
    }
}
