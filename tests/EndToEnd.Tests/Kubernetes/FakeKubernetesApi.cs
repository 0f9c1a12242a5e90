using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Kubernetes;

/// <summary>
/// The part of a Kubernetes API server that Orleans' Kubernetes hosting (its <c>KubernetesClusterAgent</c> through the
/// official client) uses, on 127.0.0.1 over plain HTTP: pods of one namespace, read, merge-patched (the agent labels
/// its own pod), listed and watched by label selector (the watch streams one JSON event per line, as the API server
/// does, starting with ADDED for every matching pod), and deleted (DELETED to every open watch). The test deletes a
/// pod with <see cref="DeletePod"/>, as a drain or <c>kubectl delete pod</c> would. The silos reach it through a
/// kubeconfig file (<see cref="KubeConfigPath"/>). Every request is recorded for the test's assertions.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Watch> _watches = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;
    private readonly object _gate = new();
    private int _resourceVersion = 1;
    private int _nextWatch;

    private sealed record Watch(string Selector, Channel<string> Lines);

    private FakeKubernetesApi(int port, string @namespace, string directory)
    {
        Port = port;
        Namespace = @namespace;
        KubeConfigPath = Path.Combine(directory, "kubeconfig");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        File.WriteAllText(KubeConfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: http://127.0.0.1:{port}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
                namespace: {@namespace}
            current-context: fake
            users:
            - name: fake
              user:
                token: fake-token
            """);
        _serve = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string Namespace { get; }
    public string KubeConfigPath { get; }

    /// <summary>"METHOD path?query" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Watches open now.</summary>
    public int OpenWatches => _watches.Count;

    public static FakeKubernetesApi Start(string @namespace, string directory)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FakeKubernetesApi(FreePorts.Take(1)[0], @namespace, directory);
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                // the port was taken between FreePorts and the bind
            }
        }
    }

    /// <summary>A running pod of a StatefulSet, as the kubelet reports it (no Orleans labels yet: the agent adds them).</summary>
    public void AddPod(string name, string ip)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Namespace,
                ["uid"] = Guid.NewGuid().ToString(),
                ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "orleans-nsq" },
            },
            ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = ip },
        };
        lock (_gate)
        {
            Stamp(pod);
            _pods[name] = pod;
            Publish("ADDED", pod);
        }
    }

    /// <summary>Deletes the pod and tells every watch that selects it; false when there was none.</summary>
    public bool DeletePod(string name)
    {
        lock (_gate)
        {
            if (!_pods.TryRemove(name, out var pod)) return false;
            Stamp(pod);
            Publish("DELETED", pod);
            return true;
        }
    }

    /// <summary>The pod's labels now (the agent patches <c>orleans/clusterId</c> and <c>orleans/serviceId</c> in).</summary>
    public IReadOnlyDictionary<string, string> LabelsOf(string name) =>
        _pods.TryGetValue(name, out var pod) ? Labels(pod) : new Dictionary<string, string>();

    private void Stamp(JsonObject pod) =>
        pod["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Publish(string type, JsonObject pod)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = pod.DeepClone() }.ToJsonString();
        foreach (var watch in _watches.Values)
            if (Matches(pod, watch.Selector)) watch.Lines.Writer.TryWrite(line);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
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
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        Requests.Enqueue($"{request.HttpMethod} {request.Url.PathAndQuery}");
        try
        {
            var prefix = $"/api/v1/namespaces/{Namespace}/pods";
            if (path == prefix && request.HttpMethod == "GET")
            {
                var selector = request.QueryString["labelSelector"] ?? "";
                if (request.QueryString["watch"] is "true" or "1") await WatchAsync(response, selector);
                else await ListAsync(response, selector);
            }
            else if (path.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                var name = Uri.UnescapeDataString(path[(prefix.Length + 1)..]);
                switch (request.HttpMethod)
                {
                    case "GET":
                        await WritePodOrNotFoundAsync(response, name, _pods.TryGetValue(name, out var pod) ? pod : null);
                        break;
                    case "PATCH":
                        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
                            await WritePodOrNotFoundAsync(response, name, MergePatch(name, await reader.ReadToEndAsync()));
                        break;
                    case "DELETE":
                        var deleted = _pods.TryGetValue(name, out var gone) ? gone.DeepClone().AsObject() : null;
                        await WritePodOrNotFoundAsync(response, name, deleted is not null && DeletePod(name) ? deleted : null);
                        break;
                    default:
                        await WriteAsync(response, 405, Status(405, "MethodNotAllowed", request.HttpMethod));
                        break;
                }
            }
            else
            {
                await WriteAsync(response, 404, Status(404, "NotFound", path));
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the client went away, or the server is stopping
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private JsonObject? MergePatch(string name, string body)
    {
        lock (_gate)
        {
            if (!_pods.TryGetValue(name, out var pod)) return null;
            if (JsonNode.Parse(body)?["metadata"]?["labels"] is JsonObject labels)
            {
                var current = pod["metadata"]!["labels"] as JsonObject ?? new JsonObject();
                foreach (var (key, value) in labels) current[key] = value?.DeepClone();
                pod["metadata"]!["labels"] = current;
            }
            Stamp(pod);
            Publish("MODIFIED", pod);
            return pod;
        }
    }

    private async Task ListAsync(HttpListenerResponse response, string selector)
    {
        string body;
        lock (_gate)
        {
            body = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "PodList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(_pods.Values.Where(p => Matches(p, selector)).Select(p => (JsonNode)p.DeepClone()).ToArray()),
            }.ToJsonString();
        }
        await WriteAsync(response, 200, body);
    }

    private async Task WatchAsync(HttpListenerResponse response, string selector)
    {
        var id = Interlocked.Increment(ref _nextWatch);
        var watch = new Watch(selector, Channel.CreateUnbounded<string>());
        lock (_gate)
        {
            // As the API server does for a watch without resourceVersion: the matching pods first, as ADDED.
            foreach (var pod in _pods.Values.Where(p => Matches(p, selector)))
                watch.Lines.Writer.TryWrite(new JsonObject { ["type"] = "ADDED", ["object"] = pod.DeepClone() }.ToJsonString());
            _watches[id] = watch;
        }
        try
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.SendChunked = true;
            await response.OutputStream.FlushAsync(_stop.Token);
            await foreach (var line in watch.Lines.Reader.ReadAllAsync(_stop.Token))
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                await response.OutputStream.WriteAsync(bytes, _stop.Token);
                await response.OutputStream.FlushAsync(_stop.Token);
            }
        }
        finally
        {
            _watches.TryRemove(id, out _);
        }
    }

    private static async Task WritePodOrNotFoundAsync(HttpListenerResponse response, string name, JsonObject? pod) =>
        await (pod is null
            ? WriteAsync(response, 404, Status(404, "NotFound", $"pods \"{name}\" not found"))
            : WriteAsync(response, 200, pod.ToJsonString()));

    private static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    private static string Status(int code, string reason, string message) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Status",
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    }.ToJsonString();

    private static Dictionary<string, string> Labels(JsonObject pod) =>
        (pod["metadata"]?["labels"] as JsonObject ?? [])
        .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);

    /// <summary>Equality selectors only (<c>a=b,c=d</c>), which is all the agent sends.</summary>
    private static bool Matches(JsonObject pod, string selector)
    {
        var labels = Labels(pod);
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = term.Split('=', 2);
            if (parts.Length != 2 || !labels.TryGetValue(parts[0], out var value) || value != parts[1].TrimStart('=')) return false;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var watch in _watches.Values) watch.Lines.Writer.TryComplete();
        _listener.Close();
        try
        {
            await _serve.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or HttpListenerException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }
}
