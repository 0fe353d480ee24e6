using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

public static class OutboxModelBuilderExtensions
{
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_message");
            outbox.HasKey(x => x.Sequence);
            outbox.Property(x => x.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            outbox.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            outbox.Property(x => x.Destination).HasColumnName("destination").HasMaxLength(256);
            outbox.Property(x => x.MessageType).HasColumnName("message_type").HasMaxLength(256);
            outbox.Property(x => x.Body).HasColumnName("body");
            outbox.Property(x => x.CreatedAt).HasColumnName("created_at");
            outbox.Property(x => x.TraceParent).HasColumnName("trace_parent").HasMaxLength(64);
        });
        return modelBuilder;
    }
}
