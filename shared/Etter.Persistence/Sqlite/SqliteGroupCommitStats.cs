namespace Etter.Persistence.Sqlite;

/// <summary>What group commit did in this process, per SQLite file (see <see cref="SqliteWriteGroup"/>).</summary>
public static class SqliteGroupCommitStats
{
    /// <summary>
    /// For each file written through a group since the process started, by full path: the COMMITs run, the
    /// transactions they carried (a transaction rolled back is in neither) and the pages they wrote.
    /// </summary>
    public static IReadOnlyDictionary<string, SqliteGroupCounts> Snapshot() => SqliteWriteGroup.Snapshot();
}

/// <summary>
/// What one file's group commit did: COMMITs, the transactions they carried, the pages written to the WAL, and the WAL
/// checkpoints taken off the writer (background) and by it (in line; see <see cref="SqliteWalCheckpoints"/>).
/// </summary>
public readonly record struct SqliteGroupCounts(long Commits, long Transactions, long PagesWritten, long BackgroundCheckpoints, long InLineCheckpoints);
