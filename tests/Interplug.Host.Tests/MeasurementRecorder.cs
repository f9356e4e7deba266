using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Interplug.Host.Tests;

/// <summary>Listens to every instrument of <see cref="InterplugDiagnostics.MeterName"/> and keeps what they record.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MeasurementRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == InterplugDiagnostics.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>One value an instrument recorded, with its tags.</summary>
    public sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? value as string : null;
    }

    /// <summary>What <paramref name="instrument"/> recorded with tag <paramref name="tag"/> equal to <paramref name="value"/>.</summary>
    public Measurement[] Of(string instrument, string tag, string value) =>
        [.. _measurements.Where(m => m.Instrument == instrument && m.Tag(tag) == value)];

    /// <summary>The sum of what a counter recorded with tag <paramref name="tag"/> equal to <paramref name="value"/>, by <see cref="InterplugDiagnostics.Tags.Outcome"/>.</summary>
    public Dictionary<string, double> CountsByOutcome(string instrument, string tag, string value) =>
        Of(instrument, tag, value)
            .GroupBy(m => m.Tag(InterplugDiagnostics.Tags.Outcome) ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    /// <summary>Asks every observable instrument for its value now, and returns the last value <paramref name="instrument"/> reported.</summary>
    public double Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Last(m => m.Instrument == instrument).Value;
    }

    public void Dispose() => _listener.Dispose();

    private void Keep<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags) where T : struct, IConvertible =>
        _measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value.ToDouble(null), new Dictionary<string, object?>(tags.ToArray())));
}
