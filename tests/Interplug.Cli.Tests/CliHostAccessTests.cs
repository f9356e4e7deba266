using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Interplug.Cli.Tests;

/// <summary>What <c>interplug call</c> lets a plugin reach: hosts given with --allow-host, directories given with --allow-path.</summary>
public sealed class CliHostAccessTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port;

    public CliHostAccessTests()
    {
        for (var attempt = 0; ; attempt++)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                _port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                // taken in the meantime; try another port
            }
        }
        _ = Task.Run(ServeAsync);
    }

    private string Url(string path) => $"http://127.0.0.1:{_port}{path}";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var body = Encoding.UTF8.GetBytes("served to the plugin");
            context.Response.StatusCode = context.Request.Url!.AbsolutePath == "/hello" ? 200 : 404;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();

    [Fact]
    public async Task Allow_host_lets_the_plugin_reach_the_host()
    {
        var result = await Cli.Run("call", Cli.Plugin("http_get"), "http_get", "--input", Url("/hello"), "--allow-host", "127.0.0.1");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("served to the plugin", result.StdoutText);
    }

    [Fact]
    public async Task Allow_host_takes_globs()
    {
        var result = await Cli.Run("call", Cli.Plugin("http_get"), "http_get", "--input", Url("/hello"), "--allow-host", "*.example.com", "--allow-host", "127.0.0.*");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("served to the plugin", result.StdoutText);
    }

    [Fact]
    public async Task Without_allow_host_the_request_is_denied()
    {
        var result = await Cli.Run("call", Cli.Plugin("http_get"), "http_get", "--input", Url("/hello"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(permission-denied)", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_read_only_allow_path_can_be_read_but_not_written()
    {
        using var dir = new TempDir();
        var data = dir.Dir("data");
        File.WriteAllText(Path.Combine(data, "in.txt"), "read through wasi");
        var plugin = dir.Write("wasi.wasm", WasiPlugin.Wat);

        var read = await Cli.Run("call", plugin, "read_file", "--allow-path", $"ro:{data}:/data");
        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.Equal("read through wasi", read.StdoutText);

        var write = await Cli.Run("call", plugin, "write_file", "--allow-path", $"ro:{data}:/data");
        Assert.True(write.ExitCode == 0, write.ToString());
        Assert.Equal("denied", write.StdoutText);
        Assert.False(File.Exists(Path.Combine(data, "out.txt")));
    }

    [Fact]
    public async Task A_writable_allow_path_can_be_written()
    {
        using var dir = new TempDir();
        var data = dir.Dir("data");
        var plugin = dir.Write("wasi.wasm", WasiPlugin.Wat);
        var result = await Cli.Run("call", plugin, "write_file", "--allow-path", $"{data}:/data");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("written", result.StdoutText);
        Assert.Equal("file content\n", File.ReadAllText(Path.Combine(data, "out.txt")));
    }

    [Fact]
    public async Task An_allow_path_that_does_not_exist_fails_with_one_line()
    {
        using var dir = new TempDir();
        var plugin = dir.Write("wasi.wasm", WasiPlugin.Wat);
        var result = await Cli.Run("call", plugin, "read_file", "--allow-path", $"{dir.File("missing")}:/data");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(invalid-manifest)", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }
}
