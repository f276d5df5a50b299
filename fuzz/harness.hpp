// Shared by the libFuzzer targets: quiet logs, an io_context driven by the fuzz loop itself
// (one thread, so a run is repeatable), a loopback port nobody listens on, and a way to cut
// an input into the parts a target needs.
#pragma once

#include "client/justifi_client.hpp"
#include "core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::fuzz {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Once per process: no log lines (stderr would drown the fuzzer's), no SIGPIPE from sockets
// a peer closed.
inline void quiet_process()
{
    core::log::set_threshold(core::log::level::off);
    std::signal(SIGPIPE, SIG_IGN);
}

// Runs `io` until `done()`; an input that needs longer than `limit` is a hang of ours (every
// peer here is in-process and answers at once), reported as a crash with the input saved.
template <class Done>
void run_until(asio::io_context& io, Done const& done, std::chrono::milliseconds limit = 5s)
{
    auto const deadline = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!done()) {
        io.run_one_for(20ms);
        if (std::chrono::steady_clock::now() > deadline) {
            std::fprintf(stderr, "fuzz harness: the input did not finish within %lld ms\n",
                         static_cast<long long>(limit.count()));
            std::abort();
        }
        if (io.stopped()) io.restart();
    }
}

// "http://127.0.0.1:<port>" for a port that was free a moment ago: connecting to it is
// refused at once, so a tool call that reaches the JustiFi client fails fast and offline.
inline std::string refused_loopback_url()
{
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto const port = probe.local_endpoint().port();
    probe.close();
    return "http://127.0.0.1:" + std::to_string(port);
}

// A JustiFi client whose calls fail at once (nothing listens there): the targets that run
// the tools exercise everything up to the network, and no input waits on it.
inline justifi::client::client_settings unreachable_justifi()
{
    justifi::client::client_settings s;
    s.base_url = refused_loopback_url();
    s.max_attempts = 1;
    s.call_timeout = 2s;
    return s;
}

inline std::string_view as_text(std::uint8_t const* data, std::size_t size)
{
    return {reinterpret_cast<char const*>(data), size};
}

// The input cut at each `separator`, at most `parts` pieces (the last keeps the rest).
inline std::vector<std::string_view> split(std::string_view text, std::string_view separator, std::size_t parts)
{
    std::vector<std::string_view> out;
    while (out.size() + 1 < parts) {
        auto const at = text.find(separator);
        if (at == std::string_view::npos) break;
        out.push_back(text.substr(0, at));
        text.remove_prefix(at + separator.size());
    }
    out.push_back(text);
    return out;
}

// Every occurrence of `placeholder` replaced by `value`.
inline std::string substitute(std::string text, std::string_view placeholder, std::string_view value)
{
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
        text.replace(at, placeholder.size(), value);
    return text;
}

}  // namespace justifi::fuzz
