namespace Interplug.Runtime.Env;

/// <summary>What <c>http_status_code</c> and <c>http_headers</c> report: the last response of the instance.</summary>
internal sealed class HttpResponseState
{
    public int StatusCode { get; set; }

    public byte[]? HeadersJson { get; set; }
}
