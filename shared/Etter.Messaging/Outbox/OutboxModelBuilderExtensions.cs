using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

public static class OutboxModelBuilderExtensions
{
    /// <summary>
    /// The outbox table of one service's database. Services that share a PostgreSQL database each name their own,
    /// so each relay only ever sees its own service's rows.
    /// </summary>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder, string table = "outbox_message")
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable(table);
            outbox.HasKey(x => x.Sequence);
            outbox.Property(x => x.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            outbox.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            outbox.Property(x => x.Destination).HasColumnName("destination").HasMaxLength(512);
            outbox.Property(x => x.MessageType).HasColumnName("message_type").HasMaxLength(256);
            outbox.Property(x => x.Body).HasColumnName("body");
            outbox.Property(x => x.CreatedAt).HasColumnName("created_at");
            outbox.Property(x => x.TraceParent).HasColumnName("trace_parent").HasMaxLength(64);
            outbox.Property(x => x.RequestId).HasColumnName("request_id");
        });
        return modelBuilder;
    }

    /// <summary>
    /// On PostgreSQL: an outbox row lives until its message is handed on, so its body (a status document, a step's
    /// result) is stored as written instead of being compressed on every insert.
    /// </summary>
    public static ModelBuilder StoreOutboxUncompressed(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<OutboxMessage>().StoredUncompressed();
        return modelBuilder;
    }
}
