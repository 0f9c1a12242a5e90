namespace OrleansNsq.Lookupd;

/// <summary>
/// The NSQ producers of the cluster's active silos as the answering silo's membership view has them, for a lookupd
/// that runs outside the silos (the standalone Gateway process, an Orleans client, which sees silo names but not the
/// silos' Orleans metadata where Kubernetes-hosted silos carry their endpoints). Each producer is in the silo-name form
/// <c>nsq/hostname/broadcast_address/tcp_port/http_port</c>. A stateless worker on every silo: any silo answers.
/// </summary>
[Alias("OrleansNsq.IClusterProducersGrain")]
public interface IClusterProducersGrain : IGrainWithIntegerKey
{
    [Alias("GetProducers")]
    ValueTask<string[]> GetProducersAsync();
}
