using Etter.Contracts;
using Etter.Orchestrator.Tests.Support;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;

namespace Etter.Orchestrator.Tests.Intake;

/// <summary>The intake endpoint turns requests that cannot become a workflow into faults (the _error queue), not sagas.</summary>
public sealed class IntakeTests
{
    [Theory]
    [InlineData("", "Claims Adjuster", "companyId")]
    [InlineData("Liberty Mutual", "  ", "roleName")]
    public async Task RequestMissingARequiredField_FaultsWithTheFieldNameAndCreatesNoWorkflow(string company, string role, string field)
    {
        await using var saga = await SagaHarness.StartAsync();
        var id = Guid.NewGuid();

        await saga.Harness.Bus.Publish(Messages.Onboard(id, company: company, role: role));

        Assert.True(await Eventually.TrueAsync(() => saga.Harness.Published.SoFar<Fault<OnboardRoleRequested>>().Any()));
        var fault = saga.Harness.Published.SoFar<Fault<OnboardRoleRequested>>().First().Context.Message;
        Assert.Contains(field, fault.Exceptions[0].Message, StringComparison.Ordinal);
        Assert.Null(await saga.LoadAsync(id));
    }
}
