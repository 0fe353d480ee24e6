using Etter.IntegrationTests.Infrastructure;

// Integration tests run real service processes and servers on a 2-core machine: one test at a time
// keeps timings meaningful and failures attributable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: TestCollectionOrderer(ClusterTestsLastOrderer.TypeName, "Etter.IntegrationTests")]
