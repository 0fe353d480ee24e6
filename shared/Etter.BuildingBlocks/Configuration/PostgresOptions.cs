using System.ComponentModel.DataAnnotations;

namespace Etter.BuildingBlocks.Configuration;

/// <summary>PostgreSQL connection (<c>Etter:Postgres:ConnectionString</c>), used in distributed mode.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Etter:Postgres";

    [Required]
    public string ConnectionString { get; set; } = "";
}
