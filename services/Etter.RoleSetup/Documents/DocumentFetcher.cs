using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Documents;

/// <summary>Opens a TCP connection to an address the guard has already approved.</summary>
internal delegate ValueTask<Stream> DocumentDialer(IPEndPoint endPoint, CancellationToken cancellationToken);

/// <summary>A fetched document: where it finally came from (after redirects), its content type and bytes.</summary>
public sealed record FetchedDocument(Uri Uri, string? ContentType, string? FileName, byte[] Content);

/// <summary>A fetched document's extracted text.</summary>
public sealed record FetchedText(Uri Uri, DocumentKind Kind, string Text);

/// <summary>
/// Fetches documents given by <c>uri</c> over http or https, defensively: the SSRF rule of
/// <see cref="DocumentAddressGuard"/> is applied in the connection callback to the address actually dialled
/// (so DNS rebinding cannot slip past it), and before that to URL hosts that are literal addresses; redirects are
/// followed by hand, at most <see cref="DocumentFetchOptions.MaxRedirects"/>, each hop checked afresh; bodies
/// are read up to <see cref="DocumentFetchOptions.MaxBytes"/> and abandoned beyond; connect and read times are
/// bounded. Every failure is a <see cref="DocumentFetchException"/>.
/// </summary>
/// <remarks>A typed HttpClient: register it with <see cref="DocumentRegistrationExtensions.AddRoleSetupDocuments"/>,
/// which gives it the handler from <see cref="CreateHandler(DocumentFetchOptions)"/>. A client with another
/// handler would lose the connect-time check (the URL pre-check still runs).</remarks>
public sealed class DocumentFetcher
{
    /// <summary>What the fetcher asks for; anything else is still read and sniffed.</summary>
    const string Accept = "application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, text/html;q=0.9, text/markdown;q=0.9, text/plain;q=0.8, */*;q=0.5";

    readonly HttpClient _http;
    readonly DocumentFetchOptions _options;
    readonly DocumentAddressGuard _guard;
    readonly DocumentTextExtractor _extractor;
    readonly ILogger<DocumentFetcher>? _logger;

    public DocumentFetcher(HttpClient http, IOptions<DocumentFetchOptions> options, DocumentTextExtractor extractor, ILogger<DocumentFetcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(extractor);
        _http = http;
        _options = options.Value;
        _guard = new DocumentAddressGuard(_options.AllowedHosts);
        _extractor = extractor;
        _logger = logger;
        _http.Timeout = Timeout.InfiniteTimeSpan; // bounded per hop below
    }

    /// <summary>The primary handler for the fetcher's HttpClient: no proxy, no automatic redirects, the address check on connect.</summary>
    public static SocketsHttpHandler CreateHandler(DocumentFetchOptions options) => CreateHandler(options, dialer: null);

