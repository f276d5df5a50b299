// The stages of a request to the MCP endpoint, in the order the HTTP transport runs them:
//   origin/host → auth → rate limit → headers (Accept, Content-Type, protocol version,
//   Sub-Account) → [the body is read] → decode → era: a modern request's envelope and mirrored
//   headers, a legacy request's session → dispatch → encode.
// Each stage returns the value the next one needs, or the refusal that ends the request;
// the transport answers a refusal once (server/http_answers). Only auth awaits (it may fetch
// keys or ask JustiFi about client credentials); nothing here touches a socket, so the unit
// tests drive every stage with headers and values (tests/unit/test_mcp_stages.cpp).
#pragma once

#include "auth/auth_stage.hpp"
#include "auth/oauth_metadata.hpp"
#include "core/errors.hpp"
#include "core/rate_limit.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/session_token.hpp"
#include "server/http_rules.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::server {

namespace http = boost::beast::http;

using request_message = http::request<http::string_body>;

// A stage's outcome: the value for the next stage, or why the request ends here.
template <class T>
using stage = boost::system::result<T, core::refusal>;

// What the stages read from the settings, and nothing else.
struct endpoint_settings {
    http_rules::origin_policy origin_policy;
    std::string public_url;  // empty: derived from Host (and the proxy's headers when trusted)
    bool trust_proxy = false;
    bool allow_client_credential_headers = true;
    std::vector<std::string> oauth_scopes;
    auth::oauth::challenge_options challenge_options;  // Bearer, and DPoP in exchange mode
    auth::oauth::dpop_metadata dpop;                    // what the protected resource metadata says of DPoP
    bool path_aware_challenges = false;  // challenges name the metadata of the endpoint called (exchange mode)
    double rate_limit_per_second = 20;  // 0: no limit
    double rate_limit_burst = 100;
    std::size_t max_streams_per_caller = 4;
};

// A request served under 2026-07-28: its own _meta, and the headers that mirror its body
// (views into the request, which outlives the dispatch).
struct modern_request {
    mcp::envelope envelope;
    mcp::mirrored_headers headers;
};

// What a POST's headers said, for the stages after the body is read.
struct post_headers {
    std::string sub_account;  // the Sub-Account header (a checked id), or empty
};

class mcp_stages {
public:
    // `development_identity` (MCP_AUTH=none) serves requests that bring no credentials;
    // `validation` verifies bearer tokens; `check_credentials` admits client credentials
    // sent as headers only when JustiFi issues a token for them (empty: unchecked).
    mcp_stages(endpoint_settings settings, mcp::session_codec const& sessions,
               std::optional<auth::auth_context> development_identity = std::nullopt,
               auth::token_validation const* validation = nullptr, auth::credential_check check_credentials = {});

    endpoint_settings const& settings() const { return settings_; }

    // Origin and Host against the policy: the DNS-rebinding defence.
    stage<void> check_origin(request_message const& req) const;

    // Who is calling. A refusal here carries what its challenge needs (the base URL is
    // derived from the request: a Host that names none is refused as such first).
    boost::asio::awaitable<stage<auth::auth_context>> authenticate(request_message const& req) const;

    // The caller's rate bucket; `client_address` keys callers whose tokens nothing verified.
    stage<void> admit_rate(auth::auth_context const& identity, std::string_view client_address,
                           core::rate_limiter::clock::time_point now);

    // A POST's headers, all decided before a byte of its body is read. Its MCP-Protocol-Version
    // waits for the body: a modern request is judged against its _meta (-32022 then), a
    // legacy one by check_legacy_version.
    stage<post_headers> check_post_headers(request_message const& req) const;
    // Its Content-Type and Sub-Account alone: what the direct tool endpoint checks (it answers JSON
    // whatever Accept says).
    static stage<post_headers> check_body_headers(request_message const& req);
    // A legacy request's MCP-Protocol-Version: absent (2025-03-26) or one we negotiate.
    static stage<void> check_legacy_version(request_message const& req);
    // A GET's headers (an event stream).
    stage<void> check_stream_headers(request_message const& req) const;

    // The body as one JSON-RPC message.
    static stage<mcp::jsonrpc::message> decode(std::string_view body);

    // A modern request's envelope and mirrored headers, checked in the order the spec's errors
    // rank: _meta (-32602), MCP-Protocol-Version against it (-32020), the version (-32022), then
    // Mcp-Method and Mcp-Name (-32020). Every refusal carries the request's id.
    static stage<modern_request> check_modern(request_message const& req, mcp::jsonrpc::message const& message);

    // The session a request (other than initialize) belongs to: Mcp-Session-Id, verified for
    // this principal. Returns the session id.
    stage<std::string> resume_session(request_message const& req, std::string const& principal,
                                      std::chrono::system_clock::time_point now) const;

    // The 200 answer to a request: its JSON, and for an accepted initialize the new session.
    http::response<http::string_body> encode(request_message const& req, mcp::reply const& reply, bool is_initialize,
                                             std::string const& principal,
                                             std::chrono::system_clock::time_point now) const;

    // The refusal for a caller that holds all of its event streams.
    core::refusal too_many_streams() const;

    // The public base URL a request was addressed to, as the discovery documents name it.
    std::optional<std::string> base_url(request_message const& req) const;
    // Who sent the request: the peer, or behind a trusted proxy the address it appended last.
    std::string client_address(request_message const& req, std::string_view peer) const;
    // The refusal for a request whose base URL cannot be derived.
    core::refusal bad_base_url(request_message const& req) const;

private:
    endpoint_settings settings_;
    mcp::session_codec const& sessions_;
    std::optional<auth::auth_context> development_identity_;
    auth::token_validation const* validation_;
    auth::credential_check check_credentials_;
    core::rate_limiter rate_limiter_;
};

// A header's value, or empty.
std::string_view header_value(request_message const& req, std::string_view name);

}  // namespace justifi::server
