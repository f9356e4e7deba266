namespace Interplug.Runtime;

/// <summary>Receives a call's output while it still sits in the plugin's memory.</summary>
/// <typeparam name="TState">Whatever the reader needs, passed explicitly so the delegate can be static.</typeparam>
/// <typeparam name="TResult">What the reader makes of the output.</typeparam>
/// <param name="state">The state given to the call.</param>
/// <param name="output">The output bytes, valid only during this invocation.</param>
public delegate TResult OutputReader<in TState, out TResult>(TState state, ReadOnlySpan<byte> output);
