// A generic HTTP/1.1 server on Beast: the accept loop, one coroutine per connection on
// its own strand, deadlines on every read and write, body and header limits, a cap on
// connections, and draining. What a request means is the handler's business: the MCP
// endpoint (server/http_transport) and the JustiFi simulator (mock/) both sit on this.
// With a TLS context it serves HTTPS: each connection does its handshake first, then the same.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
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
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace justifi {

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
};

class http_server;

// One request on one connection, and the handler's ways to answer it: a whole response,
// or a chunked stream (server-sent events).
class http_exchange {
public:
    using request_type = http::request<http::string_body>;

    request_type& request;

    std::string const& request_id() const { return request_id_; }
    bool draining() const;
    // The JSON-RPC method (or another label) for the access log line.
    void set_log_method(std::string method) { log_method_ = std::move(method); }
    // Who made the request and how they were authenticated, for the same line (never a credential).
    void set_log_identity(std::string_view auth_path, std::string principal)
    {
        log_auth_path_ = auth_path;
        log_principal_ = std::move(principal);
    }
    // A header every response of this exchange carries, whichever path answers (CORS headers).
    void add_response_header(std::string_view name, std::string value) { extra_headers_.emplace_back(name, std::move(value)); }

    asio::awaitable<void> respond(http::response<http::string_body> response);
    // Closes the connection without answering (the simulator's "dropped connection" fault).
    void abort();
    // Sends the head and half the body, then closes (the simulator's "reset mid-body" fault).
    asio::awaitable<void> respond_cut_short(http::response<http::string_body> response);

    // Streams: false once the client is gone (writes are then skipped).
    asio::awaitable<bool> open_stream(http::response<http::empty_body> head);
    asio::awaitable<bool> write_chunk(std::string_view data);
    asio::awaitable<void> close_stream();
    bool stream_open() const { return stream_opened_; }
    bool stream_broken() const { return stream_broken_; }
    // Waits up to `duration` on a long-lived stream; a drain ends the wait at once.
    asio::awaitable<void> idle_wait(std::chrono::milliseconds duration);

private:
    friend class http_server;
    struct connection;
    http_exchange(request_type& req, connection& conn, http_server& server);

    connection& conn_;
    http_server& server_;
    std::string request_id_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::string log_method_;
    std::string log_auth_path_;
    std::string log_principal_;
    std::vector<std::pair<std::string, std::string>> extra_headers_;
    http::status status_ = http::status::ok;
    bool keep_alive_ = true;
    bool responded_ = false;
    bool stream_opened_ = false;
    bool stream_broken_ = false;
};

using http_handler = std::function<asio::awaitable<void>(http_exchange&)>;

class http_server {
public:
    http_server(asio::io_context& io, http_server_settings settings, http_handler handler);

    // Binds and listens; the endpoint tells the port when 0 was asked for.
    boost::system::result<tcp::endpoint> listen(std::string const& host, std::uint16_t port);
    void start();

    // Stop accepting; idle connections and streams close at once, busy ones after their response.
    void begin_drain();
    bool stopping() const { return draining_.load(); }
    std::size_t open_connections() const { return open_connections_.load(); }
    http_server_settings const& settings() const { return settings_; }

private:
    friend class http_exchange;
    using connection = http_exchange::connection;

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(tcp::socket socket);
    asio::awaitable<void> refuse_over_capacity(tcp::socket socket);
    asio::awaitable<void> discard_unread_input(connection& conn);
    asio::awaitable<void> close_connection(connection& conn);

    asio::io_context& io_;
    http_server_settings settings_;
    http_handler handler_;
    tcp::acceptor acceptor_;
    std::atomic<bool> draining_{false};
    std::atomic<std::size_t> open_connections_{0};

    mutable std::mutex connections_mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<connection>> connections_;
    std::uint64_t next_connection_id_ = 0;
};

// Small builders for handlers.
http::response<http::string_body> make_response(http::request<http::string_body> const& req, http::status status,
                                                std::string_view content_type, std::string body);

}  // namespace justifi
