using Interplug.Host.Scheduling;
using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// A call a plugin started with <c>call_plugin_async</c>: its ticket in the caller's table, the
/// child's own branch of the call chain, and, once it has ended, the output copied out of the
/// child's memory or the failure. The caller's thread copies the output into its own memory in
/// <c>await_call</c>; nothing here touches the caller's instance.
/// </summary>
internal sealed class ChildCall : ScheduledWork, IDisposable
{
    private readonly PluginHost _host;
    private readonly CancellationTokenSource _cancellation;
    private volatile bool _done;

    /// <param name="host">Runs the call.</param>
    /// <param name="caller">The process that started it, signalled when it ends.</param>
    /// <param name="child">The process called.</param>
    /// <param name="export">The export called.</param>
    /// <param name="input">The input, copied out of the caller's block when the call started.</param>
    /// <param name="chain">The caller's chain, copied; the child is entered on it here.</param>
    /// <param name="fuel">The child's fuel.</param>
    public ChildCall(PluginHost host, PluginProcess caller, PluginProcess child, string export, byte[] input, CallChain chain, long? fuel)
    {
        _host = host;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(chain.CancellationToken);
        try
        {
            Chain = chain.Branch(_cancellation.Token);
            PluginHost.EnterChild(caller, Chain, child);
        }
        catch
        {
            _cancellation.Dispose();
            throw;
        }
        Caller = caller;
        Child = child;
        Export = export;
        Input = input;
        Fuel = fuel;
    }

    public PluginProcess Caller { get; }

    public PluginProcess Child { get; }

    public string Export { get; }

    public byte[] Input { get; }

    /// <summary>The child's chain: the caller's levels, then the child.</summary>
    public CallChain Chain { get; }

    public long? Fuel { get; }

    /// <summary>Whether the call has ended; <see cref="Output"/> or <see cref="Failure"/> is then set.</summary>
    public bool IsDone => _done;

    public byte[]? Output { get; private set; }

    public PluginException? Failure { get; private set; }

    public override long DeadlineTimestamp => Chain.DeadlineTimestamp;

    public override CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Cancels the call, queued or running; it ends promptly with <see cref="PluginErrorKind.Cancelled"/>.</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>Releases the cancellation source; only once the call is done and its ticket spent.</summary>
    public void Dispose() => _cancellation.Dispose();

    protected override void Execute()
    {
        try
        {
            Output = _host.RunChildCall(this);
        }
        catch (PluginException e)
        {
            Failure = e;
        }
#pragma warning disable CA1031 // a call thread has nobody above it: the failure goes to the waiting caller
        catch (Exception e)
#pragma warning restore CA1031
        {
            Failure = new PluginException(PluginErrorKind.Trap, $"{Chain.Describe()}: the host failed while running {this}: {e.Message}", e) { CallChain = Chain.Describe() };
        }
        End();
    }

    protected internal override void Abandon(PluginException reason)
    {
        Failure = ChainFailure.Of(reason, Chain.Describe());
        End();
    }

    private void End()
    {
        _done = true;
        Caller.CallsEnded.Set();
    }

    public override string ToString() => $"{Child.Name}.{Export}";
}
