// stdio transport: newline-delimited JSON-RPC on stdin/stdout. Only protocol
// messages ever reach stdout; several requests run at once and answer in any order. A tool may
// ask the client a question (elicitation/create) and wait, within a deadline, for its answer.
#pragma once

#include "auth/auth_stage.hpp"
#include "mcp/client_requests.hpp"
#include "mcp/dispatch.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace justifi::server {

namespace asio = boost::asio;

class stdio_transport {
public:
    // `answer_timeout`: how long a question to the client (elicitation/create) waits for its answer.
    stdio_transport(asio::io_context& io, mcp::dispatcher& dispatcher, auth::auth_context identity,
                    std::size_t max_message_bytes, std::chrono::milliseconds answer_timeout = std::chrono::minutes(10));

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
    class channel;

    asio::awaitable<void> read_loop();
    asio::awaitable<void> handle_line(std::string line);
    asio::awaitable<void> write_loop();
    void enqueue(std::string line);
    // Sends the client request `method` and waits for its answer (channel's work).
    asio::awaitable<core::outcome<boost::json::object>> ask_client(std::string method, boost::json::object params);

    asio::io_context& io_;
    mcp::dispatcher& dispatcher_;
    auth::auth_context identity_;
    std::size_t max_message_bytes_;
    std::chrono::milliseconds answer_timeout_;
    asio::posix::stream_descriptor input_;
    asio::posix::stream_descriptor output_;
    asio::steady_timer input_ended_;  // never expires: cancelled when stdin ends, waking subscriptions
    std::shared_ptr<mcp::session_state> session_ = std::make_shared<mcp::session_state>();
    mcp::client_request_table client_requests_;
    std::deque<std::string> queue_;
    bool writing_ = false;
    bool output_broken_ = false;
    bool input_closed_ = false;
    bool draining_ = false;
    std::function<void()> progress_;
    std::size_t handlers_running_ = 0;
    std::uint64_t requests_seen_ = 0;
};

}  // namespace justifi::server
