using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using Etter.Contracts;
using Microsoft.Extensions.AI;

namespace Etter.AiAssessment.Engines.Llm;

/// <summary>
/// One logical model call with the engine's failure policy: transient failures (HTTP 408/409/425/429/5xx,
/// timeouts, refused or dropped connections) are retried with exponential backoff up to
/// <see cref="LlmOptions.MaxRetries"/> times and then reported as recoverable; 401/403 and 404 are final at
/// once. A 400 while asking for structured output is taken as the server not supporting that format: the
/// call is repeated with plain JSON mode, then with no format, without counting as a retry.
/// </summary>
internal sealed class LlmChatInvoker
{
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    enum FailureKind { Transient, FormatRejected, Final }

    sealed record Failure(FailureKind Kind, OnboardingError Error, TimeSpan? RetryAfter = null);

    readonly IChatClient _client;
    readonly LlmOptions _options;
    readonly TimeProvider _time;
    readonly ILogger _logger;

    /// <summary>Checks the options now, so that a misconfigured engine fails when it is built rather than on its first call.</summary>
    public LlmChatInvoker(IChatClient client, LlmOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.ThrowIfInvalid();
        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string Model => _options.Model!.Trim();

    /// <summary>Calls the model; <paramref name="format"/> is where the format fallback starts.</summary>
    public async Task<ChatResponse> GetResponseAsync(IList<ChatMessage> messages, ChatResponseFormat? format, CancellationToken cancellationToken)
    {
        var retries = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chatOptions = new ChatOptions { ResponseFormat = format, Temperature = (float?)_options.Temperature };
            using var timeout = new CancellationTokenSource(_options.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            Failure failure;
            try
            {
                return await _client.GetResponseAsync(messages, chatOptions, linked.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (Classify(ex, format) is { } classified)
            {
                failure = classified;
                if (failure.Kind == FailureKind.Final || (failure.Kind == FailureKind.Transient && retries >= _options.MaxRetries))
                {
                    throw new AssessmentEngineException(failure.Error, ex);
                }
            }

            if (failure.Kind == FailureKind.FormatRejected)
            {
                var fallback = format is ChatResponseFormatJson { Schema: not null } ? ChatResponseFormat.Json : null;
                _logger.LogWarning("{BaseUrl} rejected response format {Format}; trying {Fallback}. {Message}",
                    _options.BaseUrl, Describe(format), Describe(fallback), failure.Error.Message);
                format = fallback;
                continue;
            }

            var delay = Backoff(retries, failure.RetryAfter);
            retries++;
            _logger.LogWarning("LLM call to {BaseUrl} failed ({Message}); retry {Retry} of {MaxRetries} in {Delay}.",
                _options.BaseUrl, failure.Error.Message, retries, _options.MaxRetries, delay);
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    TimeSpan Backoff(int retry, TimeSpan? retryAfter)
    {
        var exponential = TimeSpan.FromTicks(Math.Min(_options.RetryDelay.Ticks * (1L << Math.Min(retry, 16)), MaxBackoff.Ticks));
        return retryAfter is { } serverAsked && serverAsked > exponential
            ? (serverAsked < MaxRetryAfter ? serverAsked : MaxRetryAfter)
            : exponential;
    }

    Failure? Classify(Exception ex, ChatResponseFormat? format)
    {
        var target = $"{_options.BaseUrl} (model '{Model}')";
        switch (ex)
        {
            case OperationCanceledException or TimeoutException:
                return Transient(ErrorCodes.Timeout, $"The model at {target} did not answer within {_options.Timeout}.");
            case ClientResultException { Status: 0 }:
            case HttpRequestException:
            case SocketException:
            case IOException:
                return Transient(LlmAssessmentEngine.UnavailableCode, $"Could not reach the model at {target}: {Innermost(ex).Message}");
            case ClientResultException result:
                return Classify(result, format, target);
            default:
                return ex.InnerException is { } inner ? Classify(inner, format) : null;
        }
    }

    Failure Classify(ClientResultException ex, ChatResponseFormat? format, string target)
    {
        var status = ex.Status;
        var detail = ex.Message;
        return status switch
        {
            401 or 403 => new Failure(FailureKind.Final, new OnboardingError
            {
                Code = ErrorCodes.Unauthorized,
                Message = $"The model server at {_options.BaseUrl} refused the credentials (HTTP {status}); check {LlmOptions.Section}:ApiKey. {detail}",
                Recoverable = false,
            }),
            404 => new Failure(FailureKind.Final, new OnboardingError
            {
                Code = LlmAssessmentEngine.ModelNotFoundCode,
                Message = $"Model '{Model}' or the chat completions endpoint was not found at {_options.BaseUrl} (HTTP 404); check {LlmOptions.Section}:Model and BaseUrl (for Ollama: `ollama pull {Model}`). {detail}",
                Recoverable = false,
            }),
            408 or 409 or 425 or 429 or >= 500 => Transient(
                status == 429 ? LlmAssessmentEngine.RateLimitedCode : LlmAssessmentEngine.UnavailableCode,
                $"The model at {target} answered HTTP {status}. {detail}",
                RetryAfter(ex)),
            400 when format is not null => new Failure(FailureKind.FormatRejected, new OnboardingError
            {
                Code = ErrorCodes.AssessmentFailed,
                Message = detail,
                Recoverable = false,
            }),
            _ => new Failure(FailureKind.Final, new OnboardingError
            {
                Code = ErrorCodes.AssessmentFailed,
                Message = $"The model at {target} rejected the request (HTTP {status}). {detail}",
                Recoverable = false,
            }),
        };
    }

    static Failure Transient(string code, string message, TimeSpan? retryAfter = null) =>
        new(FailureKind.Transient, new OnboardingError { Code = code, Message = message, Recoverable = true }, retryAfter);

    /// <summary>Reads <c>retry-after-ms</c> or <c>Retry-After</c> (seconds or an HTTP date).</summary>
    TimeSpan? RetryAfter(ClientResultException ex)
    {
        var headers = ex.GetRawResponse()?.Headers;
        if (headers is null)
        {
            return null;
        }

        if (headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - _time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    static string Describe(ChatResponseFormat? format) => format switch
    {
        ChatResponseFormatJson { Schema: not null } => "json_schema",
        ChatResponseFormatJson => "json_object",
        _ => "plain text",
    };
}
