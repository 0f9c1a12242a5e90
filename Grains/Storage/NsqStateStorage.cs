namespace OrleansNsq.Grains.Storage;

/// <summary>The grain storage the topic, channel and directory grains keep their metadata in.</summary>
public static class NsqStateStorage
{
    /// <summary>The storage name in <c>[PersistentState(…, "nsq")]</c>: the embedded SQLite store on a single node,
    /// the ADO.NET provider on PostgreSQL in a cluster.</summary>
    public const string Name = "nsq";
}
