using System.Diagnostics;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// The statements and batches Npgsql sends for the test's own flow (each one round trip; a batch is one), seen through
/// its tracing: only activities under the root this starts, so other tests' connections do not count.
/// </summary>
public sealed class NpgsqlRoundTrips : IDisposable
{
    readonly Activity _root = new Activity(nameof(NpgsqlRoundTrips)).Start();
    readonly ActivityListener _listener;
    readonly List<string> _texts = [];

    public NpgsqlRoundTrips()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == _root.TraceId && activity.GetTagItem("db.query.text") is string text)
                {
                    lock (_texts)
                    {
                        _texts.Add(text);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Texts.Count;

    /// <summary>What each round trip sent, in order.</summary>
    public IReadOnlyList<string> Texts
    {
        get
        {
            lock (_texts)
            {
                return [.. _texts];
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _root.Stop();
    }
}
