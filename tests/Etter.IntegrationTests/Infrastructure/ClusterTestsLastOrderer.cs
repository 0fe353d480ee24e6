using Xunit.Abstractions;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the test classes in name order, with the cluster failover tests last: they keep every core busy on purpose,
/// and by the time they start, the other test projects of a <c>dotnet test Etter.sln</c> run have finished and are
/// not starved with them.
/// </summary>
public sealed class ClusterTestsLastOrderer : ITestCollectionOrderer
{
    public const string TypeName = "Etter.IntegrationTests.Infrastructure.ClusterTestsLastOrderer";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => c.DisplayName.Contains("ClusterFailover", StringComparison.Ordinal))
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
