using System.Net;
using System.Net.Sockets;
using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Llm;
using Etter.Contracts;
using Microsoft.Extensions.Time.Testing;
using static Etter.AiAssessment.Tests.Engines.Llm.LlmTestData;

namespace Etter.AiAssessment.Tests.Engines.Llm;

public sealed class LlmAssessmentEngineTests : IAsyncLifetime
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ValidReply_ReturnsLlmResultWithConsistentScoresAndTokenUsage()
    {
        _server.Enqueue(ScriptedReply.Completion(ValidReply(), promptTokens: 420, completionTokens: 180));
        var engine = Engine(_server);

        var result = await engine.AssessAsync(Request(), heartbeat: null, CancellationToken.None);

        Assert.Equal("llm", result.Engine);
        Assert.Equal(Model, result.EngineVersion);
        Assert.False(result.IsMock);
        // Equal weights: automation (0.7 + 0 + 0.5) / 3, augmentation (0.2 + 0.4 + 0.4) / 3.
        Assert.Equal(40.0, result.AiAutomationPotentialScore);
        Assert.Equal(33.3, result.AiAugmentationPotentialScore);
        Assert.Equal(result.AiAutomationPotentialScore + result.AiAugmentationPotentialScore, result.AiAutomationScore, 0.11);
        Assert.Equal(result.AiAutomationScore, result.FinalScore);
        Assert.Equal(3, result.TaskAnalysis.TaskCount);
        Assert.Equal(Activities, result.TaskAnalysis.TaskAnalysisTable.Body.Select(row => row[0]));
        Assert.Equal(["Negotiate payment terms with key suppliers in person", "0%", "0%", "20%", "10%", "10%", "60%"], result.TaskAnalysis.TaskAnalysisTable.Body[1]);
        Assert.Contains("Reason for activity 1.", result.ImpactAnalysis, StringComparison.Ordinal);
        Assert.Equal(new TokenUsage { InputTokens = 420, OutputTokens = 180, TotalTokens = 600 }, result.TokenUsage);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ValidReply_RequestCarriesModelBearerKeyActivitiesAndSchema()
    {
        _server.Enqueue(ScriptedReply.Completion(ValidReply()));
        var engine = Engine(_server);

        await engine.AssessAsync(Request(), heartbeat: null, CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal(Model, request.Model);
        Assert.Equal($"Bearer {ApiKey}", request.Authorization);
        Assert.Equal("system", request.Messages[0]?["role"]?.GetValue<string>());
        Assert.Equal("user", request.Messages[1]?["role"]?.GetValue<string>());
        var prompt = request.MessageText(1);
        for (var i = 0; i < Activities.Length; i++)
        {
            Assert.Contains($"{i + 1}. {Activities[i]}", prompt, StringComparison.Ordinal);
        }

        Assert.Contains("Accounts Payable Clerk", prompt, StringComparison.Ordinal);
        Assert.Contains("\"feedback_loop\"", prompt, StringComparison.Ordinal);
        Assert.Equal("json_schema", request.Body["response_format"]?["type"]?.GetValue<string>());
        Assert.NotNull(request.Body["response_format"]?["json_schema"]?["schema"]?["properties"]?["activities"]);
    }

    [Fact]
    public async Task NoApiKey_SendsNoAuthorizationHeader()
    {
        _server.Enqueue(ScriptedReply.Completion(ValidReply()));
        var engine = Engine(_server, o => o.ApiKey = null);

        await engine.AssessAsync(Request(), heartbeat: null, CancellationToken.None);

        Assert.Null(Assert.Single(_server.Requests).Authorization);
    }

    [Fact]
    public async Task FencedReplyWithLooseActivityText_IsAccepted()
    {
        string[] loose = ["  enter SUPPLIER invoices into the ERP   system. ", "2. Negotiate payment terms with key suppliers in person", "Reconcile vendor statements and investigate differences"];
        _server.Enqueue(ScriptedReply.Completion($"Here you go:\n```json\n{ValidReply(loose)}\n```"));
        var engine = Engine(_server);

        var result = await engine.AssessAsync(Request(), heartbeat: null, CancellationToken.None);

        Assert.Equal(Activities, result.TaskAnalysis.TaskAnalysisTable.Body.Select(row => row[0]));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task InvalidJsonThenValid_RepairsWithSecondCall()
    {
        const string broken = """{"activities": [{"activity": "Enter supplier invoices""";
        _server.Enqueue(
            ScriptedReply.Completion(broken, promptTokens: 400, completionTokens: 20),
            ScriptedReply.Completion(ValidReply(), promptTokens: 500, completionTokens: 150));
        var engine = Engine(_server);

        var result = await engine.AssessAsync(Request(), heartbeat: null, CancellationToken.None);

        Assert.Equal(2, _server.Requests.Count);
        var repair = _server.Requests[1];
        Assert.Equal(4, repair.Messages.Count);
        Assert.Equal("assistant", repair.Messages[2]?["role"]?.GetValue<string>());
        Assert.Equal(broken, repair.MessageText(2));
        Assert.Contains("not valid JSON", repair.MessageText(3), StringComparison.Ordinal);
        Assert.Equal(new TokenUsage { InputTokens = 900, OutputTokens = 170, TotalTokens = 1070 }, result.TokenUsage);
    }

    [Fact]
    public async Task MissingActivityThenValid_RepairNamesTheMissingActivity()
    {
        _server.Enqueue(
            ScriptedReply.Completion(ValidReply(Activities[..2], Splits[..2])),
            ScriptedReply.Completion(ValidReply()));
        var engine = Engine(_server);

        var result = await engine.AssessAsync(Request(), heartbeat: null, CancellationToken.None);

        Assert.Equal(3, result.TaskAnalysis.TaskCount);
        var repairText = _server.Requests[1].MessageText(3);
        Assert.Contains("Expected exactly 3 entries", repairText, StringComparison.Ordinal);
        Assert.Contains("Reconcile vendor statements", repairText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidTwice_ThrowsRecoverableInvalidOutput()
    {
        _server.Enqueue(
            ScriptedReply.Completion("I think the first activity is mostly automatable."),
            ScriptedReply.Completion(ValidReply(splits: [[50, 50, 50, 0, 0, 0], [0, 0, 20, 10, 10, 60], [30, 20, 20, 10, 10, 10]])));
        var engine = Engine(_server);

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request(), null, CancellationToken.None));

        Assert.Equal(LlmAssessmentEngine.InvalidOutputCode, ex.Error.Code);
        Assert.Equal("AI_ASSESSMENT_INVALID_OUTPUT", ex.Error.Code);
        Assert.True(ex.Error.Recoverable);
        Assert.Contains("sum to 150", ex.Error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Unauthorized401_ThrowsNonRecoverableAfterOneCall()
    {
        _server.Fallback = ScriptedReply.Error(401, "Incorrect API key provided.", "invalid_request_error");
        var engine = Engine(_server);

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request(), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.Unauthorized, ex.Error.Code);
        Assert.False(ex.Error.Recoverable);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ModelNotFound404_ThrowsNonRecoverableAfterOneCall()
    {
        _server.Fallback = ScriptedReply.Error(404, "model 'test-model' not found", "not_found_error");
        var engine = Engine(_server);

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request(), null, CancellationToken.None));

        Assert.Equal(LlmAssessmentEngine.ModelNotFoundCode, ex.Error.Code);
        Assert.False(ex.Error.Recoverable);
        Assert.Contains("test-model", ex.Error.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ServerError500Then200_SucceedsAfterRetry()
    {
        _server.Enqueue(ScriptedReply.Error(500, "boom"), ScriptedReply.Completion(ValidReply()));
        var engine = Engine(_server);

        var result = await engine.AssessAsync(Request(), null, CancellationToken.None);

        Assert.Equal("llm", result.Engine);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task RateLimited429Then200_SucceedsAfterRetry()
    {
        _server.Enqueue(ScriptedReply.Error(429, "Rate limit reached", "rate_limit_exceeded"), ScriptedReply.Completion(ValidReply()));
        var engine = Engine(_server);

        var result = await engine.AssessAsync(Request(), null, CancellationToken.None);

        Assert.Equal(3, result.TaskAnalysis.TaskCount);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task ServerError500Always_ThrowsRecoverableAfterMaxRetriesPlusOneCalls()
    {
        _server.Fallback = ScriptedReply.Error(503, "overloaded");
        var engine = Engine(_server, o => o.MaxRetries = 3);

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request(), null, CancellationToken.None));

        Assert.True(ex.Error.Recoverable);
        Assert.Equal(LlmAssessmentEngine.UnavailableCode, ex.Error.Code);
        Assert.Contains("503", ex.Error.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task SchemaFormatRejected400_FallsBackToJsonMode()
    {
        _server.Enqueue(
            ScriptedReply.Error(400, "response_format json_schema is not supported", "invalid_request_error"),
            ScriptedReply.Completion(ValidReply()));
        var engine = Engine(_server, o => o.MaxRetries = 0);

        var result = await engine.AssessAsync(Request(), null, CancellationToken.None);

        Assert.Equal(3, result.TaskAnalysis.TaskCount);
        Assert.Equal("json_schema", _server.Requests[0].Body["response_format"]?["type"]?.GetValue<string>());
        Assert.Equal("json_object", _server.Requests[1].Body["response_format"]?["type"]?.GetValue<string>());
    }

    [Fact]
    public async Task ConnectionRefused_ThrowsRecoverableAfterRetries()
    {
        // Bound but not listening: connections are refused, and no other test's server can take the port meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var engine = Engine(_server, o => o.BaseUrl = $"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}/v1");

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request(), null, CancellationToken.None));

        Assert.True(ex.Error.Recoverable);
        Assert.Equal(LlmAssessmentEngine.UnavailableCode, ex.Error.Code);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ReplySlowerThanTimeout_ThrowsRecoverableTimeout()
    {
        var never = new TaskCompletionSource();
        _server.Fallback = ScriptedReply.Completion(ValidReply(), gate: never.Task);
        var engine = Engine(_server, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetries = 1;
        });

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request(), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.Timeout, ex.Error.Code);
        Assert.True(ex.Error.Recoverable);
        // On a busy machine an attempt can time out before the server has read it, so only an upper bound
        // holds on the real clock; FakeClockPastTimeout checks the exact count.
        Assert.InRange(_server.Requests.Count, 1, 2);
    }

    [Fact]
    public async Task FakeClockPastTimeout_CancelsTheCallAsRecoverableTimeout()
    {
        var time = new FakeTimeProvider();
        var never = new TaskCompletionSource();
        _server.Fallback = ScriptedReply.Completion(ValidReply(), gate: never.Task);
        var engine = Engine(_server, o =>
        {
            o.Timeout = TimeSpan.FromMinutes(2);
            o.MaxRetries = 0;
        }, time);

        var assessing = engine.AssessAsync(Request(), null, CancellationToken.None);
        await _server.WaitForRequestsAsync(1, Patience);
        time.Advance(TimeSpan.FromMinutes(2));

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => assessing.WaitAsync(Patience));
        Assert.Equal(ErrorCodes.Timeout, ex.Error.Code);
        Assert.True(ex.Error.Recoverable);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task SlowReply_InvokesHeartbeatEveryIntervalUntilTheReplyArrives()
    {
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource();
        _server.Enqueue(ScriptedReply.Completion(ValidReply(), gate: release.Task));
        var engine = Engine(_server, WithHeartbeatEvery15Seconds, time);
        using var beats = new SemaphoreSlim(0);
        var count = 0;

        var assessing = engine.AssessAsync(Request(), _ =>
        {
            Interlocked.Increment(ref count);
            beats.Release();
            return Task.CompletedTask;
        }, CancellationToken.None);
        await _server.WaitForRequestsAsync(1, Patience);

        time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await beats.WaitAsync(TimeSpan.FromMilliseconds(50)));
        for (var i = 0; i < 3; i++)
        {
            time.Advance(i == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15));
            Assert.True(await beats.WaitAsync(Patience), $"heartbeat {i + 1} did not come");
        }

        release.SetResult();
        var result = await assessing.WaitAsync(Patience);

        Assert.Equal("llm", result.Engine);
        Assert.Equal(3, Volatile.Read(ref count));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await beats.WaitAsync(TimeSpan.FromMilliseconds(100)), "heartbeats went on after the call completed");
    }

    [Fact]
    public async Task FailingHeartbeat_DoesNotFailTheAssessment()
    {
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource();
        _server.Enqueue(ScriptedReply.Completion(ValidReply(), gate: release.Task));
        var engine = Engine(_server, WithHeartbeatEvery15Seconds, time);
        using var called = new SemaphoreSlim(0);

        var assessing = engine.AssessAsync(Request(), _ =>
        {
            called.Release();
            throw new InvalidOperationException("bus down");
        }, CancellationToken.None);
        await _server.WaitForRequestsAsync(1, Patience);
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.True(await called.WaitAsync(Patience));
        release.SetResult();

        var result = await assessing.WaitAsync(Patience);
        Assert.Equal(3, result.TaskAnalysis.TaskCount);
    }

    [Fact]
    public async Task JobDescriptionWithoutActivities_ThrowsNonRecoverableWithoutCalling()
    {
        var engine = Engine(_server);

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => engine.AssessAsync(Request("   "), null, CancellationToken.None));

        Assert.False(ex.Error.Recoverable);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task CallerCancels_ThrowsOperationCanceled()
    {
        var never = new TaskCompletionSource();
        _server.Fallback = ScriptedReply.Completion(ValidReply(), gate: never.Task);
        var engine = Engine(_server);
        using var cts = new CancellationTokenSource();

        var assessing = engine.AssessAsync(Request(), null, cts.Token);
        await _server.WaitForRequestsAsync(1, Patience);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => assessing.WaitAsync(Patience));
        Assert.Single(_server.Requests);
    }

    /// <summary>The call timeout runs on the same (fake) clock, so it must outlast the time the test advances.</summary>
    static void WithHeartbeatEvery15Seconds(LlmOptions options)
    {
        options.HeartbeatInterval = TimeSpan.FromSeconds(15);
        options.Timeout = TimeSpan.FromMinutes(5);
    }
}
