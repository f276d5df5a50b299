// The process's lifetime around a transport: wait for SIGTERM/SIGINT (or the transport ending
// on its own: stdio's end of input), drain, give calls in flight the drain timeout, then cancel
// what is left through the calls' cancellation signals, and stop. Woken by events, never by a
// poll: whatever finishes (a connection, a call, the input) calls notify().
#pragma once

#include "mcp/dispatch.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <concepts>
#include <functional>

namespace justifi::server {

namespace asio = boost::asio;

// What the supervisor needs of a transport.
template <class T>
concept drainable = requires(T& transport, T const& view) {
    transport.begin_drain();                           // stop taking work; answer what was taken
    transport.close_all();                             // past every deadline: end what is left
    { view.stopping() } -> std::convertible_to<bool>;  // draining, by a signal or on its own
    { view.idle() } -> std::convertible_to<bool>;      // nothing taken is still in flight
};

struct drain_settings {
    std::chrono::milliseconds drain_timeout{std::chrono::seconds(25)};
    // After the drain deadline, cancelled calls get this long to send their error answers.
    std::chrono::milliseconds cancel_grace{std::chrono::seconds(2)};
    // Then connections still open are closed, and their coroutines get this long to unwind.
    std::chrono::milliseconds close_grace{std::chrono::seconds(1)};
};

class supervisor {
public:
    supervisor(asio::io_context& io, drain_settings settings);

    // Something finished; the supervisor looks again. Any thread, any time, cheap.
    void notify();

    // Watches `transport` until it has drained (or the deadlines passed), then stops `io`.
    template <drainable Transport>
    void start(Transport& transport, mcp::dispatcher& dispatcher)
    {
        asio::co_spawn(strand_,
                       watch({[&transport] { transport.begin_drain(); }, [&transport] { return transport.stopping(); },
                              [&transport] { return transport.idle(); }, [&transport] { transport.close_all(); }},
                             dispatcher),
                       asio::detached);
    }

private:
    // The transport, seen through its four operations.
    struct watched {
        std::function<void()> begin_drain;
        std::function<bool()> stopping;
        std::function<bool()> idle;
        std::function<void()> close_all;
    };
    asio::awaitable<void> watch(watched transport, mcp::dispatcher& dispatcher);
    // Until notify() or `until`, whichever comes first.
    asio::awaitable<void> wait(std::chrono::steady_clock::time_point until);

    asio::io_context& io_;
    drain_settings settings_;
    asio::strand<asio::io_context::executor_type> strand_;
    asio::steady_timer wake_;
    std::atomic<bool> pending_{false};
};

}  // namespace justifi::server
