using Etter.Api.Status;
using Etter.Cli.Hosting;
using Etter.Contracts;
using Etter.Messaging.Bus;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Cli.Commands;

/// <summary>Distributed mode: talk to the saga over the bus (GetOnboardingStatus request/response).</summary>
static class StatusPolling
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<PipelineStatusResponse?> PublishAndFollowAsync(IConfiguration configuration, OnboardRoleRequested request, TextWriter progress, TimeSpan timeout)
    {
        using var host = await CliHost.StartClientAsync(configuration);
        try
        {
            await host.Services.GetRequiredService<IPublishEndpoint>().PublishBoundedAsync(request);
            var client = host.Services.GetRequiredService<IRequestClient<GetOnboardingStatus>>();
            using var deadline = new CancellationTokenSource(timeout);
            long lastVersion = -1;
            var toldNoAnswer = false;
            while (!deadline.IsCancellationRequested)
            {
                var (answered, status) = await AskAsync(client, request.WorkflowId, deadline.Token);
                if (!answered && !toldNoAnswer)
                {
                    // The request waits in the saga's queue (once an orchestrator has ever declared it, docs/reliability.md) and
                    // runs when one takes it, so keep asking until the timeout.
                    progress.WriteLine($"  (no answer from the orchestrator within {CliHost.StatusAnswerTimeout.TotalSeconds:0} s; still asking. Is it running? deploy/local/up.sh starts the services.)");
                    toldNoAnswer = true;
                }

                if (status is not null && status.Version != lastVersion)
                {
                    lastVersion = status.Version;
                    progress.WriteLine(Output.Progress(status));
                    if (OnboardingStatuses.IsTerminal(status.Status))
                    {
                        return status;
                    }
                }

                await Task.Delay(PollInterval, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return null;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public static async Task<PipelineStatusResponse?> AskOnceAsync(IConfiguration configuration, Guid workflowId)
    {
        using var host = await CliHost.StartClientAsync(configuration);
        try
        {
            var (answered, status) = await AskAsync(host.Services.GetRequiredService<IRequestClient<GetOnboardingStatus>>(), workflowId, CancellationToken.None);
            return answered
                ? status
                : throw new ServersUnavailableException($"no answer from the orchestrator within {CliHost.StatusAnswerTimeout.TotalSeconds:0} s. Is it running? deploy/local/up.sh starts the services.");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <returns>Whether the saga answered in time, and the status it gave (null: it knows no such workflow).</returns>
    static async Task<(bool Answered, PipelineStatusResponse? Status)> AskAsync(IRequestClient<GetOnboardingStatus> client, Guid workflowId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponse<OnboardingStatus, OnboardingNotFound>(new GetOnboardingStatus { WorkflowId = workflowId }, cancellationToken);
            return (true, response.Is(out Response<OnboardingStatus>? found) ? PipelineStatusMapper.From(found!.Message) : null);
        }
        catch (RequestTimeoutException)
        {
            return (false, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller's overall deadline passed mid-question: it reports the timeout.
            return (false, null);
        }
    }
}
