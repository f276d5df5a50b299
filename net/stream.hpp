// The bytes of one connection, plain TCP or TLS over it, as one AsyncStream: the HTTP server,
// the JustiFi client and the document fetch each have a single code path for both, and
// deadlines live on the TCP layer. With the TLS client setup every outbound connection shares.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace justifi::net {

enum class peer_reading { closed, sent_data, nothing_yet };

// What a socket that waited readable holds now. Readiness can be stale (an edge the reactor
// reports after the bytes behind it were already read), so the peek never blocks: a blocking
// one held the connection's strand, and the JustiFi answer queued on it, until the client spoke.
peer_reading peek_peer(boost::asio::ip::tcp::socket& socket);

class plain_or_tls_stream {
public:
    using executor_type = boost::beast::tcp_stream::executor_type;
    using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    // An accepted connection; TLS when the server has a context.
    plain_or_tls_stream(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls)
        : tls_context_(std::move(tls))
    {
        if (tls_context_) tls_.emplace(std::move(socket), *tls_context_);
        else plain_.emplace(std::move(socket));
    }
    // An outbound connection, not yet connected; TLS when given a context.
    plain_or_tls_stream(boost::asio::any_io_executor const& executor, std::shared_ptr<boost::asio::ssl::context> tls)
        : tls_context_(std::move(tls))
    {
        if (tls_context_) tls_.emplace(executor, *tls_context_);
        else plain_.emplace(executor);
    }

    executor_type get_executor() { return tcp_layer().get_executor(); }
    boost::beast::tcp_stream& tcp_layer() { return tls_ ? tls_->next_layer() : *plain_; }
    bool is_tls() const { return tls_.has_value(); }
    tls_stream& tls() { return *tls_; }

    void expires_after(std::chrono::steady_clock::duration timeout) { tcp_layer().expires_after(timeout); }
    void expires_at(std::chrono::steady_clock::time_point deadline) { tcp_layer().expires_at(deadline); }
    void cancel() { tcp_layer().cancel(); }

    template <class MutableBuffers, class Token>
    auto async_read_some(MutableBuffers const& buffers, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, MutableBuffers const& b) {
                if (tls_) tls_->async_read_some(b, std::move(handler));
                else plain_->async_read_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(ConstBuffers const& buffers, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, ConstBuffers const& b) {
                if (tls_) tls_->async_write_some(b, std::move(handler));
                else plain_->async_write_some(b, std::move(handler));
            },
            token, buffers);
    }

private:
    std::shared_ptr<boost::asio::ssl::context> tls_context_;  // declared first: outlives the stream using it
    std::optional<boost::beast::tcp_stream> plain_;
    std::optional<tls_stream> tls_;
};

// A client context as every outbound connection of this server uses it: TLS 1.2 or newer, and
// the peer's certificate verified. The trust store is loaded separately (load_trust): it is
// megabytes once parsed, and a process talking only to a loopback simulator never needs it.
std::shared_ptr<boost::asio::ssl::context> make_client_context();

// Trusts the PEM file `ca_file` (if any) and, when `with_system_store` (or without a file), the
// system store (which honours SSL_CERT_FILE and SSL_CERT_DIR).
boost::system::error_code load_trust(boost::asio::ssl::context& context, std::string const& ca_file,
                                     bool with_system_store);

// Before a client handshake: SNI for `host`, and a certificate that must name it. False when
// OpenSSL refuses the name.
bool expect_peer(plain_or_tls_stream::tls_stream& stream, std::string const& host);

}  // namespace justifi::net
