namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// What clusterinfo returns with a PartialErr: the answers of the lookupds and nsqds that did answer, and the
/// errors of those that did not (Go's ErrList, one text each). When none answered, it throws
/// <see cref="FleetUnreachableException"/> instead.
/// </summary>
public readonly record struct FleetResult<T>(T Value, IReadOnlyList<string> Errors)
{
    public bool IsPartial => Errors.Count > 0;

    /// <summary>ErrList.Error(): the errors, one per line.</summary>
    public string ErrorText => string.Join('\n', Errors);
}
