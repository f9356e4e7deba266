using System.Text.Json;
using Interplug.Runtime.Kernel;

namespace Interplug.Runtime.Env;

/// <summary>
/// <c>http_request</c>: a request described as <c>{"url","method","headers"}</c> JSON, allowed only
/// to hosts matched by the manifest's <c>allowed_hosts</c>, with the response body capped.
/// </summary>
internal static class HttpFunctions
{
    public static long Request(InstanceState state, long requestHandle, long bodyHandle)
    {
        var response = Respond(state, requestHandle, bodyHandle);
        state.Kernel.Free(bodyHandle);
        return state.Kernel.FreeAfterResult(requestHandle, response);
    }

    private static long Respond(InstanceState state, long requestHandle, long bodyHandle)
    {
        using var message = Describe(state, requestHandle, bodyHandle);
        var host = message.RequestUri!.Host;
        if (!HostGlob.IsAllowed(host, state.Plugin.Manifest.AllowedHosts))
            throw new PluginException(PluginErrorKind.PermissionDenied,
                $"HTTP request to {host} is not allowed (allowed_hosts: {Describe(state.Plugin.Manifest.AllowedHosts)})");
        // No block can hold more than the kernel's largest, whatever the manifest allows.
        var limit = Math.Min(state.Plugin.Manifest.Memory.MaxHttpResponseBytes ?? Manifests.ManifestMemory.DefaultMaxHttpResponseBytes, KernelInstance.MaxBlockLength);
        return state.Kernel.Write(Send(state, message, limit));
    }

    public static long Headers(InstanceState state) =>
        state.Http.HeadersJson is { } json ? state.Kernel.Write(json) : 0;

    private static string Describe(IReadOnlyList<string> globs) => globs.Count == 0 ? "none" : string.Join(", ", globs);

    private static HttpRequestMessage Describe(InstanceState state, long requestHandle, long bodyHandle)
    {
        var json = state.Kernel.Read(requestHandle);
        string? url;
        string method = "GET";
        var headers = new List<KeyValuePair<string, string>>();
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            url = root.TryGetProperty("url", out var u) ? u.GetString() : null;
            if (root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String)
                method = m.GetString()!;
            if (root.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
                foreach (var header in h.EnumerateObject())
                    headers.Add(new(header.Name, header.Value.ToString()));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"http_request: the request is not valid JSON: {e.Message}", e);
        }
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new PluginException(PluginErrorKind.InvalidArgument, $"http_request: \"{url}\" is not an http(s) URL");

        var message = new HttpRequestMessage(Method(method), uri);
        var body = state.Kernel.Read(bodyHandle);
        if (!body.IsEmpty)
            message.Content = new ByteArrayContent(body.ToArray());
        foreach (var (name, value) in headers)
            if (!message.Headers.TryAddWithoutValidation(name, value))
                message.Content?.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    private static HttpMethod Method(string name)
    {
        try
        {
            return new HttpMethod(name.ToUpperInvariant());
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"http_request: \"{string.Concat(name.Select(c => char.IsControl(c) ? '?' : c))}\" is not an HTTP method (a token such as GET or POST)", e);
        }
    }

    private static byte[] Send(InstanceState state, HttpRequestMessage message, long limit)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(state.Call.CancellationToken);
        Deadline.CancelAt(cancel, state.Call.DeadlineTimestamp);
        try
        {
            using var response = state.Plugin.Runtime.Http.Send(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            state.Http.StatusCode = (int)response.StatusCode;
            state.Http.HeadersJson = JsonSerializer.SerializeToUtf8Bytes(
                response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value)),
                HttpJsonContext.Default.DictionaryStringString);
            if (response.Content.Headers.ContentLength > limit)
                throw TooLarge(limit);
            using var stream = response.Content.ReadAsStream(cancel.Token);
            return ReadCapped(stream, limit, cancel.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || (cancel.IsCancellationRequested && e is HttpRequestException or IOException))
        {
            throw state.Call.CancellationToken.IsCancellationRequested
                ? new PluginException(PluginErrorKind.Cancelled, "call cancelled during an HTTP request", e)
                : new PluginException(PluginErrorKind.Timeout, "call timed out during an HTTP request", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new PluginException(PluginErrorKind.HttpFailed, $"HTTP request to {message.RequestUri} failed: {e.Message}", e);
        }
    }

    private static byte[] ReadCapped(Stream stream, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        // Only the asynchronous read observes the token: with Read, a body that trickles one byte
        // at a time held the call for as long as the server kept sending.
        while ((read = stream.ReadAsync(chunk, cancellationToken).AsTask().GetAwaiter().GetResult()) > 0)
        {
            if (buffer.Length + read > limit)
                throw TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static PluginException TooLarge(long limit) =>
        new(PluginErrorKind.LimitExceeded, $"HTTP response body exceeds max_http_response_bytes ({limit})");
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HttpJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
