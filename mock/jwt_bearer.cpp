#include "mock/jwt_bearer.hpp"

#include "server/log.hpp"
#include "version.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <fstream>
#include <sstream>

namespace justifi::mock {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto fetch_timeout = std::chrono::seconds(5);
constexpr std::size_t max_jwks_bytes = 1024 * 1024;

using text_result = boost::system::result<std::string, std::string>;

text_result failure(std::string why) { return text_result(boost::system::in_place_error, std::move(why)); }
text_result success(std::string body) { return text_result(boost::system::in_place_value, std::move(body)); }

template <class Stream>
asio::awaitable<text_result> get_on(Stream& stream, http::request<http::empty_body>& req)
{
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec) co_return failure("could not send the request: " + wec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_jwks_bytes);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) co_return failure("no complete answer: " + rec.message());
    auto const status = parser.get().result_int();
    if (status != 200) co_return failure("the server answered HTTP " + std::to_string(status) + ", not 200");
    co_return success(std::move(parser.release().body()));
}

}  // namespace

asio::awaitable<boost::system::result<std::string, std::string>> fetch_document(std::string url_text, std::string ca_file,
                                                                                 std::chrono::milliseconds timeout)
{
    auto const url = boost::urls::parse_absolute_uri(url_text);
    if (!url) co_return failure("not an absolute URL");
    bool const tls = url->scheme_id() == boost::urls::scheme::https;
    std::string const host = url->host_address();
    std::string const port = url->has_port() ? std::string(url->port()) : std::string(tls ? "443" : "80");
    std::string const target = url->encoded_target().empty() ? std::string("/") : std::string(url->encoded_target());

    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host, port, use_tuple);
    if (resolve_ec) co_return failure("cannot resolve " + host + ": " + resolve_ec.message());

    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, url->encoded_host_and_port());
    req.set(http::field::user_agent, std::string("justifi-mock/") + server_version);
    req.set(http::field::accept, "application/json");
    req.keep_alive(false);

    if (!tls) {
        beast::tcp_stream stream(executor);
        stream.expires_after(timeout);
        auto [cec, ep] = co_await stream.async_connect(endpoints, use_tuple);
        if (cec) co_return failure("cannot connect: " + cec.message());
        auto body = co_await get_on(stream, req);
        co_return body;
    }

    ssl::context context(ssl::context::tls_client);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    context.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    context.set_default_verify_paths(ec);  // honours SSL_CERT_FILE / SSL_CERT_DIR
    if (!ca_file.empty()) {
        context.load_verify_file(ca_file, ec);
        if (ec) co_return failure("cannot load the CA file " + ca_file + ": " + ec.message());
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, context);
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [cec, ep] = co_await beast::get_lowest_layer(stream).async_connect(endpoints, use_tuple);
    if (cec) co_return failure("cannot connect: " + cec.message());
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) co_return failure("cannot set the TLS server name");
    stream.set_verify_callback(ssl::host_name_verification(host));
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) co_return failure("TLS handshake failed (is the certificate trusted? see --jwks-ca-file): " + hec.message());
    auto body = co_await get_on(stream, req);
    co_await stream.async_shutdown(use_tuple);  // a close_notify; the answer is already read, errors are moot
    co_return body;
}

jwt_bearer::jwt_bearer(mock_settings const& settings)
    : file_(settings.jwks_file),
      url_(settings.jwks_url),
      ca_file_(settings.jwks_ca_file),
      refresh_interval_(settings.jwks_refresh_interval),
      rules_{settings.jwt_issuer, settings.jwt_audience}
{
}

std::shared_ptr<auth::jwk_set const> jwt_bearer::keys() const
{
    std::lock_guard lock(mutex_);
    return keys_;
}

bool jwt_bearer::claim_reload()
{
    auto const now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (now - last_load_ < refresh_interval_) return false;
    last_load_ = now;
    return true;
}

asio::awaitable<boost::system::result<void, std::string>> jwt_bearer::load()
{
    using out = boost::system::result<void, std::string>;
    {
        std::lock_guard lock(mutex_);
        last_load_ = std::chrono::steady_clock::now();
    }
    ++loads_;
    std::string document;
    if (!file_.empty()) {
        std::ifstream in(file_, std::ios::binary);
        if (!in) co_return out(boost::system::in_place_error, "cannot read " + file_);
        std::ostringstream text;
        text << in.rdbuf();
        document = text.str();
    } else {
        auto fetched = co_await fetch_document(url_, ca_file_, fetch_timeout);
        if (!fetched) co_return out(boost::system::in_place_error, "cannot fetch " + url_ + ": " + fetched.error());
        document = std::move(*fetched);
    }
    auto parsed = auth::parse_jwks(document);
    if (!parsed) co_return out(boost::system::in_place_error, parsed.error());
    for (auto const& why : parsed->skipped) log::warning("JWKS key skipped", {{"reason", why}});
    auto const count = parsed->keys.size();
    {
        std::lock_guard lock(mutex_);
        keys_ = std::make_shared<auth::jwk_set const>(std::move(*parsed));
    }
    log::info("JWKS loaded", {{"source", file_.empty() ? url_ : file_}, {"keys", count}});
    co_return out();
}

asio::awaitable<boost::system::result<auth::jwt_claims, auth::jwt_error>> jwt_bearer::verify(std::string token)
{
    auto const current = keys();
    auto result = auth::verify_jwt(token, *current, rules_, std::chrono::system_clock::now());
    if (result || result.error() != auth::jwt_error::unknown_key || !claim_reload()) co_return result;

    log::info("token names an unknown key id; loading the JWKS again");
    auto const reloaded = co_await load();
    if (!reloaded) {
        // The keys we had stay in use.
        log::warning("JWKS reload failed", {{"error", reloaded.error()}});
        co_return result;
    }
    auto const fresh = keys();
    co_return auth::verify_jwt(token, *fresh, rules_, std::chrono::system_clock::now());
}

}  // namespace justifi::mock
