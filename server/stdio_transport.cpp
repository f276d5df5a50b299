#include "server/stdio_transport.hpp"

#include "mcp/envelope.hpp"
#include "mcp/jsonrpc.hpp"
#include "core/log.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>

#include <array>

#include <unistd.h>

namespace justifi::server {
namespace {

namespace json = boost::json;
using core::use_tuple;

// "10 min", "30 s", "300 ms": a deadline as the refusal names it.
std::string duration_text(std::chrono::milliseconds d)
{
    if (d.count() % 60'000 == 0) return std::to_string(d.count() / 60'000) + " min";
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
    return std::to_string(d.count()) + " ms";
}

}  // namespace

class stdio_transport::sink final : public mcp::notification_sink {
public:
    explicit sink(stdio_transport& transport) : transport_(transport) {}
    asio::awaitable<void> send(json::object notification) override
    {
        transport_.enqueue(json::serialize(notification));
        co_return;
    }
    // A subscription lasts until stdin ends (the server then closes it gracefully) or the client
    // cancels it, which cancels this wait.
    asio::awaitable<bool> hold_open() override
    {
        if (transport_.input_closed_) co_return true;
        co_await transport_.input_ended_.async_wait(use_tuple);
        co_return transport_.input_closed_;
    }

private:
    stdio_transport& transport_;
};

// Questions to the client during a call: written through the one output queue like every other
// line; their answers come back through handle_line.
class stdio_transport::channel final : public mcp::client_channel {
public:
    explicit channel(stdio_transport& transport) : transport_(transport) {}
    asio::awaitable<core::outcome<json::object>> request(std::string_view method, json::object params) override
    {
        return transport_.ask_client(std::string(method), std::move(params));
    }

private:
    stdio_transport& transport_;
};

stdio_transport::stdio_transport(asio::io_context& io, mcp::dispatcher& dispatcher, auth::auth_context identity,
                                 std::size_t max_message_bytes, std::chrono::milliseconds answer_timeout)
    : io_(io),
      dispatcher_(dispatcher),
      identity_(std::move(identity)),
      max_message_bytes_(max_message_bytes),
      answer_timeout_(answer_timeout),
      input_(io, ::dup(STDIN_FILENO)),
      output_(io, ::dup(STDOUT_FILENO)),
      input_ended_(io, asio::steady_timer::time_point::max())
{
}

void stdio_transport::start()
{
    asio::co_spawn(io_, read_loop(), asio::detached);
}

void stdio_transport::begin_drain()
{
    draining_ = true;
    boost::system::error_code ignored;
    input_.cancel(ignored);
}

void stdio_transport::close_all()
{
    asio::post(io_, [this] {
        boost::system::error_code ignored;
        input_.close(ignored);
        output_.close(ignored);
    });
}

asio::awaitable<void> stdio_transport::read_loop()
{
    std::string pending;
    bool discarding = false;  // inside a line that was too long: skip to its end
    auto too_long = [this] {
        enqueue(json::serialize(mcp::jsonrpc::make_error(
            nullptr, mcp::jsonrpc::invalid_request,
            "Invalid Request: message exceeds " + std::to_string(max_message_bytes_) + " bytes")));
    };
    auto dispatch_line = [this](std::string& line) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) {
            ++handlers_running_;  // counted now, so finished() cannot see a gap before it starts
            asio::co_spawn(io_, handle_line(std::move(line)), asio::detached);
        }
        line.clear();
    };

    std::array<char, 64 * 1024> chunk;
    for (;;) {
        auto [ec, n] = co_await input_.async_read_some(asio::buffer(chunk), use_tuple);
        if (ec) break;  // EOF, or a drain
        std::string_view data(chunk.data(), n);
        while (!data.empty()) {
            auto const newline = data.find('\n');
            auto const piece = data.substr(0, newline);
            if (!discarding) {
                pending.append(piece);
                if (pending.size() > max_message_bytes_) {
                    too_long();
                    pending.clear();
                    discarding = true;
                }
            }
            if (newline == std::string_view::npos) break;
            if (!discarding) dispatch_line(pending);
            discarding = false;
            data.remove_prefix(newline + 1);
        }
    }
    // The last line may lack its newline.
    if (!discarding) dispatch_line(pending);
    input_closed_ = true;
    input_ended_.cancel();
    // No answer can arrive any more: a tool waiting for one hears so now, not at its deadline.
    client_requests_.fail_all(core::refuse(
        core::errc::client_gone, draining_ ? "the server is shutting down; the question to the client was not answered"
                                           : "the client closed its input before answering the question"));
    core::log::debug("stdin closed");
    if (progress_) progress_();
}

