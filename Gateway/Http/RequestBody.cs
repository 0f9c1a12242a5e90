using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// Reads a request body up to a limit, as nsqd does with <c>io.LimitReader(body, max+1)</c>: a result of exactly
/// <c>limit</c> bytes means the body was bigger than allowed. The bytes end up in one exact-size array that the
/// publish batch then owns (no second copy).
/// </summary>
internal static class RequestBody
{
    private const int ChunkedInitialSize = 4096;

    /// <returns>The body (length ≤ <paramref name="limit"/>).</returns>
    public static async ValueTask<byte[]> ReadAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        // Our own limit replaces Kestrel's 30 MB default, which would otherwise fail a larger --max-body-size.
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = null;

        var cap = (int)Math.Min(limit, Array.MaxLength);
        var contentLength = context.Request.ContentLength;
        var buffer = new byte[contentLength is long known ? (int)Math.Min(known, cap) : Math.Min(ChunkedInitialSize, cap)];
        var length = 0;
        var body = context.Request.Body;
        while (length < cap)
        {
            if (length == buffer.Length)
            {
                // Kestrel ends a Content-Length body at its length: no need to grow and probe for more.
                if (contentLength is long expected && length >= expected) break;
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, cap));
            }
            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0) break;
            length += read;
        }
        if (length != buffer.Length) Array.Resize(ref buffer, length);
        return buffer;
    }
}
