#include "server/config.hpp"

#include "client/justifi_client.hpp"
#include "core/encoding.hpp"
#include "server/http_rules.hpp"
#include "net/web_address.hpp"
#include "version.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

namespace justifi::server::config {
namespace {

using core::encoding::ascii_lower;

namespace po = boost::program_options;

using apply_fn = std::function<core::outcome<void>(std::string_view value, settings&)>;

// A value a setting cannot take; the words follow "invalid <setting> "<value>": ".
core::refusal invalid(std::string why) { return core::refuse(core::errc::invalid_config, std::move(why)); }

struct setting_spec {
    char const* flag;
    char const* env;
    char const* default_text;
    char const* help;
    apply_fn apply;
};

std::string trim(std::string_view s)
{
    auto const b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    auto const e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

template <class Int>
std::optional<Int> parse_int(std::string_view s, Int min, Int max)
{
    long long v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < static_cast<long long>(min) ||
        v > static_cast<long long>(max))
        return std::nullopt;
    return static_cast<Int>(v);
}

apply_fn duration_setting(std::chrono::milliseconds settings::*member, std::chrono::milliseconds min)
{
    return [member, min](std::string_view v, settings& s) -> core::outcome<void> {
        auto const d = parse_duration(v);
        if (!d || *d < min) return invalid("must be a duration such as 20s, 500ms or 2m (at least " + std::to_string(min.count()) + "ms)");
        s.*member = *d;
        return {};
    };
}

apply_fn bool_setting(bool settings::*member)
{
    return [member](std::string_view v, settings& s) -> core::outcome<void> {
        auto const b = ascii_lower(v);
        if (b == "true" || b == "1" || b == "yes") s.*member = true;
        else if (b == "false" || b == "0" || b == "no") s.*member = false;
        else return invalid("must be true or false");
        return {};
    };
}

// A whole number in [min, max], stored as the member's type (a count, a size, a rate).
template <class Number>
apply_fn number_setting(Number settings::*member, long long min, long long max)
{
    return [member, min, max](std::string_view v, settings& s) -> core::outcome<void> {
        auto const n = parse_int<long long>(v, min, max);
        if (!n) return invalid("must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
        s.*member = static_cast<Number>(*n);
        return {};
    };
}

// A decimal number in [min, max] ("0.5", "20"): rates below one a second are rates too.
apply_fn decimal_setting(double settings::*member, double min, double max)
{
    return [member, min, max](std::string_view v, settings& s) -> core::outcome<void> {
        double n = 0;
        auto const [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n, std::chars_format::fixed);
        if (ec != std::errc{} || end != v.data() + v.size() || !(n >= min && n <= max))
            return invalid("must be a number between " + std::to_string(static_cast<long long>(min)) + " and " +
                   std::to_string(static_cast<long long>(max)) + ", such as 20 or 0.5");
        s.*member = n;
        return {};
    };
}

core::outcome<void> normalise_origin(std::string_view text, std::string& out, bool allow_path)
{
    auto const url = server::http_rules::parse_web_url(text);
    if (!url) return invalid("must be an absolute http:// or https:// URL with a host");
    if (url->has_extras) return invalid("must not carry user info, a query or a fragment");
    if (!allow_path && !url->path.empty() && url->path != "/")
        return invalid("must be an origin (scheme://host[:port]) without a path");
    out = url->origin();
    if (allow_path) {
        std::string path = url->path;
        while (!path.empty() && path.back() == '/') path.pop_back();
        out += path;
    }
    return {};
}

std::vector<setting_spec> const& specs()
{
    static std::vector<setting_spec> const table{
        {"transport", "MCP_TRANSPORT", "stdio", "transport: stdio or http",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const t = ascii_lower(v);
             if (t == "stdio") s.transport = transport_kind::stdio;
             else if (t == "http") s.transport = transport_kind::http;
             else return invalid("must be \"stdio\" or \"http\"");
             return {};
         }},
        {"host", "MCP_HOST", "127.0.0.1", "address the HTTP transport binds to",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             boost::system::error_code ec;
             boost::asio::ip::make_address(std::string(v), ec);
             if (ec && v != "localhost") return invalid("must be an IPv4 or IPv6 address (or localhost)");
             s.host = v == "localhost" ? "127.0.0.1" : std::string(v);
             return {};
         }},
        {"port", "MCP_PORT", "8080", "TCP port of the HTTP transport (0 picks a free one)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const p = parse_int<int>(v, 0, 65535);
             if (!p) return invalid("must be an integer between 0 and 65535");
             s.port = static_cast<std::uint16_t>(*p);
             return {};
         }},
        {"log-level", "LOG_LEVEL", "info", "stderr log threshold: debug, info, warning, error or off",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const l = core::log::parse_level(v);
             if (!l) return invalid("must be one of debug, info, warning, error, off");
             s.log_level = *l;
             return {};
         }},
        {"public-url", "MCP_PUBLIC_URL", "", "externally visible base URL, e.g. https://mcp.justifi.ai",
         [](std::string_view v, settings& s) { return normalise_origin(v, s.public_url, true); }},
        {"allowed-origins", "MCP_ALLOWED_ORIGINS", "localhost origins",
         "comma-separated Origin values browsers may call from (\"*\" allows any)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             s.allowed_origins.clear();
             for (auto const& item : split_list(v)) {
                 if (item == "*") { s.allowed_origins.push_back(item); continue; }
                 std::string origin;
                 if (auto checked = normalise_origin(item, origin, false); !checked)
                     return invalid("entry \"" + item + "\" " + checked.error().message);
                 s.allowed_origins.push_back(origin);
             }
             return {};
         }},
        {"allowed-hosts", "MCP_ALLOWED_HOSTS", "localhost names when bound to loopback",
         "comma-separated Host names accepted on the MCP endpoint (\"*\" allows any)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             s.allowed_hosts.clear();
             for (auto const& item : split_list(v)) {
                 if (item.find_first_of("/@ ") != std::string::npos) return invalid("entry \"" + item + "\" must be a host name");
                 s.allowed_hosts.push_back(ascii_lower(item));
             }
             return {};
         }},
        {"session-secret", "MCP_SESSION_SECRET", "random per process",
         "key that signs Mcp-Session-Id and requestState; share it across replicas (at least 32 characters)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (v.size() < 32) return invalid("must be at least 32 characters");
             s.session_secret = v;
             return {};
         }},
        {"session-ttl", "MCP_SESSION_TTL", "24h", "how long a session id stays valid",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const d = parse_duration(v);
             if (!d || *d < std::chrono::seconds(60)) return invalid("must be a duration of at least 60s, such as 24h");
             s.session_ttl = std::chrono::duration_cast<std::chrono::seconds>(*d);
             return {};
         }},
        {"request-state-ttl", "MCP_REQUEST_STATE_TTL", "5m",
         "how long a 2026-07-28 client may take to answer the server's questions (requestState lifetime)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const d = parse_duration(v);
             if (!d || *d < std::chrono::seconds(10) || *d > std::chrono::hours(1))
                 return invalid("must be a duration from 10s to 1h, such as 5m");
             s.request_state_ttl = std::chrono::duration_cast<std::chrono::seconds>(*d);
             return {};
         }},
        {"elicitation-timeout", "MCP_ELICITATION_TIMEOUT", "10m",
         "over stdio, how long a tool waits for the person to answer its question (elicitation/create)",
         duration_setting(&settings::elicitation_timeout, std::chrono::milliseconds(100))},
        {"drain-timeout", "MCP_DRAIN_TIMEOUT", "20s", "on SIGTERM, how long in-flight calls may take to finish",
         duration_setting(&settings::drain_timeout, std::chrono::milliseconds(0))},
        {"header-timeout", "MCP_HEADER_TIMEOUT", "10s", "deadline for a request's headers and body to arrive",
         duration_setting(&settings::header_timeout, std::chrono::milliseconds(100))},
        {"idle-timeout", "MCP_IDLE_TIMEOUT", "120s", "how long a keep-alive connection may sit idle",
         duration_setting(&settings::idle_timeout, std::chrono::milliseconds(100))},
        {"write-timeout", "MCP_WRITE_TIMEOUT", "30s", "deadline for writing a response to a client",
         duration_setting(&settings::write_timeout, std::chrono::milliseconds(100))},
        {"max-connections", "MCP_MAX_CONNECTIONS", "10000", "concurrent HTTP connections; more get 503",
         number_setting(&settings::max_connections, 1, 1'000'000)},
        {"max-tool-calls", "MCP_MAX_TOOL_CALLS", "256",
         "tool calls (so JustiFi calls) running at once; more get 503 with Retry-After at once; 0: no limit",
         number_setting(&settings::max_tool_calls, 0, 1'000'000)},
        {"rate-limit", "MCP_RATE_LIMIT", "20",
         "MCP requests per second each caller (token subject, client id) may sustain, a decimal (0.5: one every 2 s); "
         "more get 429; 0: no limit",
         decimal_setting(&settings::rate_limit_per_second, 0, 1'000'000)},
        {"rate-limit-burst", "MCP_RATE_LIMIT_BURST", "100", "requests a caller may send at once above the rate",
         number_setting(&settings::rate_limit_burst, 1, 1'000'000)},
        {"max-body-bytes", "MCP_MAX_BODY_BYTES", "1048576", "largest accepted request body; larger gets 413",
         number_setting(&settings::max_body_bytes, 1024, 64LL * 1024 * 1024)},
        {"max-streams-per-caller", "MCP_MAX_STREAMS_PER_CALLER", "4",
         "GET event streams one caller may hold open at once; more get 429",
         number_setting(&settings::max_streams_per_caller, 1, 1'000'000)},
        {"stream-max-lifetime", "MCP_STREAM_MAX_LIFETIME", "30m",
         "how long a GET event stream stays open before the server ends it (the client opens another)",
         duration_setting(&settings::stream_max_lifetime, std::chrono::milliseconds(1000))},
        {"max-body-bytes-in-flight", "MCP_MAX_BODY_BYTES_IN_FLIGHT", "33554432",
         "request body bytes being received at once over all connections; a body past it gets 503 before it is read",
         number_setting(&settings::max_body_bytes_in_flight, 1024, 16LL * 1024 * 1024 * 1024)},
        {"justifi-base-url", "JUSTIFI_BASE_URL", "https://api.justifi.ai",
         "JustiFi API root (plain http:// only for a loopback simulator)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const url = client::normalise_base_url(v);
             // Its words name JUSTIFI_BASE_URL, which the caller's line names already.
             if (!url) return invalid(url.error().message.substr(url.error().message.find(' ') + 1));
             s.justifi_base_url = *url;
             return {};
         }},
        {"justifi-timeout", "JUSTIFI_TIMEOUT", "30s", "deadline of one JustiFi call, retries included",
         duration_setting(&settings::justifi_timeout, std::chrono::milliseconds(100))},
        {"justifi-ca-file", "JUSTIFI_CA_FILE", "system store (or SSL_CERT_FILE)",
         "PEM file of CA certificates trusted for the JustiFi API",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (!std::ifstream(std::string(v))) return invalid("names a file that cannot be read");
             s.justifi_ca_file = v;
             return {};
         }},
        {"justifi-client-id", "JUSTIFI_CLIENT_ID", "", "JustiFi client id (stdio, and HTTP with MCP_AUTH=none)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (!client::is_safe_header_value(v)) return invalid("must not contain control characters");
             s.justifi_client_id = v;
             return {};
         }},
        {"justifi-client-secret", "JUSTIFI_CLIENT_SECRET", "",
         "JustiFi client secret (prefer the environment or .env: flags show in ps)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             s.justifi_client_secret = v;
             return {};
         }},
        {"token-cache-size", "JUSTIFI_TOKEN_CACHE_SIZE", "10000",
         "client-credentials tokens (and refusals) kept; the least recently used go first",
         number_setting(&settings::token_cache_size, 1, 10'000'000)},
        {"token-fetches-per-second", "JUSTIFI_TOKEN_FETCHES_PER_SECOND", "10",
         "POST /oauth/token calls per second for credentials not in the cache, over all callers; more get 503",
         number_setting(&settings::token_fetches_per_second, 1, 100'000)},
        {"token-fetch-burst", "JUSTIFI_TOKEN_FETCH_BURST", "20", "token fetches allowed at once above that rate",
         number_setting(&settings::token_fetch_burst, 1, 100'000)},
        {"read-only", "JUSTIFI_READ_ONLY", "false", "hide and refuse every tool that changes anything",
         bool_setting(&settings::read_only)},
        {"confirm-writes", "JUSTIFI_CONFIRM_WRITES", "auto",
         "a person confirms each money movement: auto (whenever the client can ask), required (a client that "
         "cannot ask cannot move money) or off",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const policy = tools::parse_confirm_policy(v);
             if (!policy) return invalid("must be auto, required or off");
             s.confirm_writes = *policy;
             return {};
         }},
        {"enabled-tools", "JUSTIFI_ENABLED_TOOLS", "all", "comma-separated tool names to offer (the rest are hidden)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             s.enabled_tools = split_list(v);
             return {};
         }},
        {"auth", "MCP_AUTH", "oauth",
         "\"none\" serves HTTP requests without credentials with the configured client credentials "
         "(local development; loopback only)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const mode = ascii_lower(v);
             if (mode == "none") s.auth_none = true;
             else if (mode == "oauth") s.auth_none = false;
             else return invalid("must be \"oauth\" or \"none\"");
             return {};
         }},
        {"auth0-domain", "JUSTIFI_AUTH0_DOMAIN", "justifi.us.auth0.com",
         "Auth0 tenant that issues JustiFi access tokens (the issuer is https://DOMAIN/)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (!server::http_rules::parse_host_and_port(v)) return invalid("must be a host name such as justifi.us.auth0.com, without scheme or path");
             s.auth0_domain = ascii_lower(v);
             return {};
         }},
        {"auth0-audience", "JUSTIFI_AUTH0_AUDIENCE", "https://api.justifi.ai",
         "audience (Auth0 API identifier) that access tokens are issued for",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (std::any_of(v.begin(), v.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; }))
                 return invalid("must be an identifier such as https://api.justifi.ai, without spaces or control characters");
             s.auth0_audience = v;
             return {};
         }},
        {"oauth-issuer", "JUSTIFI_OAUTH_ISSUER", "https://{JUSTIFI_AUTH0_DOMAIN}/",
         "authorization server issuer advertised to clients and expected in tokens",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             // Kept verbatim: an issuer is compared character for character with a token's `iss`.
             auto const url = server::http_rules::parse_web_url(v);
             if (!url || url->has_extras || (url->scheme != "https" && !net::is_loopback_host(url->host)))
                 return invalid("must be an https:// URL without user info, query or fragment (plain http:// only on loopback), "
                        "e.g. https://justifi.us.auth0.com/");
             s.oauth_issuer_override = v;
             return {};
         }},
        {"oauth-scopes", "JUSTIFI_OAUTH_SCOPES", "the JustiFi API scopes (payments:read, ...)",
         "comma-separated scopes advertised in the protected resource metadata",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto scopes = split_list(v);
             if (scopes.empty()) return invalid("must list at least one scope, e.g. payments:read,payments:write");
             for (auto const& scope : scopes)
                 if (!is_scope_token(scope))
                     return invalid("entry \"" + scope + "\" must be a scope without spaces, quotes or backslashes");
             s.oauth_scopes = std::move(scopes);
             return {};
         }},
        {"oauth-validation", "JUSTIFI_OAUTH_VALIDATION", "jwks",
         "jwks: verify bearer tokens here (signature against the issuer's JWKS, iss, aud, exp, scopes); none: pass "
         "them to JustiFi unchecked",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (v == "jwks") s.validate_tokens = true;
             else if (v == "none") s.validate_tokens = false;
             else return invalid("must be jwks or none");
             return {};
         }},
        {"upstream-auth", "JUSTIFI_UPSTREAM_AUTH", "passthrough",
         "how JustiFi calls for an OAuth caller are authenticated: passthrough (the caller's token) or exchange "
         "(RFC 8693: tokens must be for this server, MCP_PUBLIC_URL, and are exchanged for JustiFi tokens)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (v == "passthrough") s.upstream_auth = upstream_auth_mode::passthrough;
             else if (v == "exchange") s.upstream_auth = upstream_auth_mode::exchange;
             else return invalid("must be passthrough or exchange");
             return {};
         }},
        {"exchange-client-id", "JUSTIFI_EXCHANGE_CLIENT_ID", "",
         "exchange mode: this server's confidential client at the authorization server",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (v.empty() || !client::is_safe_header_value(v) || v.find(':') != std::string_view::npos)
                 return invalid("must be a client id without control characters or ':'");
             s.exchange_client_id = v;
             return {};
         }},
        {"exchange-client-secret", "JUSTIFI_EXCHANGE_CLIENT_SECRET", "",
         "exchange mode: that client's secret (from the environment or a secret store, never a flag)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (v.empty() || !client::is_safe_header_value(v)) return invalid("must be a secret without control characters");
             s.exchange_client_secret = v;
             return {};
         }},
        {"exchange-subject-token-type", "JUSTIFI_EXCHANGE_SUBJECT_TOKEN_TYPE", "RFC 8693's access_token type",
         "exchange mode: the subject_token_type sent (an authorization server may want its own URI, as Auth0's "
         "Custom Token Exchange does)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             if (v.empty() || v.size() > 256 || v.find(':') == std::string_view::npos ||
                 std::any_of(v.begin(), v.end(), [](unsigned char c) { return c <= ' ' || c >= 0x7f; }))
                 return invalid("must be a URI such as urn:ietf:params:oauth:token-type:access_token");
             s.exchange_subject_token_type = v;
             return {};
         }},
        {"require-dpop", "JUSTIFI_REQUIRE_DPOP", "false",
         "exchange mode: accept only DPoP-bound access tokens (RFC 9449)", bool_setting(&settings::require_dpop)},
        {"scope-implications", "JUSTIFI_SCOPE_IMPLICATIONS", "every X:write implies X:read",
         "which scope implies which when deciding whether a token suffices: broader>narrower pairs, comma-separated, "
         "or none",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto table = parse_scope_implications(v);
             if (!table) return invalid(table.error().message);
             s.scope_implications = std::move(*table);
             return {};
         }},
        {"jwks-min-refresh", "JUSTIFI_JWKS_MIN_REFRESH", "5m",
         "least time between two timed reloads of the issuer's JWKS (its Cache-Control max-age is followed within these)",
         duration_setting(&settings::jwks_min_refresh, std::chrono::milliseconds(1000))},
        {"jwks-max-refresh", "JUSTIFI_JWKS_MAX_REFRESH", "1h",
         "most time between two reloads of the issuer's JWKS: a key it removed is no longer trusted after this",
         duration_setting(&settings::jwks_max_refresh, std::chrono::milliseconds(1000))},
        {"trust-proxy", "MCP_TRUST_PROXY", "false",
         "believe X-Forwarded-Proto and X-Forwarded-Host (behind ngrok or a load balancer that sets them)",
         bool_setting(&settings::trust_proxy)},
        {"metrics", "MCP_METRICS", "true on loopback or with MCP_METRICS_PORT",
         "serve Prometheus metrics (HTTP transport); unset, a non-loopback MCP port does not serve them",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             s.metrics_configured = true;
             return bool_setting(&settings::metrics_enabled)(v, s);
         }},
        {"metrics-path", "MCP_METRICS_PATH", "/metrics", "path of the Prometheus metrics",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             bool const taken = v == "/" || v == "/mcp" || v == "/health" || v.starts_with("/.well-known/");
             bool const plain = v.size() > 1 && v.front() == '/' &&
                                v.find_first_of("?# \t\"") == std::string_view::npos;
             if (!plain || taken)
                 return invalid("must be a path such as /metrics, other than /, /mcp, /health and /.well-known/...");
             s.metrics_path = v;
             return {};
         }},
        {"metrics-port", "MCP_METRICS_PORT", "0",
         "serve the metrics on this port of MCP_HOST instead of the MCP port (0: the MCP port)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const p = parse_int<int>(v, 0, 65535);
             if (!p) return invalid("must be an integer between 0 and 65535");
             s.metrics_port = static_cast<std::uint16_t>(*p);
             return {};
         }},
        {"allow-client-credential-headers", "MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS", "true",
         "accept JustiFi client credentials in X-Client-Id / X-Client-Secret headers",
         bool_setting(&settings::allow_client_credential_headers)},
        {"threads", "MCP_THREADS", "one per usable CPU", "I/O threads of the HTTP transport (default: the CPUs this process may run on, lowered to its cgroup CPU quota rounded up)",
         [](std::string_view v, settings& s) -> core::outcome<void> {
             auto const n = parse_int<int>(v, 1, 256);
             if (!n) return invalid("must be an integer between 1 and 256");
             s.threads = static_cast<unsigned>(*n);
             return {};
         }},
    };
    return table;
}

