// The completion token of every await at an I/O edge: the error comes back as a value beside
// the result (as_tuple), never as an exception, so each caller decides what a failure means.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace justifi::core {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// The token for co_await co_spawn(other_executor, work, ...) where the work must not be cancelled
// with its caller: work shared with other callers (a token refresh, a key reload) or that must
// finish once begun (a write sent to JustiFi). It also keeps clear of Boost 1.81's co_spawn
// forwarding a cancellation to another executor by a posted handler that can run after the work
// has completed and freed it (a use-after-free, seen as a crash when many clients closed their
// streams at once). The caller is still cancelled at its own next wait.
inline auto use_awaitable_uncancelled()
{
    return boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(), boost::asio::use_awaitable);
}

}  // namespace justifi::core
