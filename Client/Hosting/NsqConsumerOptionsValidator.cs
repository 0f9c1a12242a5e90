using Microsoft.Extensions.Options;
using OrleansNsq.Client.Internal;
using OrleansNsq.Protocol;

namespace OrleansNsq.Client.Hosting;

/// <summary>Checks a consumer's options when the host starts (<c>ValidateOnStart</c>), naming the option and the
/// consumer, so a bad configuration fails the start instead of the first connection.</summary>
internal sealed class NsqConsumerOptionsValidator : IValidateOptions<NsqConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, NsqConsumerOptions options)
    {
        var failures = new List<string>();
        if (!NsqNames.IsValid(options.Topic))
        {
            failures.Add($"Topic '{options.Topic}' is not a valid NSQ topic name (1-64 of [.a-zA-Z0-9_-], optionally #ephemeral)");
        }

        if (!NsqNames.IsValid(options.Channel))
        {
            failures.Add($"Channel '{options.Channel}' is not a valid NSQ channel name");
        }

        if (options.NsqdTcpAddresses.Count == 0 && options.LookupdHttpAddresses.Count == 0)
        {
            failures.Add("give NsqdTcpAddresses, LookupdHttpAddresses or both");
        }

        foreach (var address in options.NsqdTcpAddresses)
        {
            try
            {
                NsqAddress.Parse(address);
            }
            catch (ArgumentException)
            {
                failures.Add($"NsqdTcpAddresses: '{address}' is not host:port");
            }
        }

        if (options.MaxInFlight < 1)
        {
            failures.Add($"MaxInFlight is {options.MaxInFlight}: at least 1 (it is also how many handlers run at once)");
        }

        if (options.MaxAttempts is < 0 or > ushort.MaxValue)
        {
            failures.Add($"MaxAttempts is {options.MaxAttempts}: 0 (no limit) to 65535");
        }

        if (options.DeadLetterTopic is { } parked)
        {
            if (!NsqNames.IsValid(parked))
            {
                failures.Add($"DeadLetterTopic '{parked}' is not a valid NSQ topic name");
            }

            if (options.MaxAttempts == 0)
            {
                failures.Add("DeadLetterTopic needs MaxAttempts above 0: without a last attempt nothing is ever parked");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => $"NsqConsumerOptions '{name}': {f}"));
    }
}