core::outcome<void> load_dotenv_file(std::string const& path)
{
    std::ifstream file(path);
    if (!file) return {};  // no .env is the normal case
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = parse_dotenv(text.str());
    if (!parsed) return invalid(path + " " + parsed.error().message);
    for (auto const& [key, value] : *parsed)
        ::setenv(key.c_str(), value.c_str(), /*overwrite=*/0);  // the real environment wins
    return {};
}

std::string help_text(po::options_description const& desc)
{
    std::ostringstream out;
    out << "justifi-mcp " << core::server_version << ": Model Context Protocol server for the JustiFi payments API\n\n"
        << "Usage: justifi-mcp [options]\n\n"
        << "Every option can also be set by the environment variable shown, or in a .env file\n"
        << "in the working directory (command line > environment > .env > default).\n\n"
        << desc << "\n";
    return out.str();
}

}  // namespace

std::vector<std::string> split_list(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const comma = text.find(',', start);
        auto item = trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (!item.empty()) out.push_back(std::move(item));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

bool is_scope_token(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return c > ' ' && c < 0x7f && c != '"' && c != '\\';
    });
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    auto const digits_end = std::find_if(text.begin(), text.end(), [](char c) { return !std::isdigit(static_cast<unsigned char>(c)); });
    auto const number = text.substr(0, static_cast<std::size_t>(digits_end - text.begin()));
    auto const unit = text.substr(number.size());
    auto const n = parse_int<long long>(number, 0, 1'000'000'000);
    if (!n) return std::nullopt;
    long long scale = 0;
    if (unit.empty() || unit == "s") scale = 1000;
    else if (unit == "ms") scale = 1;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else return std::nullopt;
    return std::chrono::milliseconds(*n * scale);
}

