namespace Etter.ReadModel;

/// <summary>
/// The saga state names as stored in <c>current_state</c>. The orchestrator's state machine defines them; its tests
/// check that these match, so readers can filter without referencing the orchestrator.
/// </summary>
public static class WorkflowStates
{
    public const string Draft = "Draft";
    public const string Queued = "Queued";
    public const string Processing = "Processing";
    public const string Ready = "Ready";
    public const string Degraded = "Degraded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
    public const string ValidationError = "ValidationError";
    public const string Stale = "Stale";
    public const string Duplicate = "Duplicate";

    /// <summary>Not finished: a new push of the same role returns this workflow instead of starting another.</summary>
    public static readonly string[] InFlight = [Draft, Queued, Processing];

    /// <summary>Finished with a result that a push with identical inputs can reuse.</summary>
    public static readonly string[] Finished = [Ready, Degraded];

    /// <summary>"ValidationError" → "validation_error": the wire vocabulary of the public status.</summary>
    public static string ToWire(string stateName)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        var builder = new System.Text.StringBuilder(stateName.Length + 4);
        for (var i = 0; i < stateName.Length; i++)
        {
            var c = stateName[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>"validation_error" → "ValidationError".</summary>
    public static string FromWire(string wireStatus)
    {
        ArgumentNullException.ThrowIfNull(wireStatus);
        return string.Concat(wireStatus.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
    }
}
