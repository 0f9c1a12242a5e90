namespace OrleansNsq.Admin.Fleet;

public sealed partial class ClusterInfo
{
    /// <summary>GetNSQDTopics: every topic in the nsqds' /stats, sorted.</summary>
    public async Task<FleetResult<List<string>?>> GetNsqdTopicsAsync(IReadOnlyList<string> nsqds, CancellationToken cancellationToken)
    {
        var answers = await QueryAllAsync(nsqds, a => $"http://{a}/stats?format=json", Json.NsqdStats, cancellationToken);
        var errors = ErrorsOf(answers, "nsqd");
        return new(Union(answers.SelectMany(a => a.Answer?.Topics ?? []).Select(t => t.TopicName)), errors);
    }

    /// <summary>GetNSQDProducers: each nsqd as a producer, from its /info and the topics of its /stats.</summary>
    public async Task<FleetResult<List<Producer>>> GetNsqdProducersAsync(IReadOnlyList<string> nsqds, CancellationToken cancellationToken)
    {
        var calls = nsqds.Select(async address =>
        {
            try
            {
                var info = await client.GetV1Async($"http://{address}/info", Json.NsqdInfo, cancellationToken);
                var stats = await client.GetV1Async($"http://{address}/stats?format=json&include_clients=false", Json.NsqdStats, cancellationToken);
                return (Producer: ProducerOf(info, stats, address, fillFromAddress: false), Error: (string?)null);
            }
            catch (UpstreamException ex)
            {
                return (Producer: (Producer?)null, Error: ex.Message);
            }
        });
        var answers = await Task.WhenAll(calls);
        var errors = answers.Where(a => a.Error is not null).Select(a => a.Error!).ToList();
        if (errors.Count == nsqds.Count) throw new FleetUnreachableException($"failed to query any nsqd: {string.Join('\n', errors)}");
        return new(answers.Where(a => a.Producer is not null).Select(a => a.Producer!).ToList(), errors);
    }

    /// <summary>
    /// GetNSQDTopicProducers: the nsqds whose /stats has the topic, each described by its /info (broadcast address
    /// and HTTP port taken from the address asked when /info leaves them out, as nsqadmin does).
    /// </summary>
    public async Task<FleetResult<List<Producer>>> GetNsqdTopicProducersAsync(string topic, IReadOnlyList<string> nsqds, CancellationToken cancellationToken)
    {
        var calls = nsqds.Select(async address =>
        {
            try
            {
                var stats = await client.GetV1Async($"http://{address}/stats?format=json&topic={Escape(topic)}&include_clients=false", Json.NsqdStats, cancellationToken);
                if (stats.Topics?.Exists(t => t.TopicName == topic) != true) return (Producer: (Producer?)null, Error: (string?)null);
                var info = await client.GetV1Async($"http://{address}/info", Json.NsqdInfo, cancellationToken);
                return (Producer: ProducerOf(info, stats, address, fillFromAddress: true), Error: null);
            }
            catch (UpstreamException ex)
            {
                return (Producer: null, Error: ex.Message);
            }
        });
        var answers = await Task.WhenAll(calls);
        var errors = answers.Where(a => a.Error is not null).Select(a => a.Error!).ToList();
        if (errors.Count == nsqds.Count) throw new FleetUnreachableException($"failed to query any nsqd: {string.Join('\n', errors)}");
        return new(answers.Where(a => a.Producer is not null).Select(a => a.Producer!).ToList(), errors);
    }

    private static Producer ProducerOf(NsqdInfo info, NsqdStats stats, string address, bool fillFromAddress)
    {
        if (fillFromAddress && info.BroadcastAddress.Length == 0 && HostPort.TrySplit(address, out var host, out var port))
        {
            info.BroadcastAddress = host;
            info.HttpPort = port;
        }
        if (fillFromAddress && info.Hostname.Length == 0 && HostPort.TrySplit(address, out var hostname, out _)) info.Hostname = hostname;
        List<ProducerTopic>? topics = null;
        foreach (var topic in stats.Topics ?? []) (topics ??= []).Add(new ProducerTopic { Topic = topic.TopicName });
        return new Producer
        {
            Version = info.Version,
            VersionObj = SemanticVersion.ParseOrZero(info.Version),
            BroadcastAddress = info.BroadcastAddress,
            Hostname = info.Hostname,
            HttpPort = info.HttpPort,
            TcpPort = info.TcpPort,
            Topics = topics,
            TopologyZone = info.TopologyZone,
            TopologyRegion = info.TopologyRegion,
        };
    }

