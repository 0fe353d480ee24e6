using Etter.Messaging.Bus;
using MassTransit;

namespace Etter.Shared.Tests.Messaging;

public sealed class EndpointOutagesTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 6, 13, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Readings of one endpoint, "second:status" each (h healthy, d degraded, u unhealthy, - not listed), and what is
    /// reported after each reading ("." nothing, "out N" still out after N s, "back N" consuming again after N s).
    /// </summary>
    [Theory]
    [InlineData("0:h 5:h 10:h", ". . .")]
    [InlineData("0:u 5:u 29:u", ". . .")]
    [InlineData("0:u 30:u", ". out 30")]
    [InlineData("0:d 30:d", ". out 30")]
    [InlineData("0:u 30:u 35:u 89:u 90:u", ". out 30 . . out 90")]
    [InlineData("0:u 30:u 40:h", ". out 30 back 40")]
    [InlineData("0:u 20:h 25:u 50:u 55:u", ". . . . out 30")]
    [InlineData("0:u 20:- 25:u 50:u 55:u", ". . . . out 30")]
    [InlineData("0:u 30:u 35:- 40:h", ". out 30 . .")]
    public void Readings_ReportLongOutagesOnceAMinuteAndTheirEnd(string readings, string expected)
    {
        var outages = new EndpointOutages(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        var said = new List<string>();
        foreach (var reading in readings.Split(' '))
        {
            var (second, status) = (int.Parse(reading.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture), reading.Split(':')[1]);
            (string, BusHealthStatus, string?)[] endpoints = status == "-" ? [] : [("onboarding-saga-0", Status(status), "not ready")];
            var reports = outages.Observe(Start.AddSeconds(second), endpoints);
            said.Add(reports.Count == 0 ? "." : string.Join(',', reports.Select(r => $"{(r.Ended ? "back" : "out")} {r.Down.TotalSeconds:0}")));
        }

        Assert.Equal(expected, string.Join(' ', said));
    }

    [Fact]
    public void TwoEndpoints_AreTrackedApart()
    {
        var outages = new EndpointOutages(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        outages.Observe(Start, [("saga", BusHealthStatus.Unhealthy, "down"), ("intake", BusHealthStatus.Healthy, null)]);
        outages.Observe(Start.AddSeconds(15), [("saga", BusHealthStatus.Unhealthy, "down"), ("intake", BusHealthStatus.Unhealthy, "down")]);

        var reports = outages.Observe(Start.AddSeconds(30), [("saga", BusHealthStatus.Unhealthy, "down"), ("intake", BusHealthStatus.Unhealthy, "down")]);

        var report = Assert.Single(reports);
        Assert.Equal("saga", report.Endpoint);
        Assert.Equal("Unhealthy: down", report.Detail);
    }

    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5681/etter-it-35709362cad/onboarding-saga-0", "onboarding-saga-0")]
    [InlineData("rabbitmq://localhost/onboard-role-requested", "onboard-role-requested")]
    [InlineData("onboarding-saga-0", "onboarding-saga-0")]
    public void EndpointAddress_IsLoggedByItsQueueName(string endpoint, string queue)
    {
        Assert.Equal(queue, ReceiveEndpointHealthLog.QueueName(endpoint));
    }

    static BusHealthStatus Status(string code) => code switch
    {
        "h" => BusHealthStatus.Healthy,
        "d" => BusHealthStatus.Degraded,
        _ => BusHealthStatus.Unhealthy,
    };
}
