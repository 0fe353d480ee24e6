using Etter.Api;
using Etter.Messaging.Bus;
using Etter.TestSupport;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// The queue the API's answers arrive on, on the real broker. MassTransit consumes it only once something is connected,
/// and requests made before then each block a pool thread waiting for it: a burst of pushes to a new API stalled for
/// seconds (<see cref="ResponseQueueStarter"/>).
/// </summary>
public sealed class ResponseQueueTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task ApiBusStarted_ItsResponseQueueHasAConsumerBeforeAnyRequest()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(_environment.ServiceConfiguration());
        builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddEtterApiComponents());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var queue = host.Services.GetRequiredService<IBus>().Address.AbsolutePath.Split('/')[^1];

            // The management API refreshes a queue's consumer count every few seconds; without the starter it stays 0
            // (or the queue is not even declared) until the first request.
            Assert.True(await HasConsumerAsync(queue), $"nothing consumes {queue} after the host started");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    async Task<bool> HasConsumerAsync(string queue)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var info = await _environment.GetQueueAsync(queue);
            if (info?.TryGetProperty("consumers", out var consumers) == true && consumers.GetInt32() > 0)
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }
}
