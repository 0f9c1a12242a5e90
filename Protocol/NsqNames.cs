using System.Buffers;
using System.Runtime.CompilerServices;

namespace OrleansNsq.Protocol;

/// <summary>
/// Topic and channel names (internal/protocol/names.go): <c>^[.a-zA-Z0-9_-]+(#ephemeral)?$</c>, 1…64 bytes including
/// the <c>#ephemeral</c> suffix. "." and ".." are valid names. The one rule of every side: the TCP parser, the HTTP
/// APIs, lookupd, nsqadmin, and the grains (which refuse a key that breaks it), so '/' never occurs in a name and the
/// channel grain's key <c>topic/channel</c> splits one way only.
/// </summary>
public static class NsqNames
{
    /// <summary>nsqd's isValidName length bound, suffix included.</summary>
    public const int MaxLength = 64;

    private static readonly SearchValues<byte> NameBytes =
        SearchValues.Create(".abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"u8);

    private static ReadOnlySpan<byte> EphemeralSuffix => "#ephemeral"u8;

    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.Length is < 1 or > MaxLength)
        {
            return false;
        }

        if (name.EndsWith(EphemeralSuffix))
        {
            name = name[..^EphemeralSuffix.Length];
            if (name.IsEmpty)
            {
                return false;
            }
        }

        return !name.ContainsAnyExcept(NameBytes);
    }

    public static bool IsValid(string name)
    {
        if (name.Length is < 1 or > MaxLength)
        {
            return false;
        }

        // Every valid name is ASCII, so its UTF-16 length is its byte length; any other char fails the check.
        Span<byte> bytes = stackalloc byte[MaxLength];
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] > 0x7F)
            {
                return false;
            }

            bytes[i] = (byte)name[i];
        }

        return IsValid(bytes[..name.Length]);
    }

    /// <summary>Throws <see cref="ArgumentException"/> (naming <paramref name="paramName"/>) unless
    /// <paramref name="name"/> is a valid topic or channel name.</summary>
    public static void ThrowIfInvalid(string name, [CallerArgumentExpression(nameof(name))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (!IsValid(name)) ThrowInvalid(name, paramName);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalid(string name, string? paramName) =>
        throw new ArgumentException(
            $"'{name}' is not a valid NSQ name: 1 to {MaxLength} characters of [.a-zA-Z0-9_-], optionally ending in #ephemeral",
            paramName);

    /// <summary>True when the name ends with <c>#ephemeral</c> (no disk queue, not persisted, deleted when unused).</summary>
    public static bool IsEphemeral(ReadOnlySpan<byte> name) => name.EndsWith(EphemeralSuffix);

    /// <inheritdoc cref="IsEphemeral(ReadOnlySpan{byte})"/>
    public static bool IsEphemeral(string name) => name.EndsWith("#ephemeral", StringComparison.Ordinal);
}
