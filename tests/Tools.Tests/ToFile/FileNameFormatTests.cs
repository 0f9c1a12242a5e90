using OrleansNsq.Tools.ToFile;

namespace OrleansNsq.Tools.Tests.ToFile;

/// <summary>nsq_to_file's --filename-format, --host-identifier and --datetime-format, in process.</summary>
public sealed class FileNameFormatTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 7, 14, 5, 9, TimeSpan.Zero);

    [Theory]
    [InlineData("%Y-%m-%d_%H", "2026-03-07_14")]
    [InlineData("%y%m%d %I:%M:%S %p", "260307 02:05:09 PM")]
    [InlineData("%a %A %b %B", "Sat Saturday Mar March")]
    [InlineData("100%% %z %Z", "100% +0000 UTC")]
    [InlineData("%Q %", "%Q %")]
    public void Strftime_formats_the_subset_nsq_to_file_uses(string format, string expected) =>
        Assert.Equal(expected, Strftime.Format(format, At));

    [Fact]
    public void Default_format_without_rotation_drops_rev()
    {
        var format = FileNameFormat.TryCreate(new ToFileSettings(), "orders", "box.example.com", 42, out var problem);
        Assert.Null(problem);
        Assert.Equal("orders.box.2026-03-07_14.log", format!.NameAt(ToFileSettings.DefaultDatetimeFormat, At));
    }

    [Fact]
    public void Rotation_keeps_rev_as_a_six_digit_revision()
    {
        var format = FileNameFormat.TryCreate(new ToFileSettings { RotateSize = 10 }, "orders", "box", 42, out _);
        var name = format!.NameAt("%H", At);
        Assert.Equal("orders.box<REV>.14.log", name);
        Assert.Equal("orders.box-000003.14.log", FileNameFormat.WithRevision(name, 3));
    }

    [Fact]
    public void Gzip_appends_gz_and_host_identifier_and_pid_are_replaced()
    {
        var settings = new ToFileSettings { Gzip = true, HostIdentifier = "<SHORT_HOST>~<HOSTNAME>", FilenameFormat = "<TOPIC>/<HOST>.<PID><REV>.log" };
        var format = FileNameFormat.TryCreate(settings, "t", "box.example.com", 42, out _);
        Assert.Equal("t/box~box.example.com.42<REV>.log.gz", format!.NameAt("%H", At));
    }

    [Theory]
    [InlineData(true, 0L, 0, "/tmp")]
    [InlineData(false, 100L, 0, "/tmp")]
    [InlineData(false, 0L, 60, "/tmp")]
    [InlineData(false, 0L, 0, "/var/work")]
    public void Gzip_rotation_or_a_work_dir_require_rev(bool gzip, long rotateSize, int rotateSeconds, string workDir)
    {
        var settings = new ToFileSettings
        {
            Gzip = gzip, RotateSize = rotateSize, RotateInterval = TimeSpan.FromSeconds(rotateSeconds), WorkDir = workDir,
            FilenameFormat = "<TOPIC>.<DATETIME>.log",
        };
        Assert.Null(FileNameFormat.TryCreate(settings, "t", "box", 1, out var problem));
        Assert.Equal("missing <REV> in --filename-format when gzip, rotation, or work dir enabled", problem);
    }
}
