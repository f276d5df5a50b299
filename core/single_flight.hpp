// One piece of work that concurrent callers share instead of each starting it again: the first
// caller runs it, the others wait for its outcome. For callers serialised on one strand (the
// token cache's, the JWKS cache's); the waiting costs a timer, not a thread.
#pragma once

#include "core/awaitable.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <utility>

namespace justifi::core {

template <class Outcome>
class single_flight {
public:
    // `strand`: where every caller of wait() and finish() runs.
    single_flight(boost::asio::any_io_executor strand, Outcome initial)
        : done_(std::move(strand), std::chrono::steady_clock::time_point::max()), outcome_(std::move(initial))
    {
    }

    // The outcome, once the caller running the work has finished it.
    boost::asio::awaitable<Outcome> wait()
    {
        if (!finished_) co_await done_.async_wait(use_tuple);
        co_return outcome_;
    }

    // Wakes every waiter with `outcome`.
    void finish(Outcome outcome)
    {
        outcome_ = std::move(outcome);
        finished_ = true;
        done_.cancel();
    }

private:
    boost::asio::steady_timer done_;
    Outcome outcome_;
    bool finished_ = false;
};

}  // namespace justifi::core
