using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace OrleansNsq.Admin.Ui;

/// <summary>One static file of the UI: its bytes, content type and a strong ETag (a hash of the bytes).</summary>
public sealed record UiAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The UI's static files (Admin/wwwroot/**), embedded in the assembly under <c>wwwroot/&lt;path&gt;</c> and served
/// at <c>/&lt;path&gt;</c>. Read once at start: they cannot change while the process runs.
/// </summary>
public sealed class UiAssets
{
    private const string Prefix = "wwwroot/";
    private readonly FrozenDictionary<string, UiAsset> _byPath;

    public UiAssets() : this(typeof(UiAssets).Assembly)
    {
    }

    internal UiAssets(Assembly assembly)
    {
        var types = new FileExtensionContentTypeProvider();
        // ES modules and their maps are served with the types browsers require for them.
        types.Mappings[".js"] = "text/javascript";
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".map"] = "application/json";
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var path = "/" + name[Prefix.Length..].Replace('\\', '/');
            if (!types.TryGetContentType(path, out var contentType)) contentType = "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/json" or "image/svg+xml")
                contentType += "; charset=utf-8";
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"";
            assets[path] = new UiAsset(path, content, contentType, etag);
        }
        _byPath = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The single page every page route answers with.</summary>
    public UiAsset? Index => Find("/index.html");

    public UiAsset? Find(string path) => _byPath.GetValueOrDefault(path);

    public IEnumerable<string> Paths => _byPath.Keys;
}
