using System.Text.RegularExpressions;
using Etter.AiAssessment.Engines.Scoring;
using Etter.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Etter.AiAssessment.Engines.Llm;

/// <summary>
/// Asks the model to rewrite a messy job description into <c># Title</c> / <c>## Overview</c> /
/// <c>## Key Responsibilities</c> / <c>## Requirements</c> while keeping every piece of information. The
/// result is checked: it must have the title and responsibilities headings with at least one duty, and
/// keep at least <see cref="MinWordCoverage"/> of the source's distinct words; otherwise the model gets
/// one repair round. Uses the same server, retries and error codes as <see cref="LlmAssessmentEngine"/>.
/// </summary>
public sealed partial class LlmJobDescriptionReformatter
{
    /// <summary>Share of the source's distinct words (4+ letters) the rewrite must still contain.</summary>
    public const double MinWordCoverage = 0.8;

    readonly ILogger _logger;
    readonly LlmChatInvoker _invoker;

    /// <summary>Calls the model through <paramref name="chatClient"/>, which the caller owns (see <see cref="LlmAssessmentEngine"/>).</summary>
    public LlmJobDescriptionReformatter(IChatClient chatClient, LlmOptions options, TimeProvider timeProvider, ILogger<LlmJobDescriptionReformatter>? logger = null)
    {
        _logger = logger ?? NullLogger<LlmJobDescriptionReformatter>.Instance;
        _invoker = new LlmChatInvoker(chatClient, options, timeProvider, _logger);
    }

    /// <summary>The rewritten markdown. Failures throw <see cref="AssessmentEngineException"/> with the engine's codes.</summary>
    public async Task<string> ReformatAsync(string title, string rawText, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(rawText);

        List<ChatMessage> messages =
        [
            new(ChatRole.System, LlmPrompts.ReformatSystem),
            new(ChatRole.User, LlmPrompts.ReformatUser(title, rawText)),
        ];
        var response = await _invoker.GetResponseAsync(messages, format: null, cancellationToken);
        var markdown = StripFences(response.Text);
        var problems = Problems(rawText, markdown, response.FinishReason);
        if (problems.Count == 0)
        {
            return markdown;
        }

        _logger.LogWarning("The model's rewrite of the JD for '{Title}' was unusable ({Problems}); asking it to repair it.", title, string.Join(" ", problems));
        messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
        messages.Add(new ChatMessage(ChatRole.User, LlmPrompts.ReformatRepair(problems)));
        response = await _invoker.GetResponseAsync(messages, format: null, cancellationToken);
        markdown = StripFences(response.Text);
        problems = Problems(rawText, markdown, response.FinishReason);
        return problems.Count == 0
            ? markdown
            : throw new AssessmentEngineException(new OnboardingError
            {
                Code = LlmAssessmentEngine.InvalidOutputCode,
                Message = $"Model '{_invoker.Model}' could not rewrite the job description for '{title}' (after one repair request): {string.Join(" ", problems)}",
                Recoverable = true,
            });
    }

    internal static List<string> Problems(string source, string markdown, ChatFinishReason? finishReason)
    {
        var problems = new List<string>();
        if (finishReason == ChatFinishReason.Length)
        {
            problems.Add("The rewrite was cut off at the output token limit.");
        }

        if (!markdown.StartsWith("# ", StringComparison.Ordinal))
        {
            problems.Add("It must start with a '# <job title>' line.");
        }

        if (!KeyResponsibilitiesHeading().IsMatch(markdown))
        {
            problems.Add("It has no '## Key Responsibilities' section.");
        }
        else if (WorkloadActivityParser.Parse(markdown).Count == 0)
        {
            problems.Add("'## Key Responsibilities' lists no duties as '- ' bullets.");
        }

        var sourceWords = Words(source);
        if (sourceWords.Count > 0)
        {
            var kept = Words(markdown);
            var missing = sourceWords.Where(w => !kept.Contains(w)).Order(StringComparer.Ordinal).ToList();
            var coverage = 1 - ((double)missing.Count / sourceWords.Count);
            if (coverage < MinWordCoverage)
            {
                problems.Add($"It dropped information: these words of the source are missing: {string.Join(", ", missing.Take(25))}{(missing.Count > 25 ? ", ..." : "")}.");
            }
        }

        return problems;
    }

    static HashSet<string> Words(string text) =>
        WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Removes a <c>```markdown</c> fence some models put around the whole answer.</summary>
    internal static string StripFences(string? text)
    {
        var trimmed = (text ?? "").Trim();
        var fenced = FencePattern().Match(trimmed);
        return (fenced.Success ? fenced.Groups["body"].Value : trimmed).Trim().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^##\s+Key Responsibilities\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex KeyResponsibilitiesHeading();

    [GeneratedRegex(@"\p{L}{4,}")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"^```[a-zA-Z]*\s*\n(?<body>.*)\n```$", RegexOptions.Singleline)]
    private static partial Regex FencePattern();
}
