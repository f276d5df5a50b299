#include "net/health_probe.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using core::use_tuple;
// Docker's default HEALTHCHECK timeout is 30 s; ours answers at once or is not healthy.
constexpr std::chrono::seconds probe_deadline{3};

std::optional<unsigned short> parse_port(std::string_view text)
{
    unsigned value = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
    return static_cast<unsigned short>(value);
}

asio::awaitable<std::string> get_health(unsigned short port)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(probe_deadline);
    asio::ip::tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), port);
    auto [cec] = co_await stream.async_connect(endpoint, use_tuple);
    if (cec) co_return "cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + cec.message();
    http::request<http::empty_body> req{http::verb::get, "/health", 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(false);
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec) co_return "cannot send the request: " + wec.message();
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream, buffer, res, use_tuple);
    if (rec) co_return "no answer: " + rec.message();
    if (res.result() != http::status::ok) co_return "/health answered " + std::to_string(res.result_int()) + " " + res.body();
    co_return std::string();
}

}  // namespace

int probe_health(int argc, char const* const* argv)
{
    std::optional<unsigned short> port = 8080;
    if (char const* env = std::getenv("MCP_PORT"); env && *env) port = parse_port(env);
    for (int i = 2; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (arg == "--port" && i + 1 < argc) port = parse_port(argv[++i]);
        else if (arg.starts_with("--port=")) port = parse_port(arg.substr(7));
        else {
            std::cerr << "justifi-mcp health: unknown argument \"" << arg << "\" (usage: justifi-mcp health [--port N])\n";
            return 2;
        }
    }
    if (!port) {
        std::cerr << "justifi-mcp health: the port must be an integer from 1 to 65535\n";
        return 2;
    }
    asio::io_context io;
    auto outcome = asio::co_spawn(io, get_health(*port), asio::use_future);
    io.run();
    auto const failure = outcome.get();
    if (!failure.empty()) {
        std::cerr << "justifi-mcp health: unhealthy: " << failure << "\n";
        return 1;
    }
    return 0;
}

}  // namespace justifi::net
