namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>
/// Creates the uniqueness constraints the MERGEs rely on, once per process (a singleton), on first use.
/// Concurrent first callers wait for one creation; a failed attempt is not remembered, so the next use tries again.
/// </summary>
public sealed class Neo4jSchema : IDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    volatile bool _ready;

    public bool IsReady => _ready;

    public async Task EnsureAsync(Neo4jCypherClient cypher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cypher);
        if (_ready)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            // One request each: schema changes may not share a transaction with other kinds of writes.
            foreach (var constraint in Neo4jCypher.Constraints)
            {
                await cypher.RunAsync("creating the role graph's uniqueness constraints", [constraint], cancellationToken);
            }

            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
