using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Persistence.PlainWrites;

/// <summary>
/// Runs plain statements as EF Core runs its own, on the context's connection and in its transaction, so its interceptors
/// (the SQLite statement cache among them), logging and diagnostics see them too.
/// </summary>
internal sealed class PlainStatements(DbContext db)
{
    readonly IRelationalConnection _connection = db.GetService<IRelationalConnection>();
    readonly IRelationalCommandDiagnosticsLogger _logger = db.GetService<IRelationalCommandDiagnosticsLogger>();

    public RelationalCommandParameterObject With(Dictionary<string, object?> values, CommandSource source = CommandSource.SaveChanges) =>
        new(_connection, values, readerColumns: null, db, _logger, source);
}
