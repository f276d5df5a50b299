// The framing rules the HTTP server adds to Beast's parser (RFC 9112 sections 3.2 and 6.1),
// sans-io: a header that two readers could frame differently is refused.
#include "core/errors.hpp"
#include "net/http_server.hpp"
#include "net/stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

namespace http = boost::beast::http;
using justifi::core::errc;

namespace {

http::request_header<> head(unsigned version, std::initializer_list<std::pair<char const*, char const*>> fields)
{
    http::request_header<> h;
    h.method(http::verb::post);
    h.target("/mcp");
    h.version(version);
    for (auto const& [name, value] : fields) h.insert(name, value);
    return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_framing)

BOOST_AUTO_TEST_CASE(one_host_and_a_length_or_exactly_chunked_is_fine)
{
    BOOST_TEST(!justifi::net::check_request_framing(head(11, {{"Host", "a"}, {"Content-Length", "3"}})));
    BOOST_TEST(!justifi::net::check_request_framing(head(11, {{"Host", "a"}, {"Transfer-Encoding", "chunked"}})));
    BOOST_TEST(!justifi::net::check_request_framing(head(11, {{"Host", "a"}, {"Transfer-Encoding", " CHUNKED\t"}})));
    BOOST_TEST(!justifi::net::check_request_framing(head(10, {})));  // HTTP/1.0 has no Host requirement
}

BOOST_AUTO_TEST_CASE(any_other_transfer_coding_is_not_implemented)
{
    for (auto const* coding : {"xchunked", "identity", "chunked, identity", "gzip, chunked", "chunked;x=1", ""})
        BOOST_TEST((justifi::net::check_request_framing(head(11, {{"Host", "a"}, {"Transfer-Encoding", coding}})) ==
                    errc::unsupported_transfer_coding),
                   coding);
    BOOST_TEST((justifi::net::check_request_framing(head(11, {{"Host", "a"}, {"Transfer-Encoding", "gzip"},
                                                          {"Transfer-Encoding", "chunked"}})) ==
                errc::unsupported_transfer_coding));
}

BOOST_AUTO_TEST_CASE(http10_with_a_transfer_coding_is_refused)
{
    BOOST_TEST((justifi::net::check_request_framing(head(10, {{"Transfer-Encoding", "chunked"}})) ==
                errc::transfer_coding_in_http10));
}

BOOST_AUTO_TEST_CASE(two_hosts_or_none_on_http11_is_refused)
{
    BOOST_TEST((justifi::net::check_request_framing(head(11, {{"Host", "a"}, {"Host", "b"}})) == errc::duplicate_host));
    BOOST_TEST((justifi::net::check_request_framing(head(10, {{"Host", "a"}, {"Host", "a"}})) == errc::duplicate_host));
    BOOST_TEST((justifi::net::check_request_framing(head(11, {})) == errc::missing_host));
}

BOOST_AUTO_TEST_SUITE_END()

// Over a real loopback pair: a peek that finds nothing must say so at once, not wait for the
// peer (the server once blocked a connection's strand for 15 s on a stale readiness event).
BOOST_AUTO_TEST_SUITE(peer_peek)

BOOST_AUTO_TEST_CASE(nothing_to_read_data_waiting_and_a_closed_peer_are_told_apart_without_blocking)
{
    namespace asio = boost::asio;
    using tcp = asio::ip::tcp;
    using justifi::net::peek_peer;
    using justifi::net::peer_reading;
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    tcp::socket server = acceptor.accept();

    BOOST_TEST((peek_peer(server) == peer_reading::nothing_yet));

    asio::write(client, asio::buffer("x", 1));
    // Loopback delivers at once, but give the kernel a moment rather than race it.
    for (int i = 0; i < 100 && server.available() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BOOST_TEST((peek_peer(server) == peer_reading::sent_data));
    BOOST_TEST((peek_peer(server) == peer_reading::sent_data), "a peek leaves the byte where it was");
    char byte = 0;
    BOOST_TEST(server.read_some(asio::buffer(&byte, 1)) == 1u);
    BOOST_TEST((peek_peer(server) == peer_reading::nothing_yet));

    client.close();
    auto reading = peer_reading::nothing_yet;
    for (int i = 0; i < 100 && reading == peer_reading::nothing_yet; ++i) {
        reading = peek_peer(server);
        if (reading == peer_reading::nothing_yet) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    BOOST_TEST((reading == peer_reading::closed));
}

BOOST_AUTO_TEST_SUITE_END()
