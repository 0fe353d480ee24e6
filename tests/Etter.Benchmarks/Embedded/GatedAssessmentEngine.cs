using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Mock;
using Etter.Contracts;

namespace Etter.Benchmarks.Embedded;

/// <summary>
/// A stand-in for a slow assessment (an LLM call that takes minutes): it holds every run open until the
/// benchmark opens the gate, then answers like the mock engine.
/// </summary>
public sealed class GatedAssessmentEngine : IAssessmentEngine
{
    public const string EngineName = "bench-gated";

    readonly MockAssessmentEngine _mock = new();
    TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _waiting;

    public string Name => EngineName;

    public bool RunsInline => false;

    /// <summary>Runs currently held at the gate.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Open() => _gate.TrySetResult();

    public void Close()
    {
        if (_gate.Task.IsCompleted)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public async Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return await _mock.AssessAsync(request, heartbeat, cancellationToken);
    }
}
