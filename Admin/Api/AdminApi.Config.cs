using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansNsq.Admin.Configuration;

namespace OrleansNsq.Admin.Api;

/// <summary>
/// GET and PUT /config/:opt, as nsqadmin's doConfig: only from --allow-config-from-cidr (403 FORBIDDEN otherwise);
/// PUT takes <c>nsqlookupd_http_addresses</c> (a JSON array) and <c>log_level</c> (a level name); GET answers an
/// option by its config name (strings as plain text, the rest as JSON, durations in nanoseconds).
/// </summary>
public sealed partial class AdminApi
{
    private const int MaxConfigBody = 1024 * 1024;

    private async Task<ApiReply> Config(HttpContext context, RouteValues values)
    {
        var opt = values["opt"];
        var remote = context.Connection.RemoteIpAddress;
        if (_settings.Options.AllowConfigFromCidr.Length > 0)
        {
            if (remote is null) return ApiReply.Error(400, "INVALID_REMOTE_ADDR");
            if (!_settings.AllowsConfigFrom(remote)) return ApiReply.Error(403, "FORBIDDEN");
        }
        if (HttpMethods.IsPut(context.Request.Method))
        {
            // one byte over the limit tells a body that was cut
            var body = await RequestBody.ReadAllAsync(context.Request.Body, MaxConfigBody + 1, context.RequestAborted);
            if (body.Length == 0 || body.Length > MaxConfigBody) return ApiReply.Error(413, "INVALID_VALUE");
            switch (opt)
            {
                case "nsqlookupd_http_addresses":
                    string[]? lookupds;
                    try
                    {
                        lookupds = JsonSerializer.Deserialize(body, AdminBodyJsonContext.Default.StringArray);
                    }
                    catch (JsonException)
                    {
                        return ApiReply.Error(400, "INVALID_VALUE");
                    }
                    _settings.SetLookupds(lookupds ?? []);
                    break;
                case "log_level":
                    if (!LogLevels.TryParse(RequestBody.Text(body), out var level)) return ApiReply.Error(400, "INVALID_VALUE");
                    _settings.SetLogLevel(level);
                    break;
                default:
                    return ApiReply.Error(400, "INVALID_OPTION");
            }
        }
        return ConfigValue(opt) ?? ApiReply.Error(400, "INVALID_OPTION");
    }

    private ApiReply? ConfigValue(string opt)
    {
        var options = _settings.Options;
        var s = _settings.Snapshot;
        var json = AdminJsonContext.Relaxed;
        return opt switch
        {
            "http_address" => ApiReply.Text(options.HttpAddress),
            "nsqlookupd_http_addresses" => ApiReply.Json(_settings.Lookupds(s), json.IReadOnlyListString),
            "nsqd_http_addresses" => ApiReply.Json(_settings.Nsqds(s), json.IReadOnlyListString),
            "http_client_connect_timeout" => ApiReply.Json(options.HttpClientConnectTimeout.Ticks * 100, json.Int64),
            "http_client_request_timeout" => ApiReply.Json(options.HttpClientRequestTimeout.Ticks * 100, json.Int64),
            "allow_config_from_cidr" => ApiReply.Text(options.AllowConfigFromCidr),
            "acl_http_header" => ApiReply.Text(options.AclHttpHeader),
            "admin_users" => ApiReply.Json(options.AdminUsers, json.StringArray),
            "log_level" => ApiReply.Json(s.LogLevel, json.Int32),
            _ => null,
        };
    }
}