core::outcome<std::vector<std::pair<std::string, std::string>>> parse_dotenv(std::string_view text)
{
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto const nl = text.find('\n');
        auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;
        if (line.starts_with("export ")) line = trim(std::string_view(line).substr(7));
        auto const eq = line.find('=');
        if (eq == std::string::npos) return invalid("line " + std::to_string(line_no) + ": " + "expected KEY=VALUE");
        auto key = trim(std::string_view(line).substr(0, eq));
        if (key.empty() || !std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; }) ||
            std::isdigit(static_cast<unsigned char>(key.front())))
            return invalid("line " + std::to_string(line_no) + ": " + "\"" + key + "\" is not a valid variable name");
        auto value = trim(std::string_view(line).substr(eq + 1));
        if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
            char const quote = value.front();
            auto const close = value.find(quote, 1);
            if (close == std::string::npos) return invalid("line " + std::to_string(line_no) + ": " + "unterminated quoted value");
            auto const rest = trim(std::string_view(value).substr(close + 1));
            if (!rest.empty() && rest.front() != '#') return invalid("line " + std::to_string(line_no) + ": " + "unexpected text after quoted value");
            value = value.substr(1, close - 1);
        } else if (auto const hash = value.find(" #"); hash != std::string::npos) {
            value = trim(std::string_view(value).substr(0, hash));
        }
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

