using System.Net;
using System.Net.Sockets;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Picks loopback ports the OS reports free. All listeners of one call are open at the same time, so
/// the ports of one call are distinct; they are released just before the Silo binds them.
/// </summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }
    }
}
