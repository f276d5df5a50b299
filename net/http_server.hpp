// A generic HTTP/1.1 server on Beast: the accept loop, one coroutine per connection on
// its own strand, deadlines on every read and write, strict framing, body and header limits,
// a budget for request bodies in flight, a cap on connections (with spare slots for the
// health probe), and draining. What a request means is the handler's business: the MCP
// endpoint (server/http_transport) and the JustiFi simulator (mock/) both sit on this.
// A handler sees a request's headers first; its body is read only when the handler asks, so
// a request can be refused on its headers without reading a byte of it (or saying 100 Continue).
// With a TLS context it serves HTTPS: each connection does its handshake first, then the same.
#pragma once

#include "core/log.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace justifi::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_server_settings {
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{120'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_connections = 10'000;
    // Null: plain HTTP. Otherwise HTTPS with this server context (certificate and key loaded).
    std::shared_ptr<asio::ssl::context> tls;
    // Told of each answered request (its log label, status and time), for metrics.
    std::function<void(std::string_view label, int status, std::chrono::microseconds elapsed)> observe;
    // Bytes of request bodies being received at once, over all connections; 0: no limit.
    // A body that would pass it is refused with 503 before it is read.
    std::size_t max_body_bytes_in_flight = 0;
    // GET or HEAD of this path is still served when max_connections is reached, on one of
    // `probe_connections` spare slots (one request each): the load balancer's health probe.
    // Empty: no spare slots.
    std::string probe_path;
    std::size_t probe_connections = 16;
    // Told when a connection ends during a drain (from any thread), so a supervisor waits on
    // events, not on a timer.
    std::function<void()> connection_closed;
};

class http_server;

// What a handler answers with. Usually a response, which the server writes (and a handler
// cannot forget: it returns one). A handler that wrote an event stream itself, or left a body
// the server refused (413, 503) for the server to answer, returns already_answered. And
// bytes_then_close sends exactly these bytes and closes the connection, answer or not: what a
// test double needs to misbehave on purpose (the simulator's dropped and cut-short answers).
struct already_answered {};
struct bytes_then_close {
    std::string bytes;  // empty: close without a word
};
using http_answer = std::variant<http::response<http::string_body>, already_answered, bytes_then_close>;

// One request on one connection. The handler reads the body when it wants it, and may
// stream (server-sent events) instead of returning a response.
class http_exchange {
public:
    using request_type = http::request<http::string_body>;
    using parser_type = http::request_parser<http::string_body>;

    // The headers, and the body once read_body() has succeeded.
    request_type& request;

    ~http_exchange();
    http_exchange(http_exchange const&) = delete;
    http_exchange& operator=(http_exchange const&) = delete;

    std::string const& request_id() const { return request_id_; }
    tcp::endpoint const& remote_endpoint() const { return remote_; }
    bool draining() const;
    // The JSON-RPC method (or another label) for the access log line.
    void set_log_method(std::string method) { log_method_ = std::move(method); }
    // Who made the request and how they were authenticated, for the same line (never a credential).
    void set_log_identity(std::string_view auth_path, std::string principal)
    {
        log_auth_path_ = auth_path;
        log_principal_ = std::move(principal);
    }
    // The W3C trace the request belongs to, for the same line.
    void set_log_trace_id(std::string trace_id) { log_trace_id_ = std::move(trace_id); }
    std::string const& trace_id() const { return log_trace_id_; }
    core::log::request_tag log_tag() const { return core::log::request_tag(request_id_, log_trace_id_); }
    // A header every response of this exchange carries, whichever path answers (CORS headers).
    void add_response_header(std::string_view name, std::string value) { extra_headers_.emplace_back(name, std::move(value)); }

    // Reads the body, after a 100 Continue when the client waits for one; until then nothing of
    // it has been read. An error (errc::request_body_*) means the server answers the request
    // itself (413, 503 or 400; nothing when the client went away): the handler returns.
    asio::awaitable<boost::system::error_code> read_body();

