namespace Etter.Dashboard.Tests;

/// <summary>
/// One browser and three API hosts shared by every dashboard test; the tests run one after another,
/// which keeps a single Chromium busy and the whole suite well under a minute.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection :
    ICollectionFixture<ChromiumFixture>,
    ICollectionFixture<MockEngineHost>,
    ICollectionFixture<BrokenEngineHost>,
    ICollectionFixture<KeyedHost>
{
    public const string Name = "Dashboard";
}
