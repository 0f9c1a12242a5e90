namespace OrleansNsq.Gateway.Node;

/// <summary>
/// Why this node should not be sent clients now, or null when it should. <c>GET /ping</c> answers nsqd's
/// <c>500 NOK - …</c> with it, so load balancers and Kubernetes readiness probes take the node out. A single node has
/// none (its store's faults answer publishes directly); a cluster silo's is its membership (it cannot confirm it is a
/// member the others can reach).
/// </summary>
public interface INodeHealth
{
    string? Problem { get; }
}
