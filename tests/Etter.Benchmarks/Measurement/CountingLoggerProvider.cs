using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Etter.Benchmarks.Measurement;

/// <summary>Counts warnings and errors the embedded host logs, keeping the first few error texts.</summary>
public sealed class CountingLoggerProvider : ILoggerProvider
{
    readonly ConcurrentQueue<string> _samples = new();
    long _warnings;
    long _errors;
    long _retries;

    public long Warnings => Interlocked.Read(ref _warnings);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Messages MassTransit handled again under the endpoint's retry policy ("R-RETRY").</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public IReadOnlyList<string> Samples => [.. _samples];

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public void Dispose()
    {
    }

    sealed class Counter(CountingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (logLevel >= LogLevel.Error)
            {
                Interlocked.Increment(ref owner._errors);
                if (owner._samples.Count < 10)
                {
                    owner._samples.Enqueue($"{category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
                }
            }
            else if (logLevel == LogLevel.Warning)
            {
                Interlocked.Increment(ref owner._warnings);
                if (category.StartsWith("MassTransit", StringComparison.Ordinal) && formatter(state, exception).Contains("R-RETRY", StringComparison.Ordinal))
                {
                    if (Interlocked.Increment(ref owner._retries) <= 3)
                    {
                        // The first few say what keeps being retried; the count alone does not.
                        Progress.Line("retry", $"{formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}");
                    }
                }
            }
        }
    }
}
