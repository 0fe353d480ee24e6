using Microsoft.Extensions.Options;

namespace Etter.AiAssessment.Engines.Llm;

/// <summary>
/// Settings of the <c>llm</c> engine (<c>Etter:Assessment:Llm</c>). Any server that speaks the OpenAI chat
/// completions protocol works: OpenAI, Azure OpenAI's v1 endpoint, Ollama, vLLM. The engine is only
/// registered when <see cref="BaseUrl"/> is set, so a default install never talks to a model.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Etter:Assessment:Llm";

    /// <summary>The API root including the version segment, e.g. <c>https://api.openai.com/v1</c> or <c>http://127.0.0.1:11434/v1</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The model (or Azure deployment) name, e.g. <c>gpt-4o-mini</c> or <c>llama3.1</c>.</summary>
    public string? Model { get; set; }

    /// <summary>Sent as a bearer token. Optional: local servers such as Ollama need none. Supply it from the environment, never from a committed file.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one call may take before it counts as a (transient) timeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries after a transient failure (429, 5xx, timeout, connection refused); 0 disables them.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first backoff; it doubles with each retry (capped at 30 s), and a server's Retry-After wins when longer.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the engine proves liveness while a call is in flight.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Sampling temperature; unset leaves the server's default (some reasoning models accept no other).</summary>
    public double? Temperature { get; set; }

    /// <summary>True when the configuration names a server, which is what turns the engine on.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[$"{Section}:{nameof(BaseUrl)}"]);
    }

    /// <summary>Every problem with these settings, each phrased so that it says how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(BaseUrl))
        {
            problems.Add($"{Key(nameof(BaseUrl))} is required (env {Env(nameof(BaseUrl))}), e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 for Ollama.");
        }
        else if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{Key(nameof(BaseUrl))} '{BaseUrl}' is not an absolute http(s) URL; use the API root including /v1, e.g. http://127.0.0.1:11434/v1.");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            problems.Add($"{Key(nameof(Model))} is required (env {Env(nameof(Model))}), e.g. gpt-4o-mini, or llama3.1 for Ollama.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            problems.Add($"{Key(nameof(Timeout))} must be positive (e.g. 00:02:00), not {Timeout}.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            problems.Add($"{Key(nameof(MaxRetries))} must be between 0 and 10, not {MaxRetries}.");
        }

        if (RetryDelay < TimeSpan.Zero)
        {
            problems.Add($"{Key(nameof(RetryDelay))} must not be negative, not {RetryDelay}.");
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            problems.Add($"{Key(nameof(HeartbeatInterval))} must be positive (e.g. 00:00:15), not {HeartbeatInterval}.");
        }

        if (Temperature is < 0 or > 2)
        {
            problems.Add($"{Key(nameof(Temperature))} must be between 0 and 2, not {Temperature}.");
        }

        return problems;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Section, typeof(LlmOptions), problems);
        }
    }

    static string Key(string name) => $"{Section}:{name}";

    static string Env(string name) => $"{Section.Replace(":", "__", StringComparison.Ordinal)}__{name}";
}

/// <summary>Runs <see cref="LlmOptions.Problems"/> when the options are first used (and at host start).</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
