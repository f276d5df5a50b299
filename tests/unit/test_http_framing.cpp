// The framing rules the HTTP server adds to Beast's parser (RFC 9112 sections 3.2 and 6.1),
// sans-io: a header that two readers could frame differently is refused.
#include "core/errors.hpp"
#include "net/http_server.hpp"

#include <boost/test/unit_test.hpp>

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
