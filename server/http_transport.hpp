// The Streamable HTTP transport of MCP, on the generic HTTP server: routing (/mcp, /,
// /health, the OAuth protected resource metadata), the transport's checks (Origin/Host,
// Accept, Content-Type, protocol version, sessions), CORS, POSTed messages answered as
// JSON or as an event stream, and GET streams.
#pragma once

#include "server/config.hpp"
#include "server/http_rules.hpp"
#include "server/mcp_stages.hpp"
#include "net/http_server.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/session_token.hpp"

#include <memory>
#include <optional>

namespace justifi::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// What the HTTP transport reads, and nothing else (no JustiFi secrets): built from the whole
// settings in one place, http_transport_settings_of.
struct http_transport_settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    endpoint_settings endpoint;             // the MCP endpoint's stages
    net::http_server_settings server;       // deadlines and limits; the transport adds the rest
    std::string oauth_issuer;               // named by the protected-resource metadata
    std::chrono::milliseconds stream_max_lifetime{std::chrono::hours(1)};
    std::string metrics_path;               // empty: metrics are not served on this listener
};
http_transport_settings http_transport_settings_of(config::settings const& settings);

class http_transport {
public:
    // `development_identity` (MCP_AUTH=none) serves requests that bring no credentials;
    // `validation` (JUSTIFI_OAUTH_VALIDATION=jwks) verifies bearer tokens before anything else.
    // `metrics` (when given) records each request, and is served at MCP_METRICS_PATH unless
    // MCP_METRICS_PORT gives it a listener of its own.
    // `check_credentials` admits client credentials sent as headers only when JustiFi issues a
    // token for them (empty: they pass unchecked to the first JustiFi call).
    http_transport(asio::io_context& io, http_transport_settings settings, mcp::dispatcher& dispatcher,
                   mcp::session_codec const& sessions, std::optional<auth::auth_context> development_identity = std::nullopt,
                   auth::token_validation const* validation = nullptr, core::metrics::registry* metrics = nullptr,
                   auth::credential_check check_credentials = {});

    boost::system::result<net::tcp::endpoint> listen() { return server_.listen(settings_.host, settings_.port); }
    void start() { server_.start(); }
    void begin_drain() { server_.begin_drain(); }
    void close_all() { server_.close_all(); }
    bool stopping() const { return server_.stopping(); }
    std::size_t open_connections() const { return server_.open_connections(); }
    std::size_t body_bytes_in_flight() const { return server_.body_bytes_in_flight(); }
    // No connection open and no tool call running: a drain is over.
    bool idle() const { return server_.open_connections() == 0 && dispatcher_.calls_in_flight() == 0; }
    std::size_t session_count() const;

private:
    class session_states;
    class stream_slots;
    class metadata_documents;

    using http_response = http::response<http::string_body>;

    using request_type = net::http_exchange::request_type;

    // Routing: every path returns its answer.
    asio::awaitable<net::http_answer> handle(net::http_exchange& ex);
    http_response resource_metadata(net::http_exchange& ex, std::string_view endpoint_path);
    static http_response preflight_answer(request_type const& req, std::string_view allow);
    // POST: the stages in order; the answer to send, or nothing when it went out as a stream
    // (or the server answered a body it could not read).
    asio::awaitable<net::http_answer> post_message(net::http_exchange& ex);
    asio::awaitable<std::optional<http_response>> run_post(net::http_exchange& ex);
    // A modern tools/call: closing its stream (the connection) cancels it, as 2026-07-28 says.
    asio::awaitable<std::optional<mcp::reply>> dispatch_until_client_goes(net::http_exchange& ex,
                                                                          mcp::jsonrpc::message message,
                                                                          mcp::request_context context);
    // POST /mcp/{tool}: the same stages, the body as a tools/call's arguments, the reply in HTTP's terms.
    asio::awaitable<net::http_answer> call_tool_directly(net::http_exchange& ex, std::string_view tool);
    // GET: an event stream, once the stages before it admit one.
    asio::awaitable<net::http_answer> open_server_stream(net::http_exchange& ex);
    stage<std::shared_ptr<void>> admit_stream(net::http_exchange& ex, auth::auth_context const& identity);
    // The auth and rate stages, with what they leave in the access log and metrics.
    asio::awaitable<stage<auth::auth_context>> authenticate(net::http_exchange& ex) const;
    stage<void> admit_rate(net::http_exchange& ex, auth::auth_context const& identity);

    http_transport_settings settings_;
    mcp::dispatcher& dispatcher_;
    mcp_stages stages_;
    std::shared_ptr<session_states> session_states_;
    std::shared_ptr<stream_slots> stream_slots_;
    std::shared_ptr<metadata_documents> metadata_documents_;
    core::metrics::registry* metrics_;
    net::http_server server_;
};

// GET or HEAD of the metrics in the Prometheus text format; 405 for other methods.
http::response<http::string_body> answer_metrics(net::http_exchange& ex, core::metrics::registry const& metrics);

// The metrics label of a request: its JSON-RPC method when it is one this server knows,
// "other" for any other method, "http" for requests that carry none (health, metadata).
std::string_view request_label(std::string_view logged_method);

}  // namespace justifi::server
