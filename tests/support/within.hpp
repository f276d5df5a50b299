// Deadlines for the tests' own network waits. Asio's blocking calls cannot have one: when
// SO_RCVTIMEO fires, recv says EAGAIN and Asio waits in poll() without end. So a wait is the
// asynchronous operation, run on an io_context that has nothing else to do, for at most
// `timeout`; on expiry the socket is closed and the operation ends aborted.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace justifi::test {

struct io_outcome {
    boost::system::error_code error;
    std::size_t bytes = 0;
    bool timed_out = false;
};

// `start(handler)` starts one operation whose handler takes (error_code[, bytes]).
template <class Closable, class Start>
io_outcome run_within(boost::asio::io_context& io, Closable& closable, std::chrono::milliseconds timeout, Start start)
{
    io_outcome out;
    bool done = false;
    io.restart();
    start([&out, &done](boost::system::error_code ec, std::size_t bytes = 0) {
        out.error = ec;
        out.bytes = bytes;
        done = true;
    });
    io.run_for(timeout);
    if (!done) {
        out.timed_out = true;
        boost::system::error_code ignored;
        closable.close(ignored);
        io.restart();
        io.run();
    }
    return out;
}

// The same for a step a test cannot go on without: a timeout or an error throws, naming the step.
template <class Closable, class Start>
std::size_t must_within(boost::asio::io_context& io, Closable& closable, std::chrono::milliseconds timeout,
                        std::string_view what, Start start)
{
    auto const out = run_within(io, closable, timeout, std::move(start));
    if (out.timed_out)
        throw std::runtime_error("timed out after " + std::to_string(timeout.count()) + " ms " + std::string(what));
    if (out.error) throw boost::system::system_error(out.error, std::string(what));
    return out.bytes;
}

}  // namespace justifi::test
