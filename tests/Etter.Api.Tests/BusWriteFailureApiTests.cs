using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Etter.Contracts;
using Etter.Messaging.Bus;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Api.Tests;

/// <summary>
/// The bus failing a push after the write reached its transport (a confirm lost with the connection, a node stopping
/// mid-write): the role may be queued or not, and the API must say so rather than claim it was not queued. The fault
/// is a send observer on the real in-memory bus, which MassTransit calls between building the transport's send
/// context and handing the message over.
/// </summary>
public class BusWriteFailureApiTests(BusWriteFailureApiTests.Factory factory) : IClassFixture<BusWriteFailureApiTests.Factory>
{
    const string DoomedRole = "Doomed Mid-Write Analyst";

    readonly HttpClient _client = factory.CreateClient();

    public class Factory : EmbeddedApiFactory
    {
        /// <summary>Fails, after the transport took them, the writes of pushes for <see cref="DoomedRole"/>.</summary>
        public IDisposable FailWritesOfDoomedRole() =>
            Observe(new WriteFault(message => message is OnboardRoleRequested { RoleName: DoomedRole }, delay: null));

        /// <summary>Holds up, after the transport took them, the writes of messages <paramref name="matches"/> picks.</summary>
        public IDisposable DelayWrites(Func<object, bool> matches, TimeSpan delay) => Observe(new WriteFault(matches, delay));

        IDisposable Observe(ISendObserver observer) => new Handle(Services.GetRequiredService<IBus>().ConnectSendObserver(observer));

        sealed class Handle(ConnectHandle handle) : IDisposable
        {
            public void Dispose() => handle.Disconnect();
        }

        /// <summary>Without a delay the write fails; with one it is slow and then goes through.</summary>
        sealed class WriteFault(Func<object, bool> matches, TimeSpan? delay) : ISendObserver
        {
            public async Task PreSend<T>(SendContext<T> context)
                where T : class
            {
                if (!matches(context.Message))
                {
                    return;
                }

                if (delay is not { } wait)
                {
                    throw new InvalidOperationException("the connection dropped before the broker confirmed the write");
                }

                await Task.Delay(wait);
            }

            public Task PostSend<T>(SendContext<T> context)
                where T : class => Task.CompletedTask;

            public Task SendFault<T>(SendContext<T> context, Exception exception)
                where T : class => Task.CompletedTask;
        }
    }

    /// <summary>
    /// The same, with the API treating its bus as durable (as on RabbitMQ): batches send without awaiting the saga, and
    /// a push the saga is slow to answer is accepted once the bus confirmed it. A short wait keeps those tests quick.
    /// </summary>
    public sealed class DurableFactory : Factory
    {
        public static readonly TimeSpan SubmitTimeout = TimeSpan.FromSeconds(1);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            base.ConfigureWebHost(builder);
            builder.UseSetting("Etter:Api:SubmitTimeout", SubmitTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services => services.AddSingleton(new BusDurability(SurvivesRestart: true)));
        }
    }

    protected HttpClient Client => _client;

    protected static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task PushFailingMidWrite_Is503SayingItMayBeQueuedUnderItsId()
    {
        using var fault = factory.FailWritesOfDoomedRole();

        var response = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json($$"""{"company_id": "Midwrite Co", "role_name": "{{DoomedRole}}"}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.True(detail.GetProperty("recoverable").GetBoolean());
        var message = detail.GetProperty("message").GetString()!;
        Assert.Matches("may have been queued as workflow [0-9a-f-]{36}", message);
        Assert.DoesNotContain("not queued", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchWithARoleFailingMidWrite_ListsItAsUncertainNotRejected()
    {
        using var fault = factory.FailWritesOfDoomedRole();

        var response = await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true", Json($$"""
            {"company_id": "Midwrite Batch Co", "roles": [{"role_name": "Steady Clerk"}, {"role_name": "{{DoomedRole}}"}, {"role_name": "Steady Porter"}]}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("workflow_ids").GetArrayLength());
        Assert.Equal(0, body.GetProperty("rejected").GetArrayLength());
        var uncertain = Assert.Single(body.GetProperty("uncertain").EnumerateArray().ToList());
        Assert.Equal(DoomedRole, uncertain.GetProperty("role_name").GetString());
        Assert.Equal(1, uncertain.GetProperty("index").GetInt32());
        Assert.True(Guid.TryParse(uncertain.GetProperty("workflow_id").GetString(), out _));
        Assert.Contains("1 uncertain", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchWhoseOnlyRoleFailsMidWrite_IsNot503()
    {
        using var fault = factory.FailWritesOfDoomedRole();

        var response = await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true", Json($$"""
            {"company_id": "Midwrite Lone Co", "roles": [{"role_name": "{{DoomedRole}}"}]}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, body.GetProperty("workflow_ids").GetArrayLength());
        Assert.Single(body.GetProperty("uncertain").EnumerateArray().ToList());
    }
}

/// <summary>The tests above again on the durable path, plus what only it does: accept a push the saga is slow to answer.</summary>
public sealed class DurableBusWriteFailureApiTests(BusWriteFailureApiTests.DurableFactory factory)
    : BusWriteFailureApiTests(factory), IClassFixture<BusWriteFailureApiTests.DurableFactory>
{
    static readonly TimeSpan LongerThanTheWait = BusWriteFailureApiTests.DurableFactory.SubmitTimeout * 3;

    [Fact]
    public async Task PushConfirmedButAnsweredLate_IsAcceptedUnconfirmed()
    {
        using var slowAnswer = factory.DelayWrites(message => message is OnboardingAccepted, LongerThanTheWait);

        var response = await Client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Midwrite Co", "role_name": "Slow Answer Planner"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Contains("has not confirmed it yet", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushWhoseWriteOutlastsTheWait_Is503UncertainAndStillFindable()
    {
        using var slowWrite = factory.DelayWrites(message => message is OnboardRoleRequested { RoleName: "Slow Write Planner" }, LongerThanTheWait);

        var response = await Client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Midwrite Co", "role_name": "Slow Write Planner"}"""));

        // Before the broker's word on the write, accepting would promise what a lost write breaks.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("message").GetString()!;
        var id = System.Text.RegularExpressions.Regex.Match(message, "workflow ([0-9a-f-]{36})").Groups[1].Value;

        // Here the write did go through in the end, so the id the answer named is the workflow.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await Client.GetAsync($"/api/v1/pipeline/status/{id}", wait.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, wait.Token);
        }
    }
}