    // Streams: false once the client is gone (writes are then skipped).
    asio::awaitable<bool> open_stream(http::response<http::empty_body> head);
    asio::awaitable<bool> write_chunk(std::string_view data);
    asio::awaitable<void> close_stream();
    bool stream_open() const { return stream_opened_; }
    bool stream_broken() const { return stream_broken_; }
    // Waits up to `duration` on a long-lived stream. A drain ends the wait at once, and so does
    // the client closing its side (the stream is then broken): a gone peer frees its slot now,
    // not at the next keep-alive write.
    asio::awaitable<void> idle_wait(std::chrono::milliseconds duration);
    // While a request is served, waits for the client to close its side: true when it does.
    // Bytes from it instead (a pipelined request) say nothing, and the wait then lasts until it
    // is cancelled (false), as it does when the server closes the connection.
    asio::awaitable<bool> client_gone();

private:
    friend class http_server;
    struct connection;
    http_exchange(parser_type& parser, beast::flat_buffer& buffer, connection& conn, http_server& server);

    // What the server does with a handler's answer.
    asio::awaitable<void> respond(http::response<http::string_body> response);
    asio::awaitable<void> write_and_close(std::string bytes);

    // Whether the request's body (if any) has been read, or the connection cannot be reused anyway.
    bool body_settled() const;

    parser_type& parser_;
    beast::flat_buffer& buffer_;
    connection& conn_;
    http_server& server_;
    tcp::endpoint remote_;
    std::string request_id_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::string log_method_;
    std::string log_auth_path_;
    std::string log_principal_;
    std::string log_trace_id_;
    std::vector<std::pair<std::string, std::string>> extra_headers_;
    http::status status_ = http::status::ok;
    std::size_t body_bytes_reserved_ = 0;
    boost::system::error_code body_error_;
    bool keep_alive_ = true;
    bool responded_ = false;
    bool body_read_ = false;
    bool stream_opened_ = false;
    bool stream_broken_ = false;
};

using http_handler = std::function<asio::awaitable<http_answer>(http_exchange&)>;

class http_server {
public:
    http_server(asio::io_context& io, http_server_settings settings, http_handler handler);

    // Binds and listens; the endpoint tells the port when 0 was asked for.
    boost::system::result<tcp::endpoint> listen(std::string const& host, std::uint16_t port);
    void start();

    // Stop accepting; idle connections and streams close at once, busy ones after their response.
    void begin_drain();
    // Past the drain's deadline: every connection still open is closed now, busy or not.
    void close_all();
    bool stopping() const { return draining_.load(); }
    // Connections counted against max_connections (probe slots are not).
    std::size_t open_connections() const { return open_connections_.load(); }
    std::size_t body_bytes_in_flight() const { return body_bytes_in_flight_.load(); }
    http_server_settings const& settings() const { return settings_; }

private:
    friend class http_exchange;
    using connection = http_exchange::connection;

    asio::awaitable<void> accept_loop();
    // `probe_only`: a spare slot past the connection limit, for one request to the probe path.
    asio::awaitable<void> serve(tcp::socket socket, bool probe_only);
    asio::awaitable<void> refuse_over_capacity(tcp::socket socket);
    asio::awaitable<void> discard_unread_input(connection& conn);
    asio::awaitable<void> close_connection(connection& conn);
    // Takes `bytes` from the budget of bodies in flight; false when that would pass it.
    bool reserve_body_bytes(std::size_t bytes);
    void release_body_bytes(std::size_t bytes);

    asio::io_context& io_;
    http_server_settings settings_;
    http_handler handler_;
    tcp::acceptor acceptor_;
    std::atomic<bool> draining_{false};
    std::atomic<std::size_t> open_connections_{0};
    std::atomic<std::size_t> probe_connections_{0};
    std::atomic<std::size_t> body_bytes_in_flight_{0};

    mutable std::mutex connections_mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<connection>> connections_;
    std::uint64_t next_connection_id_ = 0;
};

// The framing rules of RFC 9112 that Beast leaves to us, sans-io: exactly one Host on HTTP/1.1,
// and Transfer-Encoding only as exactly "chunked" (anything else could be read two ways by two
// servers in a row: request smuggling). An error is answered (400, or 501 for a coding) and the
// connection closed.
boost::system::error_code check_request_framing(http::request_header<> const& header);

// Small builders for handlers.
http::response<http::string_body> make_response(http::request<http::string_body> const& req, http::status status,
                                                std::string_view content_type, std::string body);

}  // namespace justifi::net
