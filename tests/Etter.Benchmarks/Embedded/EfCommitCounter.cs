using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Etter.Benchmarks.Embedded;

/// <summary>
/// Counts write transactions per database in this process from EF Core's diagnostic events: explicit
/// transactions that commit, plus INSERT/UPDATE/DELETE statements run outside one (each is its own
/// transaction in SQLite). Read-only statements are not counted: in SQLite they never touch the disk.
/// </summary>
public sealed class EfCommitCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    const string Committed = "Microsoft.EntityFrameworkCore.Database.Transaction.TransactionCommitted";
    const string Executed = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted";
    const string Started = "Microsoft.EntityFrameworkCore.Database.Transaction.TransactionStarted";

    /// <summary>Microsoft.Data.Sqlite answers SQLITE_BUSY by sleeping 150 ms and trying again; anything this slow waited for a lock.</summary>
    static readonly TimeSpan LockWait = TimeSpan.FromMilliseconds(140);

    readonly ConcurrentDictionary<string, long> _commits = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _slow = new(StringComparer.Ordinal);
    readonly List<IDisposable> _subscriptions = [];
    readonly IDisposable _all;

    public EfCommitCounter() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_commits, StringComparer.Ordinal);

    /// <summary>Statements and transaction starts that took 140 ms or more (lock waits), per database.</summary>
    public IReadOnlyDictionary<string, (long Count, double Milliseconds)> SlowSnapshot() =>
        new Dictionary<string, (long, double)>(_slow, StringComparer.Ordinal);

    public void OnNext(DiagnosticListener value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Name == Microsoft.EntityFrameworkCore.DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this, name => name is Committed or Executed or Started));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        switch (value.Value)
        {
            case TransactionEndEventData committed when value.Key == Committed:
                Count(committed.Context);
                Slow(committed.Context, committed.Duration);
                break;
            case TransactionEndEventData started when value.Key == Started:
                Slow(started.Context, started.Duration);
                break;
            case CommandExecutedEventData executed when value.Key == Executed:
                if (executed.Command.Transaction is null && IsWrite(executed.Command))
                {
                    Count(executed.Context);
                }

                Slow(executed.Context, executed.Duration);
                break;
        }
    }

    void Count(Microsoft.EntityFrameworkCore.DbContext? context)
    {
        var name = DatabaseName(context);
        _commits.AddOrUpdate(name, 1, (_, n) => n + 1);
    }

    void Slow(Microsoft.EntityFrameworkCore.DbContext? context, TimeSpan duration)
    {
        if (duration >= LockWait)
        {
            _slow.AddOrUpdate(DatabaseName(context), (1, duration.TotalMilliseconds), (_, s) => (s.Count + 1, s.Milliseconds + duration.TotalMilliseconds));
        }
    }

    /// <summary>orchestrator, role_graph or assessment, from the context type (SqliteOrchestratorDbContext → orchestrator).</summary>
    static string DatabaseName(Microsoft.EntityFrameworkCore.DbContext? context) =>
        context?.GetType().Name switch
        {
            null => "unknown",
            var n when n.Contains("Orchestrator", StringComparison.Ordinal) => "orchestrator",
            var n when n.Contains("RoleGraph", StringComparison.Ordinal) => "role_graph",
            var n when n.Contains("Assessment", StringComparison.Ordinal) => "assessment",
            var n => n,
        };

    static bool IsWrite(DbCommand command)
    {
        var text = command.CommandText.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }
}