core::outcome<std::vector<std::pair<std::string, std::string>>> parse_scope_implications(std::string_view text)
{
    std::vector<std::pair<std::string, std::string>> out;
    if (trim(text) == "none") return out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find_first_of(", \t", start), text.size());
        auto const entry = text.substr(start, end - start);
        start = end + 1;
        if (entry.empty()) continue;
        auto const arrow = entry.find('>');
        auto const broader = entry.substr(0, arrow);
        auto const narrower = arrow == std::string_view::npos ? std::string_view() : entry.substr(arrow + 1);
        if (!is_scope_token(broader) || !is_scope_token(narrower) || narrower.find('>') != std::string_view::npos)
            return core::refuse(core::errc::invalid_config,
                                "entry \"" + std::string(entry) + "\" must be broader>narrower, e.g. payments:write>payments:read");
        out.emplace_back(broader, narrower);
    }
    if (out.empty())
        return core::refuse(core::errc::invalid_config, "must list broader>narrower pairs, or be \"none\"");
    return out;
}

std::variant<settings, core::exit_now> load(int argc, char const* const* argv)
{
    // A description column wide enough for the longest environment variable name on one line.
    po::options_description desc("Options", 80, 46);
    desc.add_options()("help,h", "print this help and exit")("version,V", "print the version and exit");
    desc.add_options()("env-file", po::value<std::string>()->value_name("PATH"),
                       "file of KEY=VALUE lines loaded before the environment is read (default: ./.env)");
    for (auto const& spec : specs()) {
        std::string text = std::string(spec.help) + "\n  env " + spec.env;
        if (*spec.default_text) text += ", default " + std::string(spec.default_text);
        desc.add_options()(spec.flag, po::value<std::string>()->value_name("VALUE"), text.c_str());
    }

    po::variables_map cli;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), cli);
    } catch (po::error const& e) {
        return core::exit_now{2, std::string("justifi-mcp: ") + e.what() + " (see --help)"};
    }
    if (cli.count("help")) return core::exit_now{0, help_text(desc)};
    if (cli.count("version")) return core::exit_now{0, std::string("justifi-mcp ") + core::server_version + " (" + core::git_commit + ")"};

    auto const env_file = cli.count("env-file") ? cli["env-file"].as<std::string>() : std::string(".env");
    if (auto loaded = load_dotenv_file(env_file); !loaded)
        return core::exit_now{2, "justifi-mcp: invalid .env file: " + loaded.error().message};

    settings s;
    auto const flag_value = [&cli](char const* name) -> std::optional<std::string> {
        if (!cli.count(name)) return std::nullopt;
        return cli[name].as<std::string>();
    };
    if (auto applied = core::apply_settings(specs(), flag_value, s, "justifi-mcp"); !applied)
        return core::exit_now{2, applied.error().message};
    if (s.jwks_max_refresh < s.jwks_min_refresh)
        return core::exit_now{2, "justifi-mcp: invalid JUSTIFI_JWKS_MAX_REFRESH: must not be shorter than JUSTIFI_JWKS_MIN_REFRESH"};
    bool const loopback = net::is_loopback_host(s.host);
    if (s.auth_none && !loopback)
        return core::exit_now{2, "justifi-mcp: invalid MCP_AUTH \"none\": only allowed when MCP_HOST is a loopback address "
                           "(it serves anyone who can connect with the configured credentials)"};
    if (s.transport == transport_kind::http && !loopback && s.public_url.empty())
        return core::exit_now{2, "justifi-mcp: MCP_PUBLIC_URL must be set when MCP_HOST (" + s.host +
                               ") is not a loopback address: the OAuth resource URL and its metadata would "
                               "otherwise come from each request's Host header, which anyone can choose "
                               "(e.g. MCP_PUBLIC_URL=https://mcp.example.com)"};
    if (s.exchanges_tokens()) {
        if (s.public_url.empty())
            return core::exit_now{2, "justifi-mcp: JUSTIFI_UPSTREAM_AUTH=exchange needs MCP_PUBLIC_URL: tokens must name "
                                   "this server's URL as their audience, and DPoP proofs its request URLs"};
        if (!s.validate_tokens)
            return core::exit_now{2, "justifi-mcp: JUSTIFI_UPSTREAM_AUTH=exchange needs JUSTIFI_OAUTH_VALIDATION=jwks: "
                                   "only a token checked here may be exchanged"};
        if (s.exchange_client_id.empty() || s.exchange_client_secret.empty())
            return core::exit_now{2, "justifi-mcp: JUSTIFI_UPSTREAM_AUTH=exchange needs JUSTIFI_EXCHANGE_CLIENT_ID and "
                                   "JUSTIFI_EXCHANGE_CLIENT_SECRET: the confidential client this server exchanges "
                                   "tokens as"};
    } else if (s.require_dpop) {
        return core::exit_now{2, "justifi-mcp: JUSTIFI_REQUIRE_DPOP=true needs JUSTIFI_UPSTREAM_AUTH=exchange: a "
                               "DPoP-bound token cannot be passed through to JustiFi"};
    }
    // Metrics are nobody's business on a public port: there, only a separate port (or MCP_METRICS=true) serves them.
    if (!s.metrics_configured && !loopback && s.metrics_port == 0) s.metrics_enabled = false;
    return s;
}

}  // namespace justifi::server::config
