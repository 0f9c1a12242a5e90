using Microsoft.AspNetCore.Builder;

namespace OrleansNsq.Gateway.Hosting;

/// <summary>The web application options of both processes (Silo and Gateway).</summary>
public static class NodeWebApplication
{
    /// <summary>Content root beside the binaries; no watcher on the configuration files: flags are read once, as
    /// nsqd does, and the watcher is an idle thread plus inotify buffers.</summary>
    public static WebApplicationOptions Options() => new()
    {
        ContentRootPath = AppContext.BaseDirectory,
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
    };
}
