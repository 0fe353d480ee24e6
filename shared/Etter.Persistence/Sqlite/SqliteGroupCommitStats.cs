namespace Etter.Persistence.Sqlite;

/// <summary>What group commit did in this process, per SQLite file (see <see cref="SqliteWriteGroup"/>).</summary>
public static class SqliteGroupCommitStats
{
    /// <summary>
    /// For each file written through a group since the process started, by full path: the COMMITs run and the
    /// transactions they carried (a transaction rolled back is in neither).
    /// </summary>
    public static IReadOnlyDictionary<string, (long Commits, long Transactions)> Snapshot() => SqliteWriteGroup.Snapshot();
}
