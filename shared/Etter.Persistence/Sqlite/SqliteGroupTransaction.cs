using System.Data;
using System.Data.Common;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// One writer's transaction inside its file's <see cref="SqliteWriteGroup"/>, as EF Core and ADO.NET see it: begun by
/// <see cref="KeptOpenSqliteConnection"/>, its commands run on the group's writer connection, and its commit completes
/// when the group's COMMIT does.
/// </summary>
internal sealed class SqliteGroupTransaction(KeptOpenSqliteConnection connection, SqliteWriteGroup group) : DbTransaction
{
    bool _ended;

    internal SqliteWriteGroup Group => group;

    /// <summary>Completed by the group's COMMIT (or its failure).</summary>
    internal TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override IsolationLevel IsolationLevel => IsolationLevel.Serializable;

    protected override DbConnection? DbConnection => _ended ? null : connection;

    public override bool SupportsSavepoints => true;

    public override void Commit()
    {
        End();
        group.Commit(this);
    }

    public override Task CommitAsync(CancellationToken cancellationToken = default)
    {
        End();
        return group.CommitAsync(this);
    }

    public override void Rollback()
    {
        End();
        group.Rollback(this);
    }

    public override Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        Rollback();
        return Task.CompletedTask;
    }

    public override void Save(string savepointName) => Savepoint("SAVEPOINT", savepointName);

    public override void Rollback(string savepointName) => Savepoint("ROLLBACK TO", savepointName);

    public override void Release(string savepointName) => Savepoint("RELEASE", savepointName);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_ended)
        {
            Rollback();
        }

        base.Dispose(disposing);
    }

    void Savepoint(string verb, string name)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        group.Savepoint(verb, name);
    }

    void End()
    {
        if (_ended)
        {
            throw new InvalidOperationException("The transaction has already been committed or rolled back.");
        }

        _ended = true;
        connection.Ended(this);
    }
}
