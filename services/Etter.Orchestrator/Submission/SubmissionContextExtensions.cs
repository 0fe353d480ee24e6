using MassTransit;

namespace Etter.Orchestrator.Submission;

/// <summary>Reading a message's submission context.</summary>
public static class SubmissionContextExtensions
{
    /// <summary>The message was sent as a request (the API's push): someone waits for the answer.</summary>
    public static bool HasRequester(this ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ResponseAddress is not null && context.RequestId is not null;
    }

    /// <summary>The facts the preparer read for this message; none when it had nothing to read.</summary>
    public static SubmissionFacts Facts(this PipeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.TryGetPayload(out SubmissionFacts? facts) ? facts : SubmissionFacts.None;
    }
}
