using System.Buffers;
using System.IO.Compression;

using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.ToFile;

/// <summary>
/// The file one topic is written to (apps/nsq_to_file/file_logger.go): opened in the work dir under the name of
/// <see cref="FileNameFormat"/>, rotated when the name's date changes, past <c>--rotate-size</c> or after
/// <c>--rotate-interval</c>, and moved to the output dir when closed, at the next free revision. Not thread safe:
/// <see cref="TopicLogger"/> calls it under its lock.
/// </summary>
internal sealed class TopicFile(ToFileSettings settings, FileNameFormat format, string label, ToFileLog log, TimeProvider time)
{
    // Lines go to the file in whole-line chunks of about this size, so a killed process leaves at most a torn last
    // line (the write() in progress) rather than any line cut at a 4 KB stream-buffer boundary.
    private const int ChunkSize = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _lines = new(ChunkSize);
    private FileStream? _out;
    private GZipStream? _gzip;
    private string _name = string.Empty;
    private int _revision;
    private DateTimeOffset _openedAt;
    private long _size;
    private long _nameSecond;
    private string? _nameAtSecond;

    public bool IsOpen => _out is not null;

    public string? Path => _out?.Name;

    /// <summary>NSQ's needsRotation: no file yet, a new name (date), older than the interval, or bigger than the size.</summary>
    public bool NeedsRotation()
    {
        if (_out is null) return true;
        var now = time.GetLocalNow();
        var name = NameAt(now);
        if (name != _name)
        {
            log.Info($"[{label}] new filename {name}, rotating...");
            return true;
        }

        if (settings.RotateInterval > TimeSpan.Zero && now - _openedAt > settings.RotateInterval)
        {
            log.Info($"[{label}] {GoDuration.Format(now - _openedAt)} since last open, rotating...");
            return true;
        }

        if (settings.RotateSize > 0 && _size > settings.RotateSize)
        {
            log.Info($"[{label}] {_out.Name} currently {_size} bytes (> {settings.RotateSize}), rotating...");
            return true;
        }

        return false;
    }

    /// <summary>The body and a newline. Reaches the disk at <see cref="Sync"/>, not before.</summary>
    public void WriteLine(ReadOnlySpan<byte> body)
    {
        var span = _lines.GetSpan(body.Length + 1);
        body.CopyTo(span);
        span[body.Length] = (byte)'\n';
        _lines.Advance(body.Length + 1);
        // as NSQ: the size counts bytes given to the writer (uncompressed with gzip)
        _size += body.Length + 1;
        if (_lines.WrittenCount >= ChunkSize) Drain();
    }

    /// <summary>
    /// Everything written so far is on disk when this returns: with gzip the current member is finished (its trailer
    /// holds the checksum of exactly the synced lines) and the next line starts a new one, as NSQ's Sync does.
    /// </summary>
    public void Sync()
    {
        if (_out is null) return;
        Drain();
        if (_gzip is not null)
        {
            _gzip.Dispose();
            _gzip = null;
        }

        _out.Flush(flushToDisk: true);
    }

    /// <summary>Syncs and closes the file, then moves it from the work dir to the output dir.</summary>
    public void Close()
    {
        if (_out is null) return;
        Sync();
        var source = _out.Name;
        _out.Dispose();
        _out = null;
        if (settings.WorkDir == settings.OutputDir)
        {
            log.Info($"[{label}] closed {source} ({_size} bytes)");
            return;
        }

        MoveToOutputDir(source);
    }

    /// <summary>NSQ's updateFile after Close: the next revision of the current name that is free in both dirs.</summary>
    public void Open()
    {
        var now = time.GetLocalNow();
        var name = NameAt(now);
        _revision = name == _name ? _revision + 1 : 0;
        _name = name;
        _openedAt = now;
        // gzip members cannot be appended to a torn file, and interval rotation must start a new file
        var exclusive = settings.Gzip || settings.RotateInterval > TimeSpan.Zero;
        for (; ; _revision++)
        {
            var relative = FileNameFormat.WithRevision(name, _revision);
            var workPath = System.IO.Path.Combine(settings.WorkDir, relative);
            CreateDirectoryOf(workPath);
            if (settings.WorkDir != settings.OutputDir)
            {
                var outputPath = System.IO.Path.Combine(settings.OutputDir, relative);
                CreateDirectoryOf(outputPath);
                if (File.Exists(outputPath))
                {
                    log.Warn($"[{label}] output file already exists: {outputPath}");
                    continue;
                }
            }

            FileStream file;
            try
            {
                file = new FileStream(workPath, exclusive ? FileMode.CreateNew : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            }
            catch (IOException) when (exclusive && File.Exists(workPath))
            {
                log.Warn($"[{label}] working file already exists: {workPath}");
                continue;
            }

            _size = file.Length;
            if (settings.RotateSize > 0 && _size > settings.RotateSize)
            {
                log.Info($"[{label}] {workPath} currently {_size} bytes (> {settings.RotateSize}), rotating...");
                file.Dispose();
                continue;
            }

            log.Info($"[{label}] opening {workPath}");
            file.Seek(0, SeekOrigin.End);
            EndTornLine(file);
            _out = file;
            return;
        }
    }

    /// <summary>The file name for <paramref name="now"/>; strftime has nothing finer than seconds, so it is formatted once a second, not per message.</summary>
    private string NameAt(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        if (second != _nameSecond || _nameAtSecond is null)
        {
            _nameAtSecond = format.NameAt(settings.DatetimeFormat, now);
            _nameSecond = second;
        }

        return _nameAtSecond;
    }

    private void Drain()
    {
        if (_lines.WrittenCount == 0 || _out is null) return;
        Stream target = settings.Gzip
            ? _gzip ??= new GZipStream(_out, new ZLibCompressionOptions { CompressionLevel = settings.GzipLevel }, leaveOpen: true)
            : _out;
        target.Write(_lines.WrittenSpan);
        _lines.ResetWrittenCount();
    }

    /// <summary>
    /// A file appended to after a crash may end inside a line that was never synced (so never FIN'd, and delivered
    /// again): a newline keeps that torn piece from gluing onto the next message's line.
    /// </summary>
    private static void EndTornLine(FileStream file)
    {
        if (file.Length == 0) return;
        file.Seek(-1, SeekOrigin.End);
        var last = file.ReadByte();
        file.Seek(0, SeekOrigin.End);
        if (last != '\n') file.WriteByte((byte)'\n');
    }

    private void MoveToOutputDir(string source)
    {
        var relative = System.IO.Path.GetRelativePath(settings.WorkDir, source);
        var destination = System.IO.Path.Combine(settings.OutputDir, relative);
        log.Info($"[{label}] moving finished file {source} to {destination}");
        // File.Move without overwrite links then unlinks on Unix: an existing destination fails instead of being replaced
        for (var revision = _revision + 1; ; revision++)
        {
            try
            {
                File.Move(source, destination, overwrite: false);
                return;
            }
            catch (IOException) when (File.Exists(destination))
            {
                log.Warn($"[{label}] destination file already exists: {destination}");
                destination = System.IO.Path.Combine(settings.OutputDir, FileNameFormat.WithRevision(_name, revision));
            }
        }
    }

    private static void CreateDirectoryOf(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
