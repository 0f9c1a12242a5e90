using System.IO.Compression;
using System.Text;

namespace OrleansNsq.Tools.Tests.ToFile;

/// <summary>A temp directory for nsq_to_file's output, and the lines of the files in it (gzip read back).</summary>
internal sealed class OutputFiles : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("nsq-to-file-").FullName;

    /// <summary>The files of <paramref name="topic"/> (<c>&lt;TOPIC&gt;.…</c>), by name.</summary>
    public string[] FilesOf(string topic) =>
        Directory.GetFiles(Dir, topic + ".*").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every line of every file of <paramref name="topic"/>, file after file.</summary>
    public List<string> LinesOf(string topic) => FilesOf(topic).SelectMany(Lines).ToList();

    public static IEnumerable<string> Lines(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using Stream content = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(content, Encoding.UTF8);
        var text = reader.ReadToEnd();
        return text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
    }

    public string Describe() => string.Join(Environment.NewLine,
        Directory.GetFiles(Dir, "*", SearchOption.AllDirectories).Select(f => $"{f} ({new FileInfo(f).Length} bytes)"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still open by a killed tool on another mount; the temp dir is left behind
        }
    }
}
