using Etter.AiAssessment.Engines.Scoring;
using Etter.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Etter.AiAssessment.Engines.Llm;

/// <summary>
/// Asks a language model, over the OpenAI chat completions protocol, how each responsibility in the JD
/// splits across the six collaboration modes, checks the answer against the reply schema in code, and
/// scores it with the same <see cref="AssessmentAggregator"/> as every other engine. One invalid reply
/// gets one repair round (the reply goes back with what is wrong with it); transient HTTP failures are
/// retried by <see cref="LlmChatInvoker"/>.
/// </summary>
public sealed class LlmAssessmentEngine : IAssessmentEngine
{
    public const string EngineName = "llm";

    /// <summary>The model's reply stayed unusable after the repair round. Recoverable: another attempt may succeed.</summary>
    public const string InvalidOutputCode = "AI_ASSESSMENT_INVALID_OUTPUT";

    /// <summary>The server could not be reached or kept failing (connection errors, 5xx) after all retries. Recoverable.</summary>
    public const string UnavailableCode = "AI_ASSESSMENT_LLM_UNAVAILABLE";

    /// <summary>The server kept answering 429 after all retries. Recoverable.</summary>
    public const string RateLimitedCode = "AI_ASSESSMENT_LLM_RATE_LIMITED";

    /// <summary>The model or endpoint does not exist (HTTP 404). Not recoverable without a configuration change.</summary>
    public const string ModelNotFoundCode = "AI_ASSESSMENT_MODEL_NOT_FOUND";

    readonly LlmOptions _options;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly LlmChatInvoker _invoker;

    /// <summary>
    /// Calls the model through <paramref name="chatClient"/>, which the caller owns; in the service that is the
    /// one client <see cref="LlmEngineRegistrationExtensions"/> registers for this engine and the reformatter.
    /// </summary>
    public LlmAssessmentEngine(IChatClient chatClient, LlmOptions options, TimeProvider timeProvider, ILogger<LlmAssessmentEngine>? logger = null)
    {
        _logger = logger ?? NullLogger<LlmAssessmentEngine>.Instance;
        _invoker = new LlmChatInvoker(chatClient, options, timeProvider, _logger);
        _options = options;
        _time = timeProvider;
    }

    public string Name => EngineName;

    public bool RunsInline => false;

    /// <summary>The configured model; results carry the model the server reports, when it reports one.</summary>
    public string Model => _invoker.Model;

    public async Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var activities = AssessmentRequestGuard.RequireActivities(request, "to assess");

        return await LlmHeartbeat.RunAsync(
            token => AssessCoreAsync(request, activities, token),
            heartbeat,
            _options.HeartbeatInterval,
            _time,
            _logger,
            cancellationToken);
    }

    async Task<AssessmentResult> AssessCoreAsync(AssessmentRequest request, IReadOnlyList<WorkloadActivity> activities, CancellationToken cancellationToken)
    {
        var usage = new LlmUsageTally();
        List<ChatMessage> messages =
        [
            new(ChatRole.System, LlmPrompts.AssessmentSystem),
            new(ChatRole.User, LlmPrompts.AssessmentUser(request, activities)),
        ];

        var response = await _invoker.GetResponseAsync(messages, LlmPrompts.AssessmentFormat, cancellationToken);
        usage.Add(response.Usage);
        var reply = Check(response, activities);
        if (!reply.IsValid)
        {
            _logger.LogWarning("The model's assessment of '{Role}' was invalid ({Problems}); asking it to repair the reply.",
                request.RoleName, string.Join(" ", reply.Problems));
            messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
            messages.Add(new ChatMessage(ChatRole.User, LlmPrompts.Repair(reply.Problems, activities.Count)));
            response = await _invoker.GetResponseAsync(messages, LlmPrompts.AssessmentFormat, cancellationToken);
            usage.Add(response.Usage);
            reply = Check(response, activities);
            if (!reply.IsValid)
            {
                throw new AssessmentEngineException(new OnboardingError
                {
                    Code = InvalidOutputCode,
                    Message = $"Model '{Model}' returned an invalid assessment twice (after one repair request): {string.Join(" ", reply.Problems)}",
                    Recoverable = true,
                });
            }
        }

        var version = string.IsNullOrWhiteSpace(response.ModelId) ? Model : response.ModelId;
        return AssessmentAggregator.Aggregate(reply.Classifications, EngineName, version, isMock: false, usage.ToTokenUsage());
    }

    static LlmAssessmentReply Check(ChatResponse response, IReadOnlyList<WorkloadActivity> activities)
    {
        var reply = LlmReplyParser.ParseAssessment(response.Text, activities);
        if (!reply.IsValid && response.FinishReason == ChatFinishReason.Length)
        {
            return new LlmAssessmentReply([], ["The reply was cut off at the output token limit; keep each rationale to one or two sentences.", .. reply.Problems]);
        }

        return reply;
    }
}

/// <summary>Token counts summed over every call of one assessment; null when the server reported none.</summary>
internal sealed class LlmUsageTally
{
    long _input;
    long _output;
    long _total;
    bool _any;

    public void Add(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        _any = true;
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        _input += input;
        _output += output;
        _total += usage.TotalTokenCount ?? input + output;
    }

    public TokenUsage? ToTokenUsage() =>
        _any ? new TokenUsage { InputTokens = _input, OutputTokens = _output, TotalTokens = _total } : null;
}
