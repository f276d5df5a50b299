#include "net/stream.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>

#include <cerrno>

#include <sys/socket.h>

namespace justifi::net {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_client_context()
{
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    context->set_verify_mode(ssl::verify_peer);
    return context;
}

boost::system::error_code load_trust(ssl::context& context, std::string const& ca_file, bool with_system_store)
{
    boost::system::error_code ec;
    if (with_system_store || ca_file.empty()) context.set_default_verify_paths(ec);
    if (!ca_file.empty()) context.load_verify_file(ca_file, ec);
    return ec;
}

bool expect_peer(plain_or_tls_stream::tls_stream& stream, std::string const& host)
{
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) return false;
    stream.set_verify_callback(ssl::host_name_verification(host));
    return true;
}

peer_reading peek_peer(boost::asio::ip::tcp::socket& socket)
{
    char byte = 0;
    auto const n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return peer_reading::sent_data;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return peer_reading::nothing_yet;
    return peer_reading::closed;  // end of stream, or an error such as a reset
}

}  // namespace justifi::net
