using Microsoft.Extensions.Options;

namespace OrleansNsq.Grains.Storage.Embedded;

/// <summary>Checks what can be checked without touching the disk; opening the file at start reports the rest
/// (a data path that cannot be created, a file that is not a database).</summary>
public sealed class EmbeddedStoreOptionsValidator : IValidateOptions<EmbeddedStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.FileName) || options.FileName.IndexOfAny(['/', '\\']) >= 0)
            return ValidateOptionsResult.Fail("EmbeddedStoreOptions.FileName must be a file name without a directory");
        if (options.DataPath.IndexOf('\0') >= 0)
            return ValidateOptionsResult.Fail("Nsqd:DataPath (--data-path) is not a valid path");
        if (File.Exists(options.DataPath))
            return ValidateOptionsResult.Fail(
                $"Nsqd:DataPath (--data-path) {options.DataPath} is a file; it must be a directory (created if missing)");
        if (options.GrainStorageSerializer is null)
            return ValidateOptionsResult.Fail("EmbeddedStoreOptions.GrainStorageSerializer is not set");
        return ValidateOptionsResult.Success;
    }
}