asio::awaitable<void> stdio_transport::handle_line(std::string line)
{
    struct done_guard {
        std::size_t& count;
        std::function<void()> const& told;
        ~done_guard()
        {
            --count;
            if (told) told();
        }
    } guard{handlers_running_, progress_};

    auto decoded = mcp::jsonrpc::decode(line);
    if (!decoded) {
        enqueue(json::serialize(mcp::jsonrpc::make_error(decoded.error())));
        co_return;
    }
    if (auto const* answer = std::get_if<mcp::jsonrpc::response>(&*decoded)) {
        // The client's answer to a question of ours. Any other is dropped; what it said may be a
        // person's words, so it never reaches the log.
        if (!client_requests_.settle(*answer)) core::log::debug("a response from the client matched no waiting question");
        co_return;
    }
    sink notifications(*this);
    channel questions(*this);
    mcp::request_context context;
    // A line with modern _meta is served on it alone (no headers to mirror over stdio); others
    // belong to the process's legacy session, initialize or not.
    // Only requests carry the envelope: a notification's _meta has no protocol version to check.
    auto const& params = mcp::jsonrpc::params_of(*decoded);
    if (std::holds_alternative<mcp::jsonrpc::request>(*decoded) && mcp::classify(params) == mcp::era::modern) {
        auto envelope = mcp::read_modern(params, nullptr);
        if (!envelope) {
            auto refusal = std::move(envelope).error();
            refusal.id = mcp::jsonrpc::id_of(*decoded);
            enqueue(json::serialize(mcp::jsonrpc::make_error(refusal)));
            co_return;
        }
        context.modern = std::move(*envelope);
    }
    context.auth = identity_;
    context.session = session_;
    context.request_id = "stdio-" + std::to_string(++requests_seen_);
    context.trace = mcp::read_trace(params);
    context.sink = &notifications;
    context.client = &questions;
    // Kept for the line below: the context itself is moved into the dispatcher.
    auto const request_id = context.request_id;
    auto const trace_id = context.trace ? context.trace->trace_id : std::string();
    try {
        auto response = co_await dispatcher_.handle(std::move(*decoded), std::move(context));
        if (response) enqueue(response->serialize());
    } catch (std::exception const& e) {
        core::log::error("request ended by an exception", core::log::request_tag(request_id, trace_id),
                         {{"error", e.what()}});
    }
}

void stdio_transport::enqueue(std::string line)
{
    if (output_broken_) return;
    line.push_back('\n');
    queue_.push_back(std::move(line));
    if (!writing_) {
        writing_ = true;
        asio::co_spawn(io_, write_loop(), asio::detached);
    }
}

asio::awaitable<void> stdio_transport::write_loop()
{
    while (!queue_.empty()) {
        auto line = std::move(queue_.front());
        queue_.pop_front();
        auto [ec, n] = co_await asio::async_write(output_, asio::buffer(line), use_tuple);
        if (ec) {
            // The client closed its end: nothing more can be said to it.
            core::log::warning("stdout closed", {{"error", ec.message()}});
            output_broken_ = true;
            queue_.clear();
            client_requests_.fail_all(core::refuse(core::errc::client_gone, "the client closed its output: the question cannot reach it"));
            break;
        }
    }
    writing_ = false;
    if (progress_) progress_();
}

asio::awaitable<core::outcome<json::object>> stdio_transport::ask_client(std::string method, json::object params)
{
    if (input_closed_ || output_broken_)
        co_return core::refuse(core::errc::client_gone, "the client's input or output is closed: it cannot be asked " + method);
    asio::steady_timer answered(io_, answer_timeout_);  // cancelled early when the answer comes in
    auto opened = client_requests_.open(method, [&answered] { answered.cancel(); });
    if (!opened) co_return std::move(opened).error();
    // However this frame ends, the table forgets the question: a late answer is then unknown.
    struct forget {
        mcp::client_request_table& table;
        std::uint64_t ticket;
        ~forget() { table.abandon(ticket); }
    } const guard{client_requests_, opened->ticket};
    enqueue(json::serialize(mcp::jsonrpc::make_request(opened->id, method, std::move(params))));

    auto [ec] = co_await answered.async_wait(use_tuple);
    if (auto answer = client_requests_.take(opened->ticket)) co_return std::move(*answer);
    // The deadline passed, or the call was cancelled: the client is told to stop asking.
    bool const timed_out = !ec;
    json::object cancelled{{"requestId", opened->id},
                           {"reason", timed_out ? "no answer in time" : "the tool call was cancelled"}};
    enqueue(json::serialize(mcp::jsonrpc::make_notification("notifications/cancelled", std::move(cancelled))));
    if (timed_out)
        co_return core::refuse(core::errc::client_no_answer, "the client did not answer " + method + " within " +
                                                                 duration_text(answer_timeout_) +
                                                                 " (MCP_ELICITATION_TIMEOUT)");
    co_return core::refuse(core::errc::call_cancelled, "the call was cancelled while waiting for the answer to " + method);
}

}  // namespace justifi::server
