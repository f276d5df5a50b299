#include "net/http_fetch.hpp"

#include "net/stream.hpp"
#include "core/awaitable.hpp"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

namespace justifi::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

using core::use_tuple;

using text_result = core::outcome<fetched_document>;

core::refusal failure(std::string why) { return core::refuse(core::errc::fetch_failed, std::move(why)); }

template <class Stream>
asio::awaitable<text_result> get_on(Stream& stream, http::request<http::empty_body>& req, std::size_t body_limit)
{
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec) co_return failure("could not send the request: " + wec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) co_return failure("no complete answer: " + rec.message());
    auto const status = parser.get().result_int();
    if (status != 200) co_return failure("the server answered HTTP " + std::to_string(status) + ", not 200");
    auto response = parser.release();
    auto const max_age = cache_max_age(response[http::field::cache_control]);
    co_return fetched_document{std::move(response.body()), max_age};
}

}  // namespace

asio::awaitable<boost::system::result<tcp::resolver::results_type>> resolve_before(
    asio::any_io_executor executor, std::string const& host, std::string const& port,
    std::chrono::steady_clock::time_point deadline)
{
    using namespace asio::experimental::awaitable_operators;
    tcp::resolver resolver(executor);
    asio::steady_timer timer(executor, deadline);
    // Named, not temporaries inside co_await: GCC 12 can destroy those twice.
    auto lookup = resolver.async_resolve(host, port, use_tuple);
    auto expiry = timer.async_wait(use_tuple);
    auto race = std::move(lookup) || std::move(expiry);
    auto outcome = co_await std::move(race);
    if (outcome.index() == 1) co_return make_error_code(boost::system::errc::timed_out);
    auto [ec, results] = std::get<0>(std::move(outcome));
    if (ec) co_return ec;
    co_return results;
}

std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control)
{
    std::optional<std::chrono::seconds> out;
    while (!cache_control.empty()) {
        auto const comma = cache_control.find(',');
        auto directive = cache_control.substr(0, comma);
        cache_control = comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
        while (!directive.empty() && (directive.front() == ' ' || directive.front() == '\t')) directive.remove_prefix(1);
        while (!directive.empty() && (directive.back() == ' ' || directive.back() == '\t')) directive.remove_suffix(1);
        if (beast::iequals(directive, "no-store") || beast::iequals(directive, "no-cache")) return std::chrono::seconds(0);
        if (directive.size() > 8 && beast::iequals(directive.substr(0, 8), "max-age=")) {
            auto const digits = directive.substr(8);
            long long seconds = 0;
            auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
            if (ec != std::errc{} || end != digits.data() + digits.size() || seconds < 0) continue;
            out = std::chrono::seconds(std::min<long long>(seconds, 365LL * 24 * 3600));
        }
    }
    return out;
}

asio::awaitable<core::outcome<fetched_document>> fetch_document(std::string const& url_text,
                                                                                      fetch_options const& options)
{
    auto const url = boost::urls::parse_absolute_uri(url_text);
    if (!url) co_return failure("not an absolute URL");
    bool const tls = url->scheme_id() == boost::urls::scheme::https;
    if (!tls && url->scheme_id() != boost::urls::scheme::http) co_return failure("not an http(s) URL");
    std::string const host = url->host_address();
    std::string const port = url->has_port() ? std::string(url->port()) : std::string(tls ? "443" : "80");
    std::string const target = url->encoded_target().empty() ? std::string("/") : std::string(url->encoded_target());
    auto const deadline = std::chrono::steady_clock::now() + options.timeout;

    auto executor = co_await asio::this_coro::executor;
    auto endpoints = co_await resolve_before(executor, host, port, deadline);
    if (!endpoints) co_return failure("cannot resolve " + host + ": " + endpoints.error().message());

    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, url->encoded_host_and_port());
    if (!options.user_agent.empty()) req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept, "application/json");
    req.keep_alive(false);

    std::shared_ptr<ssl::context> context;
    if (tls) {
        context = make_client_context();
        auto const trust = load_trust(*context, options.ca_file, true);
        if (trust && !options.ca_file.empty())
            co_return failure("cannot load the CA file " + options.ca_file + ": " + trust.message());
    }
    plain_or_tls_stream stream(executor, context);
    stream.expires_at(deadline);
    auto [cec, ep] = co_await stream.tcp_layer().async_connect(*endpoints, use_tuple);
    if (cec) co_return failure("cannot connect: " + cec.message());
    if (tls) {
        if (!expect_peer(stream.tls(), host)) co_return failure("cannot set the TLS server name");
        auto [hec] = co_await stream.tls().async_handshake(ssl::stream_base::client, use_tuple);
        if (hec) co_return failure("TLS handshake failed (is the certificate trusted?): " + hec.message());
    }
    auto body = co_await get_on(stream, req, options.body_limit);
    // A close_notify; the answer is already read, errors are moot.
    if (tls) co_await stream.tls().async_shutdown(use_tuple);
    co_return body;
}

}  // namespace justifi::net
