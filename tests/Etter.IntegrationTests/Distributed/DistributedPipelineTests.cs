using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.Orchestrator.Saga;
using Etter.StatusStore;
using Etter.TestSupport;
using Npgsql;
using RabbitMQ.Client;

namespace Etter.IntegrationTests.Distributed;

/// <summary>The four services as separate processes on real RabbitMQ, PostgreSQL and Redis.</summary>
public sealed class DistributedPipelineTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    async Task<(string State, double? Score)> ReadSagaRowAsync(string workflowId)
    {
        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select current_state, final_score from onboarding_state where workflow_id = @id", db);
        command.Parameters.AddWithValue("id", Guid.Parse(workflowId));
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no saga row for {workflowId}");
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetDouble(1));
    }

    [Fact]
    public async Task HttpPush_ReachesReadyInPostgresAndRedis()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);

        var id = await deployment.PushAsync("Liberty Mutual", "Claims Adjuster");
        var status = await deployment.WaitForTerminalAsync(id);

        Assert.Equal("ready", status.GetProperty("status").GetString());
        var (state, score) = await ReadSagaRowAsync(id);
        Assert.Equal(nameof(OnboardingStateMachine.Ready), state);
        Assert.NotNull(score);
        using var redis = await _environment.ConnectRedisAsync();
        var cached = await redis.GetDatabase().StringGetAsync(RedisWorkflowStatusStore.Key(_environment.RedisKeyPrefix, Guid.Parse(id)));
        Assert.False(cached.IsNullOrEmpty, "status missing from Redis");
        Assert.Contains("\"status\":\"ready\"", cached.ToString(), StringComparison.Ordinal);
        Assert.True(await redis.GetDatabase().KeyTimeToLiveAsync(RedisWorkflowStatusStore.Key(_environment.RedisKeyPrefix, Guid.Parse(id))) > TimeSpan.FromHours(23));
    }

    [Fact]
    public async Task AssessmentEngineMisconfigured_WorkflowReportedFailedAtAssessmentNeverReady()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment, [("AiAssessment", "Etter__Assessment__DefaultEngine", "no-such-engine")]);

        var id = await deployment.PushAsync("Liberty Mutual", "Claims Adjuster", useMock: false);
        var status = await deployment.WaitForTerminalAsync(id);

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("no-such-engine", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        var detail = status.GetProperty("error_detail");
        Assert.Equal("ai_assessment", detail.GetProperty("step").GetString());
        Assert.False(detail.GetProperty("recoverable").GetBoolean());
        var steps = status.GetProperty("progress").GetProperty("steps");
        Assert.Equal("completed", steps[0].GetProperty("status").GetString());
        Assert.Equal("failed", steps[1].GetProperty("status").GetString());
        Assert.Equal(nameof(OnboardingStateMachine.Failed), (await ReadSagaRowAsync(id)).State);
    }

    [Fact]
    public async Task OrchestratorKilledMidFlight_RestartedAndEveryWorkflowCompletes()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var orchestrator = deployment.Get("Orchestrator");

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await deployment.PushAsync("Walmart Inc.", $"Store Manager {i}"));
        }

        await orchestrator.KillAsync();

        // With no orchestrator to answer, each push waits out the API's submit timeout before it is accepted
        // unconfirmed; sent together they wait it out once instead of ten times.
        ids.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(i => deployment.PushAsync("Walmart Inc.", $"Supply Chain Analyst {i}"))));

        orchestrator.Start();
        await orchestrator.WaitHealthyAsync();

        foreach (var id in ids)
        {
            Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id, TimeSpan.FromSeconds(90))).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task PlainJsonFromANonDotNetPublisher_BecomesAWorkflowThatReachesReady()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var id = Guid.NewGuid().ToString();
        var json = $$"""
            {"workflowId": "{{id}}", "companyId": "Acme Corporation", "roleName": "Data Scientist",
             "documents": [{"type": "job_description", "content": "## Responsibilities\n- Build forecasting models\n- Generate weekly reports"}],
             "options": {"useMockAssessment": true}, "requestedBy": "python-backend"}
            """;

        await PublishRawAsync("Etter.Contracts:OnboardRoleRequested", Encoding.UTF8.GetBytes(json));

        var status = await deployment.WaitForTerminalAsync(id);
        Assert.Equal("ready", status.GetProperty("status").GetString());
        Assert.Equal("Data Scientist", status.GetProperty("role_name").GetString());
    }

    [Fact]
    public async Task PlainJsonWithValuesLongerThanTheirColumns_IsRecordedAsAValidationError()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var id = Guid.NewGuid().ToString();
        var json = JsonSerializer.Serialize(new
        {
            workflowId = id,
            companyId = "Acme Corporation",
            roleName = new string('r', 5_000),
            draupRoleName = new string('d', 1_000),
            requestedBy = new string('p', 1_000),
        });

        await PublishRawAsync("Etter.Contracts:OnboardRoleRequested", Encoding.UTF8.GetBytes(json));

        // PostgreSQL refuses a value longer than its column: unclipped, the insert failed on every retry and the
        // workflow was never recorded.
        var status = await deployment.WaitForTerminalAsync(id);
        Assert.Equal("validation_error", status.GetProperty("status").GetString());
        Assert.Contains("role_name", status.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedMessages_LandInTheErrorQueueWithAReasonAndTheServiceKeepsRunning()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);

        await PublishRawAsync("Etter.Contracts:OnboardRoleRequested", "this is not json"u8.ToArray());
        await PublishRawAsync("Etter.Contracts:OnboardRoleRequested", """{"companyId": "Acme Corporation"}"""u8.ToArray());

        var reasons = await WaitForErrorReasonsAsync("onboard-role-requested_error", expected: 2);
        Assert.Contains(reasons, r => r.Contains("missing required field(s): workflowId, roleName", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("json", StringComparison.OrdinalIgnoreCase) || r.Contains("deserializ", StringComparison.OrdinalIgnoreCase));

        // With quorum endpoint queues (the default), dead letters still sit in a durable queue.
        var errorQueue = await _environment.GetQueueAsync("onboard-role-requested_error");
        Assert.True(errorQueue!.Value.GetProperty("durable").GetBoolean());

        // And the intake is still alive: a good push after the bad ones goes through.
        Assert.True(deployment.Get("Orchestrator").IsRunning);
        var id = await deployment.PushAsync("Acme Corporation", "Data Scientist");
        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task SameWorkflowIdPublishedTwice_MakesOneWorkflow()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var id = Guid.NewGuid().ToString();
        var json = Encoding.UTF8.GetBytes($$"""{"workflowId": "{{id}}", "companyId": "Acme Corporation", "roleName": "Data Scientist", "options": {"useMockAssessment": true} }""");

        await PublishRawAsync("Etter.Contracts:OnboardRoleRequested", json);
        await PublishRawAsync("Etter.Contracts:OnboardRoleRequested", json);
        await deployment.WaitForTerminalAsync(id);

        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select count(*), max(role_setup_attempt) from onboarding_state where workflow_id = @id", db);
        command.Parameters.AddWithValue("id", Guid.Parse(id));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(1, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt32(1));
    }

    [Fact]
    public async Task FiftyIdenticalPushesThroughTwoApis_MakeOneWorkflowAndEveryAnswerCarriesItsId()
    {
        // What is tested is who wins, not how fast: on a loaded CI machine fifty answers queued behind one role's lock
        // can take longer than the default wait, after which an API answers with its own id ("unconfirmed").
        (string, string, string)[] patientApis = [("Api", "Etter__Api__SubmitTimeout", "00:00:25")];
        await using var deployment = await EtterDeployment.StartAsync(_environment, patientApis);
        var second = deployment.Add("Api", patientApis, instanceName: "Api-2");
        second.Start();
        await second.WaitHealthyAsync();
        using var secondHttp = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        secondHttp.DefaultRequestHeaders.Add("X-Api-Key", _environment.ApiKey);
        var body = new { company_id = "Race Co", role_name = "Claims Adjuster", documents = new[] { new { type = "job_description", content = "## Responsibilities\n- Enter claim data" } } };

        // All fifty wait on one signal, so they reach the two APIs at the same instant.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pushes = Enumerable.Range(0, 50).Select(async i =>
        {
            await go.Task;
            using var response = await (i % 2 == 0 ? deployment.Http : secondHttp).PostAsJsonAsync("/api/v1/pipeline/push?use_mock=true", body);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;
        }).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(pushes);

        Assert.True(answers.Distinct().Count() == 1, deployment.DescribeServices());
        var id = answers[0];
        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id)).GetProperty("status").GetString());
        Assert.Equal(1, await _environment.ScalarAsync($"select count(*) from onboarding_state where company_id = 'Race Co' and current_state <> '{nameof(OnboardingStateMachine.Duplicate)}'"));
        Assert.Equal(49, await _environment.ScalarAsync($"select count(*) from onboarding_state where company_id = 'Race Co' and current_state = '{nameof(OnboardingStateMachine.Duplicate)}' and duplicate_of = '{id}'"));
    }

    [Fact]
    public async Task FiftyIdenticalRequestsOnTheBus_OneWorkflowWorksAndTheOthersPointToIt()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);

        // With RoleSetup down the first workflow stays in flight while all fifty arrive, whatever the machine's speed.
        var roleSetup = deployment.Get("RoleSetup");
        await roleSetup.KillAsync();
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(ids.Select(id => PublishRawAsync(
            "Etter.Contracts:OnboardRoleRequested",
            Encoding.UTF8.GetBytes($$"""{"workflowId": "{{id}}", "companyId": "Bus Race Co", "roleName": "Data Scientist", "documents": [{"type": "job_description", "content": "## Responsibilities\n- Build models"}], "options": {"useMockAssessment": true} }"""))));
        await _environment.WaitForCountAsync("select count(*) from onboarding_state where company_id = 'Bus Race Co'", 50, TimeSpan.FromSeconds(60), deployment.DescribeServices);
        roleSetup.Start();
        await roleSetup.WaitHealthyAsync();

        var working = await _environment.ScalarAsync($"select count(*) from onboarding_state where company_id = 'Bus Race Co' and current_state <> '{nameof(OnboardingStateMachine.Duplicate)}'");
        Assert.Equal(1, working);
        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand($"select workflow_id from onboarding_state where company_id = 'Bus Race Co' and current_state <> '{nameof(OnboardingStateMachine.Duplicate)}'", db);
        var winner = (Guid)(await command.ExecuteScalarAsync())!;
        Assert.Contains(winner, ids);
        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(winner.ToString(), TimeSpan.FromSeconds(90))).GetProperty("status").GetString());

        // Each loser answers its own status query with the documented duplicate state and the winner's id.
        foreach (var loser in ids.Where(i => i != winner).Take(5))
        {
            var status = (await deployment.StatusAsync(loser.ToString()))!.Value;
            Assert.Equal("duplicate", status.GetProperty("status").GetString());
            Assert.Equal(winner.ToString(), status.GetProperty("duplicate_of").GetString());
        }

        Assert.Equal(49, await _environment.ScalarAsync($"select count(*) from onboarding_state where company_id = 'Bus Race Co' and duplicate_of = '{winner}'"));
    }

    async Task PublishRawAsync(string exchange, byte[] body)
    {
        await using var connection = await ScratchBroker.ConnectAsync(_environment);
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync(exchange, routingKey: "", mandatory: false, basicProperties: properties, body: body);
    }

    async Task<List<string>> WaitForErrorReasonsAsync(string queue, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var info = await _environment.GetQueueAsync(queue);
            if (info is { } q && q.TryGetProperty("messages", out var count) && count.GetInt32() >= expected)
            {
                var messages = await _environment.PeekMessagesAsync(queue, expected);
                return messages.EnumerateArray()
                    .Select(m => m.GetProperty("properties").GetProperty("headers").GetProperty("MT-Fault-Message").GetString() ?? "")
                    .ToList();
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"Queue {queue} did not receive {expected} message(s).");
    }
}
