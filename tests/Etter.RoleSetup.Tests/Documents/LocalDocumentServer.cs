using System.Net;
using System.Net.Sockets;
using System.Text;
using Etter.RoleSetup.Documents;
using Etter.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Etter.RoleSetup.Tests.Documents;

/// <summary>
/// A tiny Kestrel server on 127.0.0.1 (a free port) serving documents, redirects, errors, slow and oversized
/// answers for the fetcher tests. It only ever listens on loopback.
/// </summary>
public sealed class LocalDocumentServer : IAsyncLifetime
{
    public const string PlainText = "Claims Adjuster\n\nResponsibilities:\n- Inspect damage\n";
    public const string Markdown = "# Claims Adjuster\n\n## Responsibilities\n\n- Inspect damage\n- Settle claims\n";
    public const string Html = """
        <!DOCTYPE html>
        <html><head><title>Careers | Example</title><style>body { color: red; }</style>
        <script>var secret = "do not show";</script></head>
        <body><nav><ul><li>Home</li><li>Jobs</li></ul></nav>
        <h1>Claims Adjuster</h1><p>Investigates &amp; settles   claims.</p>
        <h2>Responsibilities</h2><ul><li>Inspect <b>damage</b></li><li><p>Settle claims</p></li></ul>
        <!-- a comment --><noscript>Enable JS</noscript></body></html>
        """;

    public static readonly byte[] PdfBytes = TestDocuments.Pdf("Claims Adjuster", "Responsibilities:", "- Inspect damage");
    public static readonly byte[] DocxBytes = TestDocuments.Docx(TestDocuments.SampleDocxParagraphs);

    LoopbackHttpServer? _http;

    /// <summary>The base address, e.g. <c>http://127.0.0.1:54321</c>.</summary>
    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public async Task InitializeAsync()
    {
        _http = await LoopbackHttpServer.StartAsync(HandleAsync);
        Url = _http.Address;
    }

    public async Task DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.DisposeAsync();
        }
    }

    static Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        return context.Request.Path.Value switch
        {
            "/jd.txt" => Write(response, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(PlainText)),
            "/jd.md" => Write(response, "text/markdown", Encoding.UTF8.GetBytes(Markdown)),
            "/jd.html" => Write(response, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(Html)),
            "/jd.pdf" => Write(response, "application/pdf", PdfBytes),
            "/jd.docx" => Write(response, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", DocxBytes),
            "/download" => Write(response, "application/octet-stream", PdfBytes),
            "/attachment" => Attachment(response),
            "/picture" => Write(response, "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]),
            "/empty.txt" => Write(response, "text/plain", []),
            "/big" => StreamBig(context),
            "/big-declared" => Write(response, "text/plain", new byte[4096]),
            "/slow" => SlowAsync(context),
            "/missing" => Status(response, 404),
            "/too-many" => Status(response, 429),
            "/broken" => Status(response, 503),
            "/redirect-ok" => Redirect(response, "/jd.txt"),
            "/redirect-chain" => Redirect(response, "/redirect-ok"),
            "/redirect-metadata" => Redirect(response, "http://169.254.169.254/latest/meta-data/"),
            "/redirect-private" => Redirect(response, "http://10.0.0.1/internal"),
            "/redirect-ipv6-loopback" => Redirect(response, $"http://[::1]:{context.Connection.LocalPort}/jd.txt"),
            "/redirect-file" => Redirect(response, "file:///etc/passwd"),
            "/redirect-loop" => Redirect(response, "/redirect-loop"),
            _ => Status(response, 404),
        };
    }

    static async Task Write(HttpResponse response, string contentType, byte[] body)
    {
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    static Task Attachment(HttpResponse response)
    {
        response.Headers.ContentDisposition = "attachment; filename=\"role.docx\"";
        return Write(response, "application/octet-stream", DocxBytes);
    }

    static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    static Task Redirect(HttpResponse response, string location)
    {
        response.StatusCode = 302;
        response.Headers.Location = location;
        return Task.CompletedTask;
    }

    /// <summary>64 KiB in 4 KiB chunks, without a Content-Length (chunked), so only counting can catch it.</summary>
    static async Task StreamBig(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        var chunk = Encoding.ASCII.GetBytes(new string('x', 4096));
        try
        {
            for (var i = 0; i < 16; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client gave up, as it should.
        }
    }

    static async Task SlowAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await Write(context.Response, "text/plain", Encoding.UTF8.GetBytes(PlainText));
    }
}

/// <summary>
/// Stands in for the fetcher's socket dialling: records every address it is asked to dial, dials only loopback
/// addresses (anything else is recorded and refused, so a test can never send traffic off this machine), and can
/// hang to provoke the connect timeout.
/// </summary>
sealed class RecordingDialer
{
    readonly List<IPEndPoint> _attempts = [];

    public bool Hang { get; init; }

    public IReadOnlyList<IPEndPoint> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    public IEnumerable<IPEndPoint> NonLoopbackAttempts => Attempts.Where(a => !IPAddress.IsLoopback(a.Address));

    public async ValueTask<Stream> DialAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        lock (_attempts)
        {
            _attempts.Add(endPoint);
        }

        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            throw new SocketException((int)SocketError.AccessDenied);
        }

        if (Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        return await DocumentFetcher.DialAsync(endPoint, cancellationToken);
    }
}
