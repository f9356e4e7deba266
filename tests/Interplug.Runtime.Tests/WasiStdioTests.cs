using System.Runtime.InteropServices;
using System.Text;

namespace Interplug.Runtime.Tests;

/// <summary>Tests that redirect this process's stdout run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessStdout
{
    public const string Name = "process stdout";
}

/// <summary>
/// A WASI plugin's stdout is discarded unless <see cref="PluginOptions.InheritStdio"/> is set, in
/// which case it reaches this process's stdout (file descriptor 1, captured here through a pipe).
/// </summary>
[Collection(ProcessStdout.Name)]
public sealed class WasiStdioTests
{
    private const string Wat = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\10\00\00\00\1c\00\00\00")
          (data (i32.const 16) "interplug-wasi-stdout-marker\n")
          (func (export "print") (result i32)
            (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 64))))
        """;

    private static string CaptureStdout(bool inherit)
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Wat(Wat), new PluginOptions { Wasi = true, InheritStdio = inherit });
        using var instance = plugin.Instantiate();
        return Encoding.UTF8.GetString(Stdout.Capture(() => Assert.Empty(instance.Call("print", []))));
    }

    [Fact]
    public void Stdout_is_discarded_by_default()
    {
        Assert.DoesNotContain("interplug-wasi-stdout-marker", CaptureStdout(inherit: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Stdout_reaches_the_process_with_InheritStdio()
    {
        Assert.Contains("interplug-wasi-stdout-marker", CaptureStdout(inherit: true), StringComparison.Ordinal);
    }

    /// <summary>Points file descriptor 1 at a pipe while an action runs.</summary>
    private static class Stdout
    {
        public static byte[] Capture(Action action)
        {
            var fds = new int[2];
            Check(pipe(fds));
            var saved = dup(1);
            Check(saved);
            try
            {
                Check(dup2(fds[1], 1));
                try
                {
                    action();
                }
                finally
                {
                    Check(dup2(saved, 1));
                }
            }
            finally
            {
                Check(close(saved));
                Check(close(fds[1]));
            }
            using var captured = new MemoryStream();
            var buffer = new byte[4096];
            nint read;
            while ((read = Read(fds[0], buffer)) > 0)
                captured.Write(buffer, 0, (int)read);
            Check(close(fds[0]));
            return captured.ToArray();
        }

        private static void Check(int result)
        {
            if (result < 0)
                throw new IOException($"libc call failed: errno {Marshal.GetLastPInvokeError()}");
        }

        private static nint Read(int fd, byte[] buffer) => read(fd, buffer, buffer.Length);

        [DllImport("libc", SetLastError = true)]
        private static extern int pipe(int[] fds);

        [DllImport("libc", SetLastError = true)]
        private static extern int dup(int fd);

        [DllImport("libc", SetLastError = true)]
        private static extern int dup2(int oldFd, int newFd);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        private static extern nint read(int fd, [Out] byte[] buffer, nint count);
    }
}
