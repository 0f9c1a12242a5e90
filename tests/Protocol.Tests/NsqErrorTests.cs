using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go: only E_FIN_FAILED, E_REQ_FAILED and E_TOUCH_FAILED keep the connection.
public class NsqErrorTests
{
    private static ReadOnlySpan<byte> Id => "0123456789abcdef"u8;

    [Fact]
    public void Fin_failed_is_non_fatal_with_the_raw_id()
    {
        var error = NsqError.FinFailed(Id, NsqError.ReasonIdNotInFlight);

        Assert.False(error.IsFatal);
        Assert.Equal("E_FIN_FAILED FIN 0123456789abcdef failed ID not in flight", Wire.Text(error.Data));
    }

    [Fact]
    public void Req_failed_is_non_fatal()
    {
        var error = NsqError.ReqFailed(Id, NsqError.ReasonClientDoesNotOwnMessage);

        Assert.False(error.IsFatal);
        Assert.Equal("E_REQ_FAILED REQ 0123456789abcdef failed client does not own message", Wire.Text(error.Data));
    }

    [Fact]
    public void Touch_failed_is_non_fatal()
    {
        var error = NsqError.TouchFailed(Id, NsqError.ReasonIdNotInFlight);

        Assert.False(error.IsFatal);
        Assert.Equal("E_TOUCH_FAILED TOUCH 0123456789abcdef failed ID not in flight", Wire.Text(error.Data));
    }

    [Fact]
    public void Every_other_error_is_fatal()
    {
        Assert.True(NsqError.BadProtocol.IsFatal);
        Assert.True(NsqError.InvalidMessageId.IsFatal);
        Assert.True(NsqError.PubFailedExiting.IsFatal);
        Assert.True(NsqError.CannotSubWithHeartbeatsDisabled.IsFatal);
        Assert.True(NsqError.InvalidCommand("X"u8).IsFatal);
    }

    [Fact]
    public void Frame_is_size_type_and_data()
    {
        var error = NsqError.CannotSubInCurrentState;

        Assert.Equal(Wire.Bytes(4 + 37, 1, "E_INVALID cannot SUB in current state"), error.Frame.ToArray());
        Assert.Equal("E_INVALID", error.Code);
        Assert.Equal("cannot SUB in current state", error.Description);
        Assert.Equal("E_INVALID cannot SUB in current state", error.ToString());
    }

    [Fact]
    public void Bad_protocol_has_no_description()
    {
        Assert.Equal("E_BAD_PROTOCOL", Wire.Text(NsqError.BadProtocol.Data));
        Assert.Equal("", NsqError.BadProtocol.Description);
    }

    [Fact]
    public void Session_errors_use_nsqd_wording()
    {
        Assert.Equal("E_INVALID cannot SUB with heartbeats disabled", NsqError.CannotSubWithHeartbeatsDisabled.ToString());
        Assert.Equal("E_BAD_BODY IDENTIFY failed to decode JSON body", NsqError.IdentifyFailedToDecodeJsonBody.ToString());
        Assert.Equal("E_IDENTIFY_FAILED cannot enable both deflate and snappy compression", NsqError.IdentifyCannotEnableBothCompressions.ToString());
        Assert.Equal("E_SUB_FAILED SUB failed to deleted topic/channel", NsqError.SubFailedToDeletedTopicChannel.ToString());
        Assert.Equal("E_SUB_FAILED SUB failed consumers for t:c exceeds limit of 2", NsqError.SubFailedConsumerLimit("t", "c", 2).ToString());
        Assert.Equal("E_AUTH_FIRST AUTH required before MPUB", NsqError.AuthRequiredBefore(CommandKind.Mpub).ToString());
        Assert.Equal("E_UNAUTHORIZED AUTH failed for PUB on \"t\" \"\"", NsqError.Unauthorized(CommandKind.Pub, "t"u8, ""u8).ToString());
        Assert.Equal("E_INVALID cannot FOO in current state (TLS required)", NsqError.TlsRequired("FOO"u8).ToString());
        Assert.Equal("E_DPUB_FAILED DPUB failed exiting", NsqError.DpubFailedExiting.ToString());
    }
}
