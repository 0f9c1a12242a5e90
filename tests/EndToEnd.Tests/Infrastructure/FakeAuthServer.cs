using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Text;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// An nsqd auth server for the tests, on 127.0.0.1: <c>GET /auth?remote_ip=&amp;tls=&amp;secret=&amp;common_name=</c>
/// answers what <see cref="Answer"/> gives for the query (a status and a body), and every query is kept, so a test can
/// wait for one. <see cref="DisposeAsync"/> stops it; a stopped server is an auth server that is down.
/// </summary>
public sealed class FakeAuthServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly SemaphoreSlim _queried = new(0);

    private FakeAuthServer(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException)
        {
            _listener.Close();
            throw;
        }
        _serving = ServeAsync();
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public ConcurrentQueue<NameValueCollection> Queries { get; } = new();

    /// <summary>The answer to a query: status and JSON body. Replaceable while the server runs.</summary>
    public Func<NameValueCollection, (int Status, string Body)> Answer { get; set; } = _ => (404, "");

    /// <summary>Starts on a free port; a port taken between the pick and the bind (by a Silo or another test) is
    /// replaced by another pick, a bounded number of times.</summary>
    public static FakeAuthServer Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FakeAuthServer(FreePorts.Take(1)[0]);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                // taken since it was picked: pick again
            }
        }
    }

    /// <summary>nsqd's auth answer granting <paramref name="permissions"/> on a topic regex and channel regexes.</summary>
    public static string Grant(int ttl, string topic, string[] channels, params string[] permissions) =>
        $$"""{"ttl":{{ttl}},"identity":"tester","identity_url":"http://auth.example/tester","authorizations":[{"topic":"{{topic}}","channels":[{{string.Join(",", channels.Select(c => $"\"{c}\""))}}],"permissions":[{{string.Join(",", permissions.Select(p => $"\"{p}\""))}}]}]}""";

    /// <summary>Waits (bounded) until the server has answered <paramref name="count"/> queries in all.</summary>
    public Task WaitForQueriesAsync(int count, string phase) =>
        BoundedWait.UntilAsync(phase, $"{count} auth queries", TimeSpan.FromSeconds(30), async () =>
        {
            if (Queries.Count < count) await _queried.WaitAsync(TimeSpan.FromMilliseconds(200));
            return (Queries.Count >= count, $"{Queries.Count} queries");
        });

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var query = context.Request.QueryString;
            var (status, body) = context.Request.Url?.AbsolutePath == "/auth" ? Answer(query) : (404, "");
            Queries.Enqueue(query);
            _queried.Release();
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening) _listener.Stop();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }
}
