using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Etter.Persistence;

/// <summary>
/// How PostgreSQL stores the rows the hot path writes. Once a row passes about 2 KB, PostgreSQL compresses its long
/// values before storing it (pglz unless a column says otherwise), on every insert and on every update that writes
/// the value again. A finished workflow's status document alone is 2.3 KB.
/// </summary>
public static class PostgresStorage
{
    /// <summary>The largest <c>toast_tuple_target</c> a table on 8 KB pages accepts: rows up to it are stored as written.</summary>
    public const int WholePageTupleTarget = 8160;

    /// <summary>
    /// For rows that live only until a message is handed on (milliseconds): compressing them costs CPU on every write
    /// and saves space nobody keeps.
    /// </summary>
    public static EntityTypeBuilder<TEntity> StoredUncompressed<TEntity>(this EntityTypeBuilder<TEntity> entity)
        where TEntity : class =>
        entity.HasStorageParameter("toast_tuple_target", WholePageTupleTarget);

    /// <summary>
    /// For long-lived text rewritten as the row changes: lz4 compresses JSON several times faster than pglz at a
    /// ratio close to it. Needs PostgreSQL 14 or later built with lz4, as the Debian and Ubuntu packages are.
    /// </summary>
    public static PropertyBuilder CompressedWithLz4(this PropertyBuilder property) => property.UseCompressionMethod("lz4");
}
