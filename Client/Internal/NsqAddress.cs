using System.Globalization;

namespace OrleansNsq.Client.Internal;

internal static class NsqAddress
{
    /// <summary>Splits <c>host:port</c> (also <c>[::1]:port</c>) at the last colon.</summary>
    public static (string Host, int Port) Parse(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new ArgumentException($"'{address}' is not a host:port address", nameof(address));
        }

        return (address[..colon].Trim('[', ']'), port);
    }
}
