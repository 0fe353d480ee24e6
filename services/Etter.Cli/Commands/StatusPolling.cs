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
            while (!deadline.IsCancellationRequested)
            {
                var status = await AskAsync(client, request.WorkflowId, deadline.Token);
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
            return await AskAsync(host.Services.GetRequiredService<IRequestClient<GetOnboardingStatus>>(), workflowId, CancellationToken.None);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    static async Task<PipelineStatusResponse?> AskAsync(IRequestClient<GetOnboardingStatus> client, Guid workflowId, CancellationToken cancellationToken)
    {
        var response = await client.GetResponse<OnboardingStatus, OnboardingNotFound>(new GetOnboardingStatus { WorkflowId = workflowId }, cancellationToken);
        return response.Is(out Response<OnboardingStatus>? found) ? PipelineStatusMapper.From(found!.Message) : null;
    }
}
