// Streamable HTTP transport: the accept loop, one coroutine per connection, routing,
// and the MCP endpoint (POST messages, GET server streams), plus /health.
#pragma once

#include "server/config.hpp"
#include "server/http_rules.hpp"
#include "server/mcp_dispatch.hpp"
#include "server/session_token.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace justifi {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class http_transport {
public:
    http_transport(asio::io_context& io, config::settings const& settings, mcp::dispatcher& dispatcher,
                   session_codec const& sessions);

    // Binds and listens; the endpoint tells the port when 0 was asked for.
    boost::system::result<tcp::endpoint> listen();
    void start();

    // SIGTERM: stop accepting, /health turns 503, idle connections and server streams close,
    // busy ones close after their response.
    void begin_drain();
    bool stopping() const { return draining_.load(); }
    std::size_t open_connections() const { return open_connections_.load(); }

private:
    struct connection;
    class session_states;

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(tcp::socket socket);
    asio::awaitable<void> refuse_over_capacity(tcp::socket socket);

    struct exchange;  // one request and what became of it
    asio::awaitable<bool> respond(connection& conn, exchange& ex);
    asio::awaitable<void> post_message(connection& conn, exchange& ex);
    asio::awaitable<void> open_server_stream(connection& conn, exchange& ex);
    asio::awaitable<void> discard_unread_input(connection& conn);
    asio::awaitable<void> write(connection& conn, exchange& ex, boost::beast::http::response<boost::beast::http::string_body> res);
    // Validates Mcp-Session-Id; on failure the response has been written and nullptr comes back.
    asio::awaitable<std::shared_ptr<mcp::session_state>> require_session(connection& conn, exchange& ex);

    asio::io_context& io_;
    config::settings const& settings_;
    mcp::dispatcher& dispatcher_;
    session_codec const& sessions_;
    http_rules::origin_policy origin_policy_;
    tcp::acceptor acceptor_;
    std::atomic<bool> draining_{false};
    std::atomic<std::size_t> open_connections_{0};
    std::shared_ptr<session_states> session_states_;

    mutable std::mutex connections_mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<connection>> connections_;
    std::uint64_t next_connection_id_ = 0;
};

}  // namespace justifi
