using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Etter.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Etter.AiAssessment.Tests.Engines.Llm;

/// <summary>A request the fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, JsonObject Body)
{
    public string Model => Body["model"]?.GetValue<string>() ?? "";

    public JsonArray Messages => Body["messages"]?.AsArray() ?? [];

    public string MessageText(int index) => MessageContent(Messages[index]);

    /// <summary>All message texts joined, for "the prompt contains" checks.</summary>
    public string Prompt => string.Join("\n", Messages.Select(MessageContent));

    static string MessageContent(JsonNode? message) => message?["content"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Join("", parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };
}

/// <summary>How the fake server answers one request.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Body">Builds the body from the request (e.g. to echo its model).</param>
/// <param name="Gate">When set, the reply waits for it (or for the client to hang up).</param>
public sealed record ScriptedReply(int Status, Func<JsonObject, string> Body, Task? Gate = null)
{
    /// <summary>A chat completion whose assistant message is <paramref name="content"/>.</summary>
    public static ScriptedReply Completion(string content, int promptTokens = 100, int completionTokens = 50, string finishReason = "stop", Task? gate = null) =>
        new(200, request => new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_760_000_000,
            ["model"] = request["model"]?.GetValue<string>() ?? "unknown",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = finishReason,
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        }.ToJsonString(), gate);

    /// <summary>An error in the OpenAI error envelope.</summary>
    public static ScriptedReply Error(int status, string message, string type = "server_error") =>
        new(status, _ => new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = status.ToString(CultureInfo.InvariantCulture) },
        }.ToJsonString());
}

/// <summary>
/// An OpenAI-compatible chat completions endpoint (<c>POST /v1/chat/completions</c>, non-streaming) on
/// 127.0.0.1 with a random port. It answers with scripted replies in order (then with
/// <see cref="Fallback"/>) and records every request.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    readonly ConcurrentQueue<ScriptedReply> _script = new();
    readonly List<RecordedRequest> _requests = [];
    readonly SemaphoreSlim _received = new(0);
    LoopbackHttpServer? _http;

    FakeOpenAiServer()
    {
    }

    /// <summary>The API root to configure as BaseUrl, e.g. <c>http://127.0.0.1:49152/v1</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The answer once the script has run out.</summary>
    public ScriptedReply Fallback { get; set; } = ScriptedReply.Error(500, "The fake server has no scripted reply left.");

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var server = new FakeOpenAiServer();
        server._http = await LoopbackHttpServer.StartAsync(server.HandleAsync);
        server.BaseUrl = $"{server._http.Address.TrimEnd('/')}/v1";
        return server;
    }

    public FakeOpenAiServer Enqueue(params ScriptedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }

        return this;
    }

    /// <summary>Waits until <paramref name="count"/> requests in total have arrived.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Requests.Count < count)
        {
            await _received.WaitAsync(cts.Token);
        }
    }

    async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/v1/chat/completions")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"{{\"error\":{{\"message\":\"no route {context.Request.Method} {context.Request.Path}\"}}}}");
            return;
        }

        var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))?.AsObject() ?? [];
        lock (_requests)
        {
            _requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, body));
        }

        _received.Release();
        var reply = _script.TryDequeue(out var next) ? next : Fallback;
        if (reply.Gate is not null)
        {
            try
            {
                await reply.Gate.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(reply.Body(body), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.DisposeAsync();
        }

        _received.Dispose();
    }
}
