namespace Etter.TestSupport;

/// <summary>
/// Sends a management API request to the next node of the cluster when the node it went to does not answer. The
/// failover tests kill nodes on purpose; asking only the first node left their timelines blank from the kill on
/// ("broker=HttpRequestException"), just when the queue counts would have said which consumer did not come back.
/// </summary>
/// <remarks>
/// Only a failed connection moves on: any HTTP answer, errors included, comes from a live node and is returned.
/// The node that answered last is asked first next time, so a dead node costs one refused connection per switch.
/// </remarks>
public sealed class ManagementNodeFailover(IReadOnlyList<int> ports) : DelegatingHandler(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) })
{
    int _current;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.RequestUri ?? throw new InvalidOperationException("The request has no address.");
        var start = Volatile.Read(ref _current);
        for (var attempt = 0; ; attempt++)
        {
            var node = (start + attempt) % ports.Count;
            request.RequestUri = new UriBuilder(path) { Port = ports[node] }.Uri;
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                Volatile.Write(ref _current, node);
                return response;
            }
            catch (HttpRequestException) when (attempt + 1 < ports.Count && !cancellationToken.IsCancellationRequested)
            {
                // Refused or timed out connecting: that node is down, try the next.
            }
        }
    }
}
