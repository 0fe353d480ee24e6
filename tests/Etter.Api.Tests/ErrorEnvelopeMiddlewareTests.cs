using System.Net;
using System.Text.Json;
using Etter.Api.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Etter.Api.Tests;

public sealed class ErrorEnvelopeMiddlewareTests
{
    [Fact]
    public async Task UnhandledFailure_Returns500EnvelopeWithoutTheExceptionsText()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.UseErrorEnvelopes();
        app.MapGet("/fails", string () => throw new InvalidOperationException("connection string with a password"));
        await app.StartAsync();

        var response = await app.GetTestClient().GetAsync(new Uri("/fails", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail");
        Assert.Equal("INTERNAL_ERROR", detail.GetProperty("error").GetString());
        Assert.True(detail.GetProperty("recoverable").GetBoolean());
        Assert.DoesNotContain("password", body, StringComparison.Ordinal);
    }
}
