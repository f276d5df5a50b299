// stdio transport: newline-delimited JSON-RPC on stdin/stdout. Only protocol
// messages ever reach stdout; several requests run at once and answer in any order.
#pragma once

#include "auth/auth_stage.hpp"
#include "mcp/dispatch.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace justifi::server {

namespace asio = boost::asio;

class stdio_transport {
public:
    stdio_transport(asio::io_context& io, mcp::dispatcher& dispatcher, auth::auth_context identity,
                    std::size_t max_message_bytes);

    void start();
    // Stop reading; what is in flight still answers.
    void begin_drain();
    // Past the drain's deadline: stdin and stdout are closed, so nothing waits on them.
    void close_all();
    bool stopping() const { return input_closed_; }
    // Every request read has answered and stdout is flushed (or gone).
    bool idle() const { return handlers_running_ == 0 && !writing_ && queue_.empty(); }
    // Told when the input ends, a request is answered or stdout is flushed: a supervisor waits
    // on these instead of polling.
    void on_progress(std::function<void()> hook) { progress_ = std::move(hook); }

private:
    class sink;

    asio::awaitable<void> read_loop();
    asio::awaitable<void> handle_line(std::string line);
    asio::awaitable<void> write_loop();
    void enqueue(std::string line);

    asio::io_context& io_;
    mcp::dispatcher& dispatcher_;
    auth::auth_context identity_;
    std::size_t max_message_bytes_;
    asio::posix::stream_descriptor input_;
    asio::posix::stream_descriptor output_;
    asio::steady_timer input_ended_;  // never expires: cancelled when stdin ends, waking subscriptions
    std::shared_ptr<mcp::session_state> session_ = std::make_shared<mcp::session_state>();
    std::deque<std::string> queue_;
    bool writing_ = false;
    bool output_broken_ = false;
    bool input_closed_ = false;
    std::function<void()> progress_;
    std::size_t handlers_running_ = 0;
    std::uint64_t requests_seen_ = 0;
};

}  // namespace justifi::server
