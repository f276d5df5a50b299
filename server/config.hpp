// Settings: every one has a flag and an environment variable; a .env file in the
// working directory fills in what the real environment leaves unset.
// Flag > environment > .env > default.
#pragma once

#include "core/log.hpp"
#include "core/settings.hpp"
#include "tools/confirmation.hpp"

#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace justifi::server::config {

enum class transport_kind { stdio, http };

// How JustiFi calls made for an OAuth caller are authenticated. passthrough: with the caller's
// own token (the product plan). exchange: with a JustiFi token this server obtains for it at the
// authorization server (RFC 8693), as MCP's authorization specification requires.
enum class upstream_auth_mode { passthrough, exchange };

// The JustiFi API's scopes, as offered in the protected resource metadata.
inline std::vector<std::string> default_oauth_scopes()
{
    return {"payments:read",   "payments:write", "payouts:read",         "payouts:write",    "checkouts:read",
            "checkouts:write", "refunds:read",   "refunds:write",        "disputes:read",    "balances:read",
            "payment_methods:read", "sub_accounts:read", "terminals:read", "proceeds:read"};
}

struct settings {
    transport_kind transport = transport_kind::stdio;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    core::log::level log_level = core::log::level::info;
    std::string public_url;  // normalised: scheme://host[:port], no trailing slash; empty when unset
    std::vector<std::string> allowed_origins;  // exact origins, or "*"
    std::vector<std::string> allowed_hosts;    // host names (no port), or "*"
    std::string session_secret;                // empty: a random key per process
    std::chrono::seconds session_ttl{24 * 3600};
    std::chrono::seconds request_state_ttl{300};
    std::chrono::milliseconds elicitation_timeout{10 * 60 * 1000};  // stdio: a person answering a tool's question
    std::chrono::milliseconds drain_timeout{20'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{120'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::size_t max_connections = 10'000;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_body_bytes_in_flight = 32 * 1024 * 1024;  // all connections together
    std::size_t max_tool_calls = 256;     // in flight; 0: no limit
    double rate_limit_per_second = 20;    // per caller; 0: off
    double rate_limit_burst = 100;
    std::size_t max_streams_per_caller = 4;  // GET event streams open at once per caller
    std::chrono::milliseconds stream_max_lifetime{30 * 60 * 1000};
    unsigned threads = 0;  // 0: one per core

    // The JustiFi side.
    std::string justifi_base_url = "https://api.justifi.ai";  // normalised
    std::chrono::milliseconds justifi_timeout{30'000};
    std::string justifi_ca_file;
    std::string justifi_client_id;
    std::string justifi_client_secret;
    // The client-credentials token cache: entries held, and token fetches per second (and their
    // burst) over all callers: what anyone presenting new credentials can make JustiFi do.
    std::size_t token_cache_size = 10'000;
    double token_fetches_per_second = 10;
    double token_fetch_burst = 20;
    bool read_only = false;
    std::vector<std::string> enabled_tools;  // empty: the whole catalog
    tools::confirm_policy confirm_writes = tools::confirm_policy::automatic;

    // "none": local development without OAuth; HTTP requests that bring no credentials are
    // served with the configured client credentials. Refused unless bound to loopback.
    bool auth_none = false;

    // OAuth: this server is a resource server for tokens issued by JustiFi's Auth0 tenant.
    std::string auth0_domain = "justifi.us.auth0.com";
    std::string auth0_audience = "https://api.justifi.ai";
    std::string oauth_issuer_override;  // empty: derived from auth0_domain, see oauth_issuer()
    std::vector<std::string> oauth_scopes = default_oauth_scopes();
    // JUSTIFI_OAUTH_VALIDATION=jwks: bearer tokens are verified here (signature, iss, aud,
    // lifetime, scopes) before any JustiFi call; "none" passes them through unchecked.
    bool validate_tokens = true;
    // The issuer's JWKS is reloaded as its Cache-Control max-age says, within these bounds.
    std::chrono::milliseconds jwks_min_refresh{5 * 60 * 1000};
    std::chrono::milliseconds jwks_max_refresh{60 * 60 * 1000};
    // Believe X-Forwarded-Proto and X-Forwarded-Host: only behind a proxy that sets them (ngrok, a load balancer).
    bool trust_proxy = false;
    bool allow_client_credential_headers = true;
    // JUSTIFI_UPSTREAM_AUTH, and in exchange mode this server's own confidential client at the
    // authorization server, and whether only DPoP-bound tokens are accepted.
    upstream_auth_mode upstream_auth = upstream_auth_mode::passthrough;
    std::string exchange_client_id;
    std::string exchange_client_secret;
    std::string exchange_subject_token_type = "urn:ietf:params:oauth:token-type:access_token";
    bool require_dpop = false;
    // Which scope implies which (JUSTIFI_SCOPE_IMPLICATIONS); unset: X:write implies X:read.
    std::optional<std::vector<std::pair<std::string, std::string>>> scope_implications;

    // Prometheus metrics: on the MCP listener at metrics_path, or on their own port.
    // Unset, they are served on loopback or on MCP_METRICS_PORT, and not on a public MCP port.
    bool metrics_enabled = true;
    bool metrics_configured = false;  // MCP_METRICS was given
    std::string metrics_path = "/metrics";
    std::uint16_t metrics_port = 0;

    // The issuer identifier as Auth0 writes it in `iss` (with its trailing slash).
    std::string oauth_issuer() const
    {
        return oauth_issuer_override.empty() ? "https://" + auth0_domain + "/" : oauth_issuer_override;
    }
    bool exchanges_tokens() const { return upstream_auth == upstream_auth_mode::exchange; }
    // DPoP-bound tokens are accepted in exchange mode: a bound token cannot be passed through.
    bool accepts_dpop() const { return exchanges_tokens(); }
    // What a verified token's "aud" may name: the JustiFi API (Auth0's audience), or this
    // server's canonical resource URL when MCP_PUBLIC_URL fixes it (RFC 8707). A Host-derived
    // URL is never accepted: a token minted for another resource must not pass here. In exchange
    // mode only this server's resource: a JustiFi API token is not for us.
    std::vector<std::string> accepted_audiences() const
    {
        if (exchanges_tokens()) return {public_url, public_url + "/mcp"};
        std::vector<std::string> out{auth0_audience};
        if (!public_url.empty()) {
            out.push_back(public_url);
            out.push_back(public_url + "/");
            out.push_back(public_url + "/mcp");
        }
        return out;
    }
};

// The settings, or what main() prints before it exits instead of serving: --help and --version
// (exit 0) are not failures, so this is a choice of two results rather than an outcome.
std::variant<settings, core::exit_now> load(int argc, char const* const* argv);

// Sans-io pieces, unit-tested.
// KEY=VALUE pairs in file order, or an invalid_config refusal: "line 4: expected KEY=VALUE".
core::outcome<std::vector<std::pair<std::string, std::string>>> parse_dotenv(std::string_view text);
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::vector<std::string> split_list(std::string_view text);
// RFC 6749 scope-token: printable ASCII without space, double quote or backslash.
bool is_scope_token(std::string_view text);
// JUSTIFI_SCOPE_IMPLICATIONS: "broader>narrower" pairs separated by commas or spaces
// ("payments:write>payments:read, admin>payments:write"), or "none" for no implications.
core::outcome<std::vector<std::pair<std::string, std::string>>> parse_scope_implications(std::string_view text);

}  // namespace justifi::server::config
