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

using answer_result = core::outcome<http::response<http::string_body>>;

template <class Stream, class Body>
asio::awaitable<answer_result> round_trip_on(Stream& stream, http::request<Body>& req, std::size_t body_limit)
{
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec) co_return failure("could not send the request: " + wec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) co_return failure("no complete answer: " + rec.message());
    co_return parser.release();
}

// One request on a new connection to the URL's host (verified TLS for https), within the
// options' deadline; the answer whatever its status.
template <class Body>
asio::awaitable<answer_result> round_trip(std::string const& url_text, http::request<Body>& req,
                                          fetch_options const& options)
{
    auto const url = boost::urls::parse_absolute_uri(url_text);
    if (!url) co_return failure("not an absolute URL");
    bool const tls = url->scheme_id() == boost::urls::scheme::https;
    if (!tls && url->scheme_id() != boost::urls::scheme::http) co_return failure("not an http(s) URL");
    std::string const host = url->host_address();
    std::string const port = url->has_port() ? std::string(url->port()) : std::string(tls ? "443" : "80");
    req.target(url->encoded_target().empty() ? std::string("/") : std::string(url->encoded_target()));
    auto const deadline = std::chrono::steady_clock::now() + options.timeout;

    auto executor = co_await asio::this_coro::executor;
    auto endpoints = co_await resolve_before(executor, host, port, deadline);
    if (!endpoints) co_return failure("cannot resolve " + host + ": " + endpoints.error().message());

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
    auto answer = co_await round_trip_on(stream, req, options.body_limit);
    // A close_notify; the answer is already read, errors are moot.
    if (tls) co_await stream.tls().async_shutdown(use_tuple);
    co_return answer;
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
    http::request<http::empty_body> req{http::verb::get, "/", 11};
    auto answer = co_await round_trip(url_text, req, options);
    if (!answer) co_return std::move(answer).error();
    auto const status = answer->result_int();
    if (status != 200) co_return failure("the server answered HTTP " + std::to_string(status) + ", not 200");
    auto const max_age = cache_max_age((*answer)[http::field::cache_control]);
    co_return fetched_document{std::move(answer->body()), max_age};
}

asio::awaitable<core::outcome<form_answer>> post_form(std::string const& url, std::string const& form,
                                                      std::string const& authorization, fetch_options const& options)
{
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.body() = form;
    req.prepare_payload();
    auto answer = co_await round_trip(url, req, options);
    if (!answer) co_return std::move(answer).error();
    form_answer out{static_cast<int>(answer->result_int()), std::move(answer->body()), std::nullopt};
    auto const retry_after = (*answer)[http::field::retry_after];
    long long seconds = 0;
    auto const [end, ec] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (!retry_after.empty() && ec == std::errc{} && end == retry_after.data() + retry_after.size() && seconds >= 0)
        out.retry_after = std::chrono::seconds(std::min<long long>(seconds, 3600));
    co_return out;
}

}  // namespace justifi::net