    /// <summary>
    /// GetNSQDStats: each producer's /stats (only <paramref name="topic"/>, and <paramref name="channel"/>, when
    /// given), every topic and channel labelled with its node; channels summed over nodes, keyed by channel name
    /// when a topic was given, else by <c>topic:channel</c>. Throws when no producer answered (also when there is
    /// none, as nsqadmin does).
    /// </summary>
    public async Task<FleetResult<(List<TopicStats> Topics, Dictionary<string, ChannelStats> Channels)>> GetNsqdStatsAsync(
        IReadOnlyList<Producer> producers, string topic, string channel, bool includeClients, CancellationToken cancellationToken)
    {
        var addresses = producers.Select(p => p.HttpAddress()).ToList();
        var answers = await QueryAllAsync(addresses, address =>
        {
            var endpoint = $"http://{address}/stats?format=json";
            if (topic.Length > 0)
            {
                endpoint += "&topic=" + Escape(topic);
                if (channel.Length > 0) endpoint += "&channel=" + Escape(channel);
            }
            if (!includeClients) endpoint += "&include_clients=false";
            return endpoint;
        }, Json.NsqdStats, cancellationToken);
        var errors = ErrorsOf(answers, "nsqd");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var topics = new List<TopicStats>();
        var channels = new Dictionary<string, ChannelStats>(StringComparer.Ordinal);
        for (var i = 0; i < answers.Length; i++)
        {
            var producer = producers[i];
            var address = answers[i].Address;
            foreach (var topicStats in answers[i].Answer?.Topics ?? [])
            {
                topicStats.Node = address;
                topicStats.Hostname = producer.Hostname;
                topicStats.MemoryDepth = topicStats.Depth - topicStats.BackendDepth;
                topicStats.DeliveryMsgCount = topicStats.ZoneLocalMsgCount + topicStats.RegionLocalMsgCount + topicStats.GlobalMsgCount;
                topicStats.E2eProcessingLatency?.CompleteAsRead();
                if (topic.Length > 0 && topicStats.TopicName != topic) continue;
                topics.Add(topicStats);
                foreach (var channelStats in topicStats.Channels ?? [])
                {
                    channelStats.Node = address;
                    channelStats.Hostname = producer.Hostname;
                    channelStats.TopicName = topicStats.TopicName;
                    channelStats.MemoryDepth = channelStats.Depth - channelStats.BackendDepth;
                    channelStats.DeliveryMsgCount = channelStats.ZoneLocalMsgCount + channelStats.RegionLocalMsgCount + channelStats.GlobalMsgCount;
                    channelStats.E2eProcessingLatency?.CompleteAsRead();
                    var key = topic.Length > 0 ? channelStats.ChannelName : $"{topicStats.TopicName}:{channelStats.ChannelName}";
                    if (!channels.TryGetValue(key, out var sum))
                        channels[key] = sum = new ChannelStats { Node = address, TopicName = topicStats.TopicName, ChannelName = channelStats.ChannelName };
                    foreach (var consumer in channelStats.Clients ?? [])
                    {
                        consumer.Node = address;
                        consumer.NodeTopologyRegion = producer.TopologyRegion;
                        consumer.NodeTopologyZone = producer.TopologyZone;
                        consumer.ConnectedDuration = (now - consumer.ConnectTs) * 1_000_000_000;
                    }
                    sum.Add(channelStats);
                }
            }
        }
        FleetOrder.ByHostname(topics, static t => t.Hostname);
        return new((topics, channels), errors);
    }
}
