using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Etter.Persistence;

/// <summary>Which database a context runs on, looked up once per model.</summary>
/// <remarks>
/// EF Core's <c>IsSqlite()</c> and <c>IsNpgsql()</c> compare the provider's name with the name of an assembly, and both
/// names come from <c>Assembly.GetName()</c>, built afresh on every call: about 1 % of embedded CPU, asked several times per
/// message on the hot path. A model is built for one provider (each provider has its own internal service provider and
/// model cache), so the answer is kept with the model.
/// </remarks>
public static class DatabaseProviders
{
    static readonly string Sqlite = typeof(Microsoft.EntityFrameworkCore.Infrastructure.SqliteDbContextOptionsBuilder).Assembly.GetName().Name!;
    static readonly string Npgsql = typeof(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder).Assembly.GetName().Name!;
    static readonly ConditionalWeakTable<IModel, string> ProviderByModel = [];

    public static bool RunsOnSqlite(this DbContext db) => string.Equals(ProviderOf(db), Sqlite, StringComparison.Ordinal);

    public static bool RunsOnPostgres(this DbContext db) => string.Equals(ProviderOf(db), Npgsql, StringComparison.Ordinal);

    static string ProviderOf(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var model = db.Model;
        if (ProviderByModel.TryGetValue(model, out var provider))
        {
            return provider;
        }

        provider = db.Database.ProviderName ?? "";
        ProviderByModel.AddOrUpdate(model, provider);
        return provider;
    }
}
