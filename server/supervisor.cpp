#include "server/supervisor.hpp"

#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>

namespace justifi::server {

supervisor::supervisor(asio::io_context& io, drain_settings settings)
    : io_(io), settings_(settings), strand_(asio::make_strand(io)), wake_(strand_)
{
}

void supervisor::notify()
{
    // The flag covers a notice that comes while nobody waits; the cancel ends a wait under way.
    // The cancel runs on the strand the waiter checks the flag on, so neither can be missed.
    pending_.store(true);
    asio::post(strand_, [this] { wake_.cancel(); });
}

asio::awaitable<void> supervisor::wait(std::chrono::steady_clock::time_point until)
{
    if (pending_.exchange(false)) co_return;
    wake_.expires_at(until);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> supervisor::watch(watched transport, mcp::dispatcher& dispatcher)
{
    asio::signal_set signals(strand_, SIGTERM, SIGINT);
    signals.async_wait([this, begin_drain = transport.begin_drain](boost::system::error_code ec, int signal) {
        if (ec) return;
        begin_drain();  // first, so that anything after this line sees the drain
        core::log::info("signal received, draining",
                        {{"signal", signal},
                         {"drain_timeout_ms", static_cast<std::int64_t>(settings_.drain_timeout.count())}});
        notify();
    });

    using clock = std::chrono::steady_clock;
    // Serving; draining (work in flight has drain_timeout); calls cancelled (they have
    // cancel_grace to answer); connections closed (their coroutines have close_grace to unwind).
    enum class phase { serving, draining, cancelled, closed } now_in = phase::serving;
    auto deadline = clock::time_point::max();
    for (;;) {
        if (transport.stopping() && transport.idle()) break;
        auto const now = clock::now();
        // A signal, or (stdio) the end of input.
        if (now_in == phase::serving && transport.stopping()) {
            now_in = phase::draining;
            deadline = now + settings_.drain_timeout;
        }
        if (now >= deadline) {
            if (now_in == phase::draining) {
                core::log::warning("drain deadline passed, cancelling calls in flight",
                                   {{"calls", dispatcher.calls_in_flight()}});
                dispatcher.cancel_all_calls();
                now_in = phase::cancelled;
                deadline = now + settings_.cancel_grace;
            } else if (now_in == phase::cancelled) {
                core::log::warning("connections still open after the drain, closing them");
                transport.close_all();
                now_in = phase::closed;
                deadline = now + settings_.close_grace;
            } else {
                core::log::warning("work still unfinished after its connections closed; stopping anyway");
                break;
            }
        }
        co_await wait(deadline);
    }
    boost::system::error_code ignored;
    signals.cancel(ignored);
    core::log::info("stopped");
    io_.stop();
}

}  // namespace justifi::server
