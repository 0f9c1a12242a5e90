using System.Globalization;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Which process holds the client end of a loopback TCP connection, read from Linux's /proc: the connection's line in
/// /proc/net/tcp or /proc/net/tcp6 (local port = the client's port, remote port = the server's) gives the socket's
/// inode, and the owner is the process with a <c>socket:[inode]</c> link among its /proc/&lt;pid&gt;/fd. Only the
/// candidate processes are searched (a handful of silos, a few hundred descriptors each).
/// </summary>
internal static class SocketOwners
{
    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary>The candidate that owns the socket 127.0.0.1:<paramref name="clientPort"/> connected to port
    /// <paramref name="serverPort"/>, or null when none does (yet) or the connection is gone.</summary>
    public static int? Find(int clientPort, int serverPort, IEnumerable<int> candidates)
    {
        var inode = Inode(clientPort, serverPort);
        if (inode is null) return null;
        var link = $"socket:[{inode}]";
        foreach (var pid in candidates)
        {
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
                {
                    // A descriptor closed between the listing and the read has no link any more.
                    if (new FileInfo(fd).LinkTarget == link) return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process ended meanwhile
            }
        }

        return null;
    }

    /// <summary>The inode of the socket whose local port is <paramref name="localPort"/> and remote port
    /// <paramref name="remotePort"/>. A line reads
    /// <c>sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …</c>, an address
    /// being <c>hex-ip:hex-port</c>; a socket in TIME_WAIT has inode 0 and no owner.</summary>
    private static string? Inode(int localPort, int remotePort)
    {
        foreach (var table in Tables)
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || Port(fields[1]) != localPort || Port(fields[2]) != remotePort || fields[9] == "0") continue;
                return fields[9];
            }
        }

        return null;
    }

    /// <summary>The processes this process started (a silo is one from its start, before it is ready): those whose
    /// /proc/&lt;pid&gt;/stat names this process as parent.</summary>
    public static IEnumerable<int> ChildrenOfThisProcess()
    {
        var self = Environment.ProcessId;
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // "pid (comm) state ppid …"; comm may hold spaces, so the fields are read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == self) children.Add(pid);
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
        }

        return children;
    }

    private static int Port(string address) =>
        int.Parse(address.AsSpan(address.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