    internal static SocketsHttpHandler CreateHandler(DocumentFetchOptions options, DocumentDialer? dialer)
    {
        ArgumentNullException.ThrowIfNull(options);
        var guard = new DocumentAddressGuard(options.AllowedHosts);
        var dial = dialer ?? DialAsync;
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,

            // A proxy would be dialled instead of the document's server, and the check would see the proxy.
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.ConnectTimeout,

            // An abandoned (too large) body closes its connection instead of being drained.
            MaxResponseDrainSize = 0,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, guard, dial, cancellationToken),
        };
    }

    /// <summary>Fetches <paramref name="url"/> and extracts its text.</summary>
    /// <exception cref="DocumentFetchException">Refused, failed, too large, or not a readable document.</exception>
    public async Task<FetchedText> FetchTextAsync(string url, CancellationToken cancellationToken)
    {
        var document = await FetchAsync(url, cancellationToken);
        var safeUrl = SafeUrl(document.Uri);
        var kind = DocumentTextExtractor.Detect(document.Content, document.ContentType, document.FileName)
            ?? throw DocumentFetchException.Create(
                $"The document at {safeUrl} is not in a supported format (content type {document.ContentType ?? "none"}); supported are plain text, markdown, HTML, PDF and DOCX.",
                recoverable: false);
        string text;
        try
        {
            text = _extractor.Extract(document.Content, kind, document.ContentType);
        }
        catch (DocumentExtractionException ex)
        {
            throw DocumentFetchException.Create($"The document at {safeUrl} could not be read as {kind}: {ex.Message}", recoverable: false, ex);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw DocumentFetchException.Create($"The document at {safeUrl} ({kind}) contains no text that could be extracted.", recoverable: false);
        }

        return new FetchedText(document.Uri, kind, text);
    }

    /// <summary>Fetches <paramref name="url"/>'s bytes, following redirects.</summary>
    /// <exception cref="DocumentFetchException">Refused, failed, or too large.</exception>
    public async Task<FetchedDocument> FetchAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri))
        {
            throw DocumentFetchException.Create($"The document address '{Truncate(url)}' is not an absolute URL.", recoverable: false);
        }

        for (var hop = 0; ; hop++)
        {
            CheckBeforeConnecting(uri);
            var budget = _options.ConnectTimeout + _options.ReadTimeout;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(budget);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Accept.ParseAdd(Accept);
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Etter-RoleSetup", "1.0"));
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (IsRedirect(response.StatusCode))
                {
                    uri = NextHop(uri, response, hop);
                    continue;
                }

                EnsureSuccess(uri, response);
                var content = await ReadBodyAsync(uri, response, timeout.Token);
                _logger?.LogInformation("Fetched {Url}: {Bytes} bytes of {ContentType}.", SafeUrl(uri), content.Length, response.Content.Headers.ContentType?.MediaType ?? "unknown content");
                return new FetchedDocument(uri, response.Content.Headers.ContentType?.ToString(), FileNameOf(uri, response), content);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw DocumentFetchException.Create(
                    $"The document at {SafeUrl(uri)} did not arrive in time (connect timeout {Seconds(_options.ConnectTimeout)}, read timeout {Seconds(_options.ReadTimeout)}).",
                    recoverable: true, ex);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
            {
                throw Classify(uri, ex);
            }
        }
    }

    /// <summary>The URL without user info, query or fragment: fit for messages and logs.</summary>
    public static string SafeUrl(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            return "(relative URL)";
        }

        var safe = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return string.IsNullOrEmpty(uri.Query) ? safe : safe + "?…";
    }

    void CheckBeforeConnecting(Uri uri)
    {
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw DocumentFetchException.Create(
                $"Refused to fetch the document at {uri.Scheme}://{(uri.IsFile ? "" : uri.Host)}…: only http and https addresses are fetched.",
                recoverable: false);
        }

        // Literal addresses are refused here, before any connection is attempted; names are checked on connect.
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address)
            && _guard.Refusal(uri.IdnHost, address) is { } reason)
        {
            throw Refused(uri, address, reason);
        }
    }

    Uri NextHop(Uri current, HttpResponseMessage response, int hop)
    {
        var location = response.Headers.Location
            ?? throw DocumentFetchException.Create($"The server of {SafeUrl(current)} answered {(int)response.StatusCode} (a redirect) without saying where to.", recoverable: false);
        if (hop >= _options.MaxRedirects)
        {
            throw DocumentFetchException.Create(
                $"The document at {SafeUrl(current)} redirected more than {_options.MaxRedirects} times; giving up.", recoverable: false);
        }

        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.IsAbsoluteUri && !string.IsNullOrEmpty(next.Fragment))
        {
            next = new Uri(next.GetLeftPart(UriPartial.Query));
        }

        _logger?.LogInformation("{Url} redirects to {Next}.", SafeUrl(current), SafeUrl(next));
        return next;
    }

    static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    static void EnsureSuccess(Uri uri, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return;
        }

        // 408 and 429 say "not now", like a 5xx; any other 4xx (and anything unexpected) will not change on retry.
        var recoverable = status >= 500 || status is 408 or 429;
        throw DocumentFetchException.Create(
            $"The server of {SafeUrl(uri)} answered {status} ({response.ReasonPhrase ?? response.StatusCode.ToString()}) instead of the document.",
            recoverable);
    }

    async Task<byte[]> ReadBodyAsync(Uri uri, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = _options.MaxBytes;
        if (response.Content.Headers.ContentLength is { } declared && declared > max)
        {
            throw TooLarge(uri, $"it declares {declared} bytes");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream((int)Math.Min(response.Content.Headers.ContentLength ?? 64 * 1024, max));
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw TooLarge(uri, "its body runs past that");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    DocumentFetchException TooLarge(Uri uri, string detail) =>
        DocumentFetchException.Create($"The document at {SafeUrl(uri)} is larger than the {_options.MaxBytes} bytes allowed ({detail}); set Etter:Documents:MaxBytes to allow more.", recoverable: false);

    static DocumentFetchException Classify(Uri uri, Exception ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AddressRefusedException refused:
                    return Refused(uri, refused.Address, refused.Reason, ex);
                case OperationCanceledException or TimeoutException:
                    return DocumentFetchException.Create($"Connecting to the server of {SafeUrl(uri)} timed out.", recoverable: true, ex);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData }:
                    return DocumentFetchException.Create($"The host of {SafeUrl(uri)} could not be found (DNS).", recoverable: true, ex);
            }
        }

        return DocumentFetchException.Create($"Fetching the document at {SafeUrl(uri)} failed: {ex.Message}", recoverable: true, ex);
    }

    static DocumentFetchException Refused(Uri uri, IPAddress address, string reason, Exception? inner = null)
    {
        var host = uri.IdnHost.Trim('[', ']');
        var what = IPAddress.TryParse(host, out var literal) && literal.Equals(address) ? $"{address} is {reason}" : $"{host} is at {address}, {reason}";
        return DocumentFetchException.Create(
            $"Refused to fetch the document at {SafeUrl(uri)}: {what}. Add the host or address to Etter:Documents:AllowedHosts if it must be reachable.",
            recoverable: false, inner);
    }

    static string? FileNameOf(Uri uri, HttpResponseMessage response)
    {
        var disposition = response.Content.Headers.ContentDisposition;
        var fromHeader = (disposition?.FileNameStar ?? disposition?.FileName)?.Trim('"');
        if (!string.IsNullOrWhiteSpace(fromHeader))
        {
            return Path.GetFileName(fromHeader);
        }

        var last = uri.Segments.Length > 0 ? Uri.UnescapeDataString(uri.Segments[^1]) : "";
        return last.Length == 0 || last.EndsWith('/') ? null : last;
    }

    /// <summary>Resolves the host, refuses if any of its addresses is forbidden, then dials the approved addresses in turn.</summary>
    static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, DocumentAddressGuard guard, DocumentDialer dial, CancellationToken cancellationToken)
    {
        var host = endPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // One forbidden answer spoils the name: a mix of public and private addresses is how rebinding is tried.
        foreach (var address in addresses)
        {
            if (guard.Refusal(host, address) is { } reason)
            {
                throw new AddressRefusedException(address, reason);
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await dial(new IPEndPoint(address, endPoint.Port), cancellationToken);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }

        throw last!;
    }

    /// <summary>Opens a TCP stream to an address already vetted.</summary>
    internal static async ValueTask<Stream> DialAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.###} s";

    /// <summary>A bad address for a message: cut before any query string (it may hold a token) and kept short.</summary>
    static string Truncate(string? text)
    {
        var shown = text?.Split('?', 2)[0].Trim() ?? "";
        return shown.Length <= 80 ? shown : shown[..80] + "…";
    }

    /// <summary>Thrown inside the connect callback; surfaces wrapped in an <see cref="HttpRequestException"/>.</summary>
    sealed class AddressRefusedException(IPAddress address, string reason)
        : Exception($"Connecting to {address} is not allowed: it is {reason}.")
    {
        public IPAddress Address { get; } = address;

        public string Reason { get; } = reason;
    }
}
