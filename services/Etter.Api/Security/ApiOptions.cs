using System.ComponentModel.DataAnnotations;

namespace Etter.Api.Security;

/// <summary>API settings (<c>Etter:Api</c>). Keys come from configuration or the environment (<c>Etter__Api__Keys__0</c>), never from the repository.</summary>
public sealed class ApiOptions
{
    public const string Section = "Etter:Api";
    public const string HeaderName = "X-Api-Key";

    /// <summary>Accepted API keys. Required in distributed mode; in embedded mode, keys are enforced only if some are set.</summary>
    public IList<string> Keys { get; } = [];

    /// <summary>Let GET endpoints through without a key (mutating endpoints always need one when keys are in force).</summary>
    public bool OpenReads { get; set; }

    /// <summary>Largest body of a single push (JSON including inline documents).</summary>
    [Range(1024, 1L << 31)]
    public long MaxBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Largest body of <c>/push-batch</c>.</summary>
    [Range(1024, 1L << 31)]
    public long MaxBatchBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// How long a push waits for the saga's answer (which workflow does the work). Past it a push the broker took is
    /// accepted unconfirmed under its own id; a healthy orchestrator answers in milliseconds.
    /// </summary>
    public TimeSpan SubmitTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
