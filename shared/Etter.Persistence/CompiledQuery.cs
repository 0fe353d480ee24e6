using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Etter.Persistence;

/// <summary>
/// An EF Core compiled query for the hot path, one per model it runs against.
/// </summary>
/// <remarks>
/// <para>
/// A LINQ query that is not compiled is rebuilt, parameter-extracted and looked up in the query cache on every run; the
/// embedded profile showed that work (EF Core's funcletizer, delegates compiled for closure values, generic method
/// lookups) at several percent of all CPU, for reads that run once or twice per message. A compiled query does it once.
/// </para>
/// <para>
/// EF Core binds a compiled query to the first model it ran on and throws for any other. One process can hold several
/// models of the same context type (a SQLite and a PostgreSQL context share a base type; tests build contexts with other
/// options), so each model gets its own compiled delegate. The table holds models weakly: a model that is collected takes
/// its delegate with it.
/// </para>
/// </remarks>
public sealed class CompiledQuery<TDelegate>(Func<TDelegate> compile)
    where TDelegate : class
{
    readonly ConditionalWeakTable<IModel, TDelegate> _byModel = new();

    /// <summary>The compiled query for <paramref name="db"/>'s model.</summary>
    public TDelegate For(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var model = db.Model;
        return _byModel.TryGetValue(model, out var query) ? query : _byModel.GetValue(model, _ => compile());
    }
}
