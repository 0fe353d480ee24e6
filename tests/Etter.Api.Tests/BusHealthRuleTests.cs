using Etter.Api.Health;
using MassTransit;

namespace Etter.Api.Tests;

public sealed class BusHealthRuleTests
{
    const BusHealthStatus H = BusHealthStatus.Healthy;
    const BusHealthStatus D = BusHealthStatus.Degraded;
    const BusHealthStatus U = BusHealthStatus.Unhealthy;

    public static TheoryData<BusHealthStatus, BusHealthStatus[], BusHealthStatus> Cases => new()
    {
        { H, [H], H },
        { H, [], H },
        // The broker gone: the reply endpoint was told "stopped" after "faulted".
        { D, [D], U },
        { D, [D, U], U },
        // One endpoint still ready: the connection is there, only some endpoint is unhappy.
        { D, [H, D], D },
        { D, [H, U], D },
        { U, [U], U },
        // Not started yet, or stopped: MassTransit's verdict stands.
        { U, [], U },
        { D, [], D },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BusAndEndpointStatuses_JudgedAsExpected(BusHealthStatus bus, BusHealthStatus[] endpoints, BusHealthStatus expected)
    {
        Assert.Equal(expected, BusHealthRule.Judge(bus, endpoints));
    }
}
