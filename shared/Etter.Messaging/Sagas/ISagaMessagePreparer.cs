using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>
/// Reads (or claims) what the state machine needs to decide about one message type, before it runs, inside the
/// same transaction as the saga's own load and save, and hands it over as a payload of the consume context. The
/// state machine stays free of I/O; the facts stay consistent with what it writes.
/// </summary>
public interface ISagaMessagePreparer<in TDbContext, TMessage>
    where TDbContext : DbContext
    where TMessage : class
{
    Task PrepareAsync(TDbContext db, ConsumeContext<TMessage> context);

    /// <summary>After the state machine ran, before the commit: undo what it did not use (e.g. give back a claim).</summary>
    Task FinishAsync(TDbContext db, ConsumeContext<TMessage> context);
}
