namespace OrleansNsq.Grains.Storage.Log;

/// <summary>Commits the log's last writes at silo stop: after the grains deactivate (they write their last cursors
/// then) and before the store closes (the embedded database closes at ApplicationServices' stop).</summary>
internal sealed class MessageLogLifecycle(MessageLog log) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MessageLog), ServiceLifecycleStage.ApplicationServices + 1,
            _ => Task.CompletedTask,
            async _ => await log.DisposeAsync());
}
