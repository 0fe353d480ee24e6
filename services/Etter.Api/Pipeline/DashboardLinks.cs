namespace Etter.Api.Pipeline;

/// <summary>Links into the operator dashboard served by this API at <c>/dashboard</c>.</summary>
public static class DashboardLinks
{
    public static string Workflow(Guid workflowId) => $"/dashboard/#/workflows/{workflowId}";
}
