using System.Buffers;
using System.Text.Json;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// What a handler returns (nsqd's <c>(interface{}, error)</c>): a status and body the envelope writer sends.
/// Success bodies are raw text (<c>OK</c>), JSON, or nothing; errors carry their <see cref="ApiError"/>.
/// </summary>
internal readonly struct ApiResult
{
    private static readonly byte[] OkBody = "OK"u8.ToArray();

    private ApiResult(int status, ReadOnlyMemory<byte> body, ApiBodyKind kind, ApiError? error, TimeSpan? staleAge = null)
    {
        Status = status;
        Body = body;
        Kind = kind;
        Error = error;
        StaleAge = staleAge;
    }

    public int Status { get; }
    public ReadOnlyMemory<byte> Body { get; }
    public ApiBodyKind Kind { get; }
    /// <summary>Set for errors; the plain-text envelope writes its code instead of the JSON body.</summary>
    public ApiError? Error { get; }
    /// <summary>Set when part of the answer is this gateway's copy of an earlier cluster read, not what the cluster
    /// answered just now: the age of the oldest such part. The envelope writer sends it as
    /// <see cref="ResponseEnvelope.StaleHeader"/>.</summary>
    public TimeSpan? StaleAge { get; }

    /// <summary>The same answer, marked as <paramref name="age"/> old.</summary>
    public ApiResult MarkedStale(TimeSpan age) => new(Status, Body, Kind, Error, age);

    /// <summary>200 with no body (nsqd handlers that return nil).</summary>
    public static ApiResult Empty => new(200, default, ApiBodyKind.None, null);

    /// <summary>200 <c>OK</c>.</summary>
    public static ApiResult Ok => new(200, OkBody, ApiBodyKind.Text, null);

    public static ApiResult Text(ReadOnlyMemory<byte> body) => new(200, body, ApiBodyKind.Text, null);

    public static ApiResult Json(ReadOnlyMemory<byte> body) => new(200, body, ApiBodyKind.Json, null);

    public static implicit operator ApiResult(ApiError error) => new(error.Status, error.Body, ApiBodyKind.Json, error);

    /// <summary>
    /// Renders a JSON success body. Keys are written one by one with <see cref="Utf8JsonWriter"/> so their order is
    /// exactly nsqd's (nsqadmin and tests compare it), with no reflection.
    /// </summary>
    public static ApiResult Json<TState>(TState state, Action<Utf8JsonWriter, TState> write, int sizeHint = 256)
    {
        var buffer = new ArrayBufferWriter<byte>(sizeHint);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }
        return Json(buffer.WrittenMemory);
    }
}

internal enum ApiBodyKind
{
    None,
    Text,
    Json,
}
