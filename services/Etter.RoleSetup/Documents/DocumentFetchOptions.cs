using System.ComponentModel.DataAnnotations;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// How documents given by <c>uri</c> are fetched (<c>Etter:Documents</c>, or <c>Etter__Documents__*</c> in the
/// environment). Addresses on the machine's own or a private network are refused unless <see cref="AllowedHosts"/>
/// names them: see <see cref="DocumentAddressGuard"/>.
/// </summary>
public sealed class DocumentFetchOptions : IValidatableObject
{
    public const string Section = "Etter:Documents";

    /// <summary>The longest wait for a TCP (and TLS) connection to the document's server, per hop.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest wait for the whole response (headers and body), per hop. A hop's clock starts when the request
    /// is sent, so with a new connection a hop may take up to <see cref="ConnectTimeout"/> + ReadTimeout in all.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest document accepted, in bytes; a longer body is abandoned as soon as it passes this.</summary>
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Host names (<c>docs.internal</c>, or <c>*.corp.example</c> for every sub-domain) and addresses or CIDR ranges
    /// (<c>10.20.0.0/16</c>, <c>fd00::/8</c>, <c>127.0.0.1</c>) that may be fetched although they are loopback,
    /// private, link-local or otherwise special. Empty by default: only public addresses are fetched.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>How many redirects are followed (each hop is checked like the first); more is an error.</summary>
    public int MaxRedirects { get; set; } = 3;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult($"{Section}:ConnectTimeout must be between 0 and 5 minutes (found {ConnectTimeout}).", [nameof(ConnectTimeout)]);
        }

        if (ReadTimeout <= TimeSpan.Zero || ReadTimeout > TimeSpan.FromMinutes(30))
        {
            yield return new ValidationResult($"{Section}:ReadTimeout must be between 0 and 30 minutes (found {ReadTimeout}).", [nameof(ReadTimeout)]);
        }

        if (MaxBytes <= 0 || MaxBytes > int.MaxValue)
        {
            yield return new ValidationResult($"{Section}:MaxBytes must be between 1 and {int.MaxValue} (found {MaxBytes}).", [nameof(MaxBytes)]);
        }

        if (MaxRedirects is < 0 or > 20)
        {
            yield return new ValidationResult($"{Section}:MaxRedirects must be between 0 and 20 (found {MaxRedirects}).", [nameof(MaxRedirects)]);
        }

        foreach (var entry in AllowedHosts)
        {
            if (!DocumentAddressGuard.TryParseEntry(entry, out _, out var problem))
            {
                yield return new ValidationResult($"{Section}:AllowedHosts entry '{entry}' is not usable: {problem}", [nameof(AllowedHosts)]);
            }
        }
    }
}
