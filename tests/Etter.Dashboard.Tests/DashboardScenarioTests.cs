using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Etter.Dashboard.Tests;

/// <summary>The operator dashboard in a real browser against the API on a real socket.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardScenarioTests(
    ChromiumFixture chromium,
    MockEngineHost mock,
    BrokenEngineHost broken,
    KeyedHost keyed,
    ITestOutputHelper output)
{
    [Fact]
    public async Task PushedRole_AppearsInTheListReachesReadyAndShowsStepsAndTaskTable()
    {
        await using var dashboard = await chromium.OpenAsync(mock, output);
        var page = dashboard.Page;
        await page.GotoAsync("dashboard/");
        await Expect(page.Locator("#list-shown")).ToContainTextAsync("shown");

        // Pushed while the page is open: auto-refresh brings it in, and it turns ready there.
        var id = await mock.PushAsync("Walmart Inc.", "Store Manager");
        var row = page.Locator($"#workflow-rows tr[data-workflow-id='{id}']");
        await Expect(row).ToContainTextAsync("Store Manager");
        await Expect(row).ToContainTextAsync("Walmart Inc.");
        await Expect(row.Locator("[data-status]")).ToHaveTextAsync("ready");
        await Expect(page.Locator("[data-count-status='ready'] .count-value")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(page.Locator("[data-count-status='all'] .count-value")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await dashboard.ScreenshotAsync("workflow-list");

        await row.Locator("a.role-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"#/workflows/{id}$"));
        await Expect(page.Locator("h1")).ToContainTextAsync("Store Manager");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("ready");
        foreach (var step in new[] { "role_setup", "ai_assessment" })
        {
            var card = page.Locator($"li[data-step='{step}']");
            await Expect(card.Locator("[data-step-state]")).ToHaveTextAsync("completed");
            await Expect(card.Locator("[data-field='attempt']")).ToHaveTextAsync("1");
            await Expect(card).ToContainTextAsync("Duration");
        }

        var taskTable = page.Locator("#task-table");
        await Expect(taskTable.Locator("thead")).ToContainTextAsync("Workload Activity");
        await Expect(taskTable.Locator("thead")).ToContainTextAsync("Negligibility");
        Assert.True(await taskTable.Locator("tbody tr").CountAsync() >= 3, "the task analysis table has a row per workload activity");
        await Expect(page.Locator("#impact-analysis")).ToContainTextAsync("## Impact analysis");
        await Expect(page.Locator("#history-table tbody tr").Last).ToContainTextAsync("ready");
        Assert.True(await page.Locator("#history-table tbody tr").CountAsync() >= 3, "the audit history lists every transition");
        await Expect(page.Locator("#retry-button")).ToHaveCountAsync(0);
        await Expect(page.Locator("#cancel-button")).ToHaveCountAsync(0);
        await dashboard.ScreenshotAsync("workflow-detail");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task FailedAssessment_ShowsTheFailedStepAndRetryRaisesTheAttemptTo2()
    {
        var id = await broken.PushAsync("Liberty Mutual", "Claims Adjuster");
        await broken.WaitForStatusAsync(id, s => s.GetProperty("status").GetString() == "failed");
        await using var dashboard = await chromium.OpenAsync(broken, output);
        var page = dashboard.Page;

        // The list's failed-step filter finds it.
        await page.GotoAsync("dashboard/#/");
        await page.Locator("#filter-failed-step").SelectOptionAsync("ai_assessment");
        await Expect(page).ToHaveURLAsync(new Regex("failed_step=ai_assessment"));
        var row = page.Locator($"#workflow-rows tr[data-workflow-id='{id}']");
        await Expect(row).ToContainTextAsync("failed at ai_assessment");
        await Expect(row).ToContainTextAsync("not recoverable");

        await page.GotoAsync($"dashboard/#/workflows/{id}");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("failed");
        var failure = page.Locator("#failure");
        await Expect(failure).ToContainTextAsync("ai_assessment");
        await Expect(failure).ToContainTextAsync("AI_ASSESSMENT_FAILED");
        await Expect(failure).ToContainTextAsync("not recoverable");
        var assessment = page.Locator("li[data-step='ai_assessment']");
        await Expect(assessment.Locator("[data-step-state]")).ToHaveTextAsync("failed");
        await Expect(assessment.Locator("[data-field='recoverable']")).ToHaveTextAsync("recoverable: no");
        await Expect(assessment).ToContainTextAsync("Unknown assessment engine");
        await Expect(assessment.Locator("[data-field='attempt']")).ToHaveTextAsync("1");
        await Expect(page.Locator("li[data-step='role_setup'] [data-step-state]")).ToHaveTextAsync("completed");
        await Expect(page.Locator("#cancel-button")).ToHaveCountAsync(0);
        await dashboard.ScreenshotAsync("workflow-failed");

        await page.Locator("#retry-button").ClickAsync();

        await Expect(page.Locator("#flash")).ToContainTextAsync("Retry requested");
        await Expect(assessment.Locator("[data-field='attempt']")).ToHaveTextAsync("2");
        await Expect(assessment.Locator("[data-step-state]")).ToHaveTextAsync("failed");
        await Expect(page.Locator("li[data-step='role_setup'] [data-field='attempt']")).ToHaveTextAsync("1");
        await Expect(page.Locator("#retry-button")).ToBeEnabledAsync();
        // Both failed attempts stay in the audit history.
        await Expect(page.Locator("#history-table tbody tr.row-failed").Nth(1)).ToBeVisibleAsync();
        await dashboard.ScreenshotAsync("workflow-failed-after-retry");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task BatchPushed_ProgressBarReaches100Percent()
    {
        var batchId = await mock.PushBatchAsync("Acme Corporation", "Data Scientist", "Senior Product Manager", "Platform Engineer");
        await using var dashboard = await chromium.OpenAsync(mock, output);
        var page = dashboard.Page;
        await page.GotoAsync("dashboard/");

        await page.Locator("#open-batch input").FillAsync(batchId);
        await page.Locator("#open-batch button").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"#/batches/{batchId}$"));
        await Expect(page.Locator("#batch-progress")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(page.Locator("#batch-percent")).ToHaveTextAsync("100%");
        await Expect(page.Locator("#batch-roles tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#batch-roles tbody tr.row-failed")).ToHaveCountAsync(0);
        await Expect(page.Locator("#batch-body")).ToContainTextAsync("Success rate");
        await Expect(page.Locator("#batch-body")).ToContainTextAsync("100.0%");
        await Expect(page.Locator("#retry-failed")).ToBeDisabledAsync();
        await dashboard.ScreenshotAsync("batch");

        // The list links back to the batch from each of its rows.
        await page.GotoAsync("dashboard/#/");
        await Expect(page.Locator($"#workflow-rows a[href='#/batches/{batchId}']")).ToHaveCountAsync(3);
        await dashboard.ScreenshotAsync("workflow-list-with-batch");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task BatchWithFailures_HighlightsFailedRolesAndRetryFailedRedrivesThem()
    {
        var batchId = await broken.PushBatchAsync("Walmart Inc.", "Software Development Engineer", "Supply Chain Analyst");
        await using var dashboard = await chromium.OpenAsync(broken, output);
        var page = dashboard.Page;
        await page.GotoAsync($"dashboard/#/batches/{batchId}");

        await Expect(page.Locator("#batch-progress")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(page.Locator("#batch-roles tbody tr.row-failed")).ToHaveCountAsync(2);
        await Expect(page.Locator("#batch-roles tbody tr.row-failed").First).ToContainTextAsync("Unknown assessment engine");
        await Expect(page.Locator("[data-batch-state]")).ToHaveTextAsync("partial");
        await dashboard.ScreenshotAsync("batch-failed");

        await page.Locator("#retry-failed").ClickAsync();

        await Expect(page.Locator("#flash")).ToContainTextAsync("Retrying 2 failed workflow(s)");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task UnknownWorkflowOrBatch_ShowsNotFound()
    {
        await using var dashboard = await chromium.OpenAsync(mock, output);
        var page = dashboard.Page;

        await page.GotoAsync($"dashboard/#/workflows/{Guid.NewGuid()}");
        await Expect(page.Locator("#detail-problem")).ToContainTextAsync("Workflow not found");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Workflow not found");

        await page.GotoAsync("dashboard/#/workflows/not-a-guid");
        await Expect(page.Locator("#detail-problem")).ToContainTextAsync("Workflow not found");
        await Expect(page.Locator("#detail-problem")).ToContainTextAsync("not-a-guid");

        await page.GotoAsync("dashboard/#/batches/batch-nope");
        await Expect(page.Locator("#batch-problem")).ToContainTextAsync("Batch not found");

        await page.GotoAsync("dashboard/#/no/such/page");
        await Expect(page.Locator("#app")).ToContainTextAsync("Page not found");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task OpenWorkflow_StreamsLiveAndCancelEndsIt()
    {
        var streamed = await mock.PushAsync("Liberty Mutual", "Senior Underwriter", draft: true);
        var cancelled = await mock.PushAsync("Liberty Mutual", "Risk Analyst", draft: true);
        await mock.WaitForStatusAsync(streamed, s => s.GetProperty("status").GetString() == "draft");
        await mock.WaitForStatusAsync(cancelled, s => s.GetProperty("status").GetString() == "draft");
        await using var dashboard = await chromium.OpenAsync(mock, output);
        var page = dashboard.Page;

        // A change made elsewhere arrives over the event stream.
        await page.GotoAsync($"dashboard/#/workflows/{streamed}");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("draft");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-mode", "stream");
        await Expect(page.Locator("#retry-button")).ToHaveCountAsync(0);
        using (var cancel = await mock.Api.PostAsync($"api/v1/pipeline/cancel/{streamed}", null))
        {
            cancel.EnsureSuccessStatusCode();
        }

        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-mode", "done");
        await Expect(page.Locator("#cancel-button")).ToHaveCountAsync(0);

        // Cancel from the page: the first click only arms the button.
        await page.GotoAsync($"dashboard/#/workflows/{cancelled}");
        var button = page.Locator("#cancel-button");
        await button.ClickAsync();
        await Expect(button).ToHaveTextAsync("Click again to cancel");
        await button.ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync("Cancel requested");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#summary")).ToContainTextAsync("Cancelled from the dashboard");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task ApiUnreachable_ShowsCouldNotReachTheApiAndRecovers()
    {
        await using var dashboard = await chromium.OpenAsync(mock, output);
        var page = dashboard.Page;
        await page.RouteAsync("**/api/v1/pipeline/**", route => route.AbortAsync("connectionrefused"));

        await page.GotoAsync("dashboard/");
        await Expect(page.Locator("#list-problem")).ToContainTextAsync("Could not reach the API");
        await page.GotoAsync($"dashboard/#/workflows/{Guid.NewGuid()}");
        await Expect(page.Locator("#detail-problem")).ToContainTextAsync("Could not reach the API");
        await dashboard.ScreenshotAsync("api-unreachable");

        // Back online: the page's own retries pick it up, no reload needed.
        await page.UnrouteAllAsync();
        await page.GotoAsync("dashboard/#/");
        await Expect(page.Locator("#list-problem")).ToBeEmptyAsync();
        await Expect(page.Locator("#list-shown")).ToContainTextAsync("shown");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task MarkupInNames_IsShownAsTextNeverRun()
    {
        const string role = "<img src=x onerror=\"window.__etterInjected=1\">Claims <b>Lead</b>";
        const string company = "<script>window.__etterInjected=2</script>Evil Corp";
        var id = await mock.PushAsync(company, role);
        await mock.WaitForStatusAsync(id, s => s.GetProperty("version").GetInt64() > 0);
        await using var dashboard = await chromium.OpenAsync(mock, output);
        var page = dashboard.Page;

        await page.GotoAsync("dashboard/");
        var row = page.Locator($"#workflow-rows tr[data-workflow-id='{id}']");
        await Expect(row.Locator("a.role-link")).ToHaveTextAsync(role);
        await Expect(row).ToContainTextAsync(company);
        await page.GotoAsync($"dashboard/#/workflows/{id}");
        await Expect(page.Locator("h1")).ToContainTextAsync(role);

        Assert.Equal(0, await page.Locator("#app img, #app script").CountAsync());
        Assert.Equal(0, await page.Locator("#app b", new() { HasText = "Lead" }).CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__etterInjected === undefined"), "markup from the API ran as code");
        Assert.Empty(dashboard.ScriptErrors);
    }

    [Fact]
    public async Task KeyedApi_AsksForTheKeyThenWorksWithIt()
    {
        var id = await keyed.PushAsync("Acme Corporation", "Data Scientist");
        await keyed.WaitForStatusAsync(id, s => s.GetProperty("status").GetString() == "ready");
        await using var dashboard = await chromium.OpenAsync(keyed, output);
        var page = dashboard.Page;
        await page.GotoAsync("dashboard/");

        await Expect(page.Locator("#banner")).ToContainTextAsync("API key required");
        await Expect(page.Locator("#list-problem")).ToContainTextAsync("API key required");
        await dashboard.ScreenshotAsync("api-key-required");

        await page.Locator("#api-key").FillAsync("wrong-key-0123456789abcdef");
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#banner")).ToContainTextAsync("API key invalid");

        await page.Locator("#api-key").FillAsync(KeyedHost.Key);
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#banner")).ToBeHiddenAsync();
        await Expect(page.Locator($"#workflow-rows tr[data-workflow-id='{id}'] [data-status]")).ToHaveTextAsync("ready");

        await page.GotoAsync($"dashboard/#/workflows/{id}");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("ready");
        await Expect(page.Locator("#task-table tbody tr").First).ToBeVisibleAsync();

        // EventSource cannot send the key, so a live detail page of a keyed API polls /status with it instead.
        var draft = await keyed.PushAsync("Acme Corporation", "Senior Product Manager", draft: true);
        await keyed.WaitForStatusAsync(draft, s => s.GetProperty("status").GetString() == "draft");
        await page.GotoAsync($"dashboard/#/workflows/{draft}");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("draft");
        await Expect(page.Locator("#live-state")).ToHaveAttributeAsync("data-mode", "polling");
        await Expect(page.Locator("#live-state")).ToContainTextAsync("API key in use");

        // The key survives a reload (localStorage).
        await page.ReloadAsync();
        await Expect(page.Locator("#key-state")).ToHaveTextAsync("key saved");
        await Expect(page.Locator("h1 [data-status]")).ToHaveTextAsync("draft");
        Assert.Empty(dashboard.ScriptErrors);
    }
}
