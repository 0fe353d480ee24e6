using Etter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Etter.Api.Tests;

/// <summary>The API on the embedded host (whole pipeline in-process, SQLite in a scratch folder): no servers needed.</summary>
public class EmbeddedApiFactory : WebApplicationFactory<Etter.Embedded.EmbeddedHost>
{
    /// <summary>The default engine the in-process AiAssessment uses.</summary>
    protected virtual string AssessmentEngine => "mock";

    readonly TempDirectory _dataDirectory = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Etter:Mode", "Embedded");
        builder.UseSetting("Etter:DataDirectory", _dataDirectory.Path);
        builder.UseSetting("Etter:Assessment:DefaultEngine", AssessmentEngine);

        // deploy/local/test.sh exports the local credentials, API key included; these hosts run keyless.
        builder.UseSetting("Etter:Api:Keys:0", "");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dataDirectory.Dispose();
    }
}
