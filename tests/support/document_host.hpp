// A small HTTP(S) server of the test's own on a loopback port that serves JSON documents by
// path, whatever the method: an issuer's metadata and JWKS, as Auth0 publishes them, or a token
// endpoint's answer. publish() swaps a document (key rotation) and its status, set_delay()
// slows every answer (to overlap concurrent fetches), and each path counts its requests and
// keeps the body and Authorization header of the last one. Unknown paths get 404.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace justifi::test {

class document_host {
public:
    // HTTPS when a certificate and key are given.
    explicit document_host(std::string const& cert_file = {}, std::string const& key_file = {});
    ~document_host();
    document_host(document_host const&) = delete;
    document_host& operator=(document_host const&) = delete;

    // "http://127.0.0.1:PORT" (or https), no trailing slash.
    std::string origin() const;
    void publish(std::string const& path, std::string document, int status = 200);
    // The body and Authorization header of the last request to `path` (empty: none yet).
    std::string last_body(std::string const& path) const;
    std::string last_authorization(std::string const& path) const;
    void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
    // A Cache-Control header on every answer from now on (empty: none).
    void set_cache_control(std::string value)
    {
        std::lock_guard lock(mutex_);
        cache_control_ = std::move(value);
    }
    int requests(std::string const& path) const;
    int requests() const { return total_.load(); }

private:
    void serve();
    template <class Stream>
    void answer(Stream& stream, boost::asio::ip::tcp::socket& socket);

    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::unique_ptr<boost::asio::ssl::context> tls_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> documents_;
    std::map<std::string, int> statuses_;
    std::map<std::string, std::pair<std::string, std::string>> last_requests_;  // body, Authorization
    std::map<std::string, int> counts_;
    std::string cache_control_;
    std::atomic<int> total_{0};
    std::atomic<long> delay_ms_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

// An issuer on a document_host, as the product finds one: RFC 8414 metadata naming the JWKS.
class test_issuer {
public:
    // `cache_control`: the Cache-Control of every answer (empty: none), as Auth0 sends one.
    explicit test_issuer(std::string const& jwks_document, std::string cache_control = {});

    // "http://127.0.0.1:PORT/", with the trailing slash Auth0 issuers have.
    std::string const& issuer() const { return issuer_; }
    std::string jwks_path() const { return "/.well-known/jwks.json"; }
    document_host& host() { return host_; }

private:
    document_host host_;
    std::string issuer_;
};

}  // namespace justifi::test
