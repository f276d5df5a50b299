#include "tests/support/document_host.hpp"

#include "tests/support/within.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

namespace justifi::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// A client that connects and goes quiet must not hold the host (and its destructor) forever.
constexpr auto exchange_timeout = std::chrono::seconds(10);

}  // namespace

document_host::document_host(std::string const& cert_file, std::string const& key_file)
    : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
{
    if (!cert_file.empty()) {
        tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        tls_->use_certificate_chain_file(cert_file);
        tls_->use_private_key_file(key_file, asio::ssl::context::pem);
    }
    thread_ = std::thread([this] { serve(); });
}

document_host::~document_host()
{
    stopping_ = true;
    boost::system::error_code ignored;
    asio::ip::tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);  // unblocks accept()
    thread_.join();
}

std::string document_host::origin() const
{
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
}

void document_host::publish(std::string const& path, std::string document, int status)
{
    std::lock_guard lock(mutex_);
    documents_[path] = std::move(document);
    statuses_[path] = status;
}

std::string document_host::last_body(std::string const& path) const
{
    std::lock_guard lock(mutex_);
    auto const it = last_requests_.find(path);
    return it == last_requests_.end() ? std::string() : it->second.first;
}

std::string document_host::last_authorization(std::string const& path) const
{
    std::lock_guard lock(mutex_);
    auto const it = last_requests_.find(path);
    return it == last_requests_.end() ? std::string() : it->second.second;
}

int document_host::requests(std::string const& path) const
{
    std::lock_guard lock(mutex_);
    auto const it = counts_.find(path);
    return it == counts_.end() ? 0 : it->second;
}

void document_host::serve()
{
    for (;;) {
        asio::ip::tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (stopping_ || ec) return;
        try {
            if (!tls_) {
                answer(socket, socket);
                continue;
            }
            asio::ssl::stream<asio::ip::tcp::socket> stream(std::move(socket), *tls_);
            must_within(io_, stream.next_layer(), exchange_timeout, "in the TLS handshake", [&](auto handler) {
                stream.async_handshake(asio::ssl::stream_base::server,
                                       [handler](boost::system::error_code e) mutable { handler(e); });
            });
            answer(stream, stream.next_layer());
            run_within(io_, stream.next_layer(), std::chrono::seconds(1), [&](auto handler) {
                stream.async_shutdown([handler](boost::system::error_code e) mutable { handler(e); });
            });
        } catch (std::exception const&) {
            // A client that went away: serve the next one.
        }
    }
}

template <class Stream>
void document_host::answer(Stream& stream, asio::ip::tcp::socket& socket)
{
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    must_within(io_, socket, exchange_timeout, "reading a request",
                [&](auto handler) { http::async_read(stream, buffer, req, handler); });
    ++total_;
    std::string const path(req.target().substr(0, req.target().find('?')));
    if (auto const delay = delay_ms_.load(); delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    http::response<http::string_body> res{http::status::ok, 11};
    {
        std::lock_guard lock(mutex_);
        ++counts_[path];
        last_requests_[path] = {req.body(), std::string(req[http::field::authorization])};
        auto const it = documents_.find(path);
        if (it == documents_.end()) {
            res.result(http::status::not_found);
            res.body() = R"({"error":"not_found"})";
        } else {
            res.result(static_cast<http::status>(statuses_[path]));
            res.body() = it->second;
        }
        if (!cache_control_.empty()) res.set(http::field::cache_control, cache_control_);
    }
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    res.prepare_payload();
    must_within(io_, socket, exchange_timeout, "writing a response",
                [&](auto handler) { http::async_write(stream, res, handler); });
}

test_issuer::test_issuer(std::string const& jwks_document, std::string cache_control) : issuer_(host_.origin() + "/")
{
    host_.set_cache_control(std::move(cache_control));
    host_.publish(jwks_path(), jwks_document);
    host_.publish("/.well-known/oauth-authorization-server",
                  boost::json::serialize(boost::json::object{{"issuer", issuer_},
                                                             {"jwks_uri", host_.origin() + jwks_path()},
                                                             {"authorization_endpoint", issuer_ + "authorize"},
                                                             {"token_endpoint", issuer_ + "oauth/token"},
                                                             {"response_types_supported", {"code"}},
                                                             {"code_challenge_methods_supported", {"S256"}}}));
}

}  // namespace justifi::test
