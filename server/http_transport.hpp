// The Streamable HTTP transport of MCP, on the generic HTTP server: routing (/mcp, /,
// /health, the OAuth protected resource metadata), the transport's checks (Origin/Host,
// Accept, Content-Type, protocol version, sessions), CORS, POSTed messages answered as
// JSON or as an event stream, and GET streams.
#pragma once

#include "server/config.hpp"
#include "server/http_rules.hpp"
#include "net/http_server.hpp"
#include "mcp/dispatch.hpp"
#include "core/rate_limit.hpp"
#include "mcp/session_token.hpp"

#include <memory>
#include <optional>

namespace justifi::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;

class http_transport {
public:
    // `development_identity` (MCP_AUTH=none) serves requests that bring no credentials;
    // `validation` (JUSTIFI_OAUTH_VALIDATION=jwks) verifies bearer tokens before anything else.
    // `metrics` (when given) records each request, and is served at MCP_METRICS_PATH unless
    // MCP_METRICS_PORT gives it a listener of its own.
    // `check_credentials` admits client credentials sent as headers only when JustiFi issues a
    // token for them (empty: they pass unchecked to the first JustiFi call).
    http_transport(asio::io_context& io, server::config::settings const& settings, mcp::dispatcher& dispatcher,
                   mcp::session_codec const& sessions, std::optional<auth::auth_context> development_identity = std::nullopt,
                   auth::token_validation const* validation = nullptr, core::metrics::registry* metrics = nullptr,
                   auth::credential_check check_credentials = {});

    boost::system::result<net::tcp::endpoint> listen() { return server_.listen(settings_.host, settings_.port); }
    void start() { server_.start(); }
    void begin_drain() { server_.begin_drain(); }
    bool stopping() const { return server_.stopping(); }
    std::size_t open_connections() const { return server_.open_connections(); }
    std::size_t session_count() const;

private:
    class session_states;
    class stream_slots;
    class metadata_documents;

    asio::awaitable<void> handle(net::http_exchange& ex);
    asio::awaitable<void> serve_resource_metadata(net::http_exchange& ex, std::string_view endpoint_path);
    asio::awaitable<void> answer_preflight(net::http_exchange& ex, std::string_view allow);
    asio::awaitable<void> post_message(net::http_exchange& ex);
    asio::awaitable<void> open_server_stream(net::http_exchange& ex);
    // Validates Mcp-Session-Id for the caller it was issued to; on failure the response has been
    // written and nullptr comes back.
    asio::awaitable<std::shared_ptr<mcp::session_state>> require_session(net::http_exchange& ex, std::string const& principal);
    // The per-caller rate limit: false when the 429 has been written.
    asio::awaitable<bool> admit_rate(net::http_exchange& ex, auth::auth_context const& identity);
    std::string rate_limit_key(auth::auth_context const& identity, net::http_exchange const& ex) const;
    std::string client_address(net::http_exchange const& ex) const;
    // The auth stage of the MCP endpoint: the caller's identity (MCP_AUTH=none serves anonymous
    // callers with the configured one); otherwise the 401 challenge (or a 400 for a Host that
    // names no valid public URL) has been written and nullopt comes back.
    asio::awaitable<std::optional<auth::auth_context>> require_auth(net::http_exchange& ex);
    // The public base URL a request was addressed to, as the discovery documents name it.
    std::optional<std::string> request_base_url(net::http_exchange::request_type const& req) const;
    // The 400 for a request whose base URL cannot be derived.
    http::response<http::string_body> bad_base_response(net::http_exchange::request_type const& req) const;
    // The 401/403 for a denial the dispatcher found (missing scope, a token JustiFi refused),
    // or the 503 when too many tool calls are running.
    asio::awaitable<void> answer_refusal(net::http_exchange& ex, mcp::refusal const& denial, boost::json::object body);
    // Answers 400 and returns false when MCP-Protocol-Version names a version we don't support.
    asio::awaitable<bool> check_protocol_version(net::http_exchange& ex);

    server::config::settings const& settings_;
    mcp::dispatcher& dispatcher_;
    mcp::session_codec const& sessions_;
    server::http_rules::origin_policy origin_policy_;
    std::shared_ptr<session_states> session_states_;
    std::shared_ptr<stream_slots> stream_slots_;
    std::shared_ptr<metadata_documents> metadata_documents_;
    std::optional<auth::auth_context> development_identity_;
    auth::token_validation const* validation_;
    auth::credential_check check_credentials_;
    core::rate_limiter rate_limiter_;
    core::metrics::registry* metrics_;
    net::http_server server_;
};

// GET or HEAD of the metrics in the Prometheus text format; 405 for other methods.
asio::awaitable<void> answer_metrics(net::http_exchange& ex, core::metrics::registry const& metrics);

// The metrics label of a request: its JSON-RPC method when it is one this server knows,
// "other" for any other method, "http" for requests that carry none (health, metadata).
std::string_view request_label(std::string_view logged_method);

}  // namespace justifi::server
