// What "loopback" means, decided in one place (server/web_address) for every layer: the base
// URL of the JustiFi API, an issuer's jwks_uri, the OAuth issuer setting and the bind address.
#include "auth/jwks_cache.hpp"
#include "client/justifi_client.hpp"
#include "net/web_address.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using justifi::net::is_loopback_host;

BOOST_AUTO_TEST_SUITE(web_address)

BOOST_AUTO_TEST_CASE(loopback_is_the_name_localhost_or_a_parsed_loopback_address)
{
    for (auto const* host : {"localhost", "LocalHost", "127.0.0.1", "127.9.8.7", "::1", "[::1]", "0:0:0:0:0:0:0:1"})
        BOOST_TEST(is_loopback_host(host), host);
}

BOOST_AUTO_TEST_CASE(names_that_merely_start_like_loopback_are_remote_hosts)
{
    for (auto const* host : {"127.evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "[::1]:80", "::1%lo",
                             "[::1", "", "0.0.0.0", "10.0.0.1", "::", "evil.example", "127.0.0.1:8080"})
        BOOST_TEST(!is_loopback_host(host), host);
    BOOST_TEST(!is_loopback_host(std::string("127.0.0.1\0.evil", 15)));
}

BOOST_AUTO_TEST_CASE(plain_http_base_url_is_refused_for_a_domain_that_starts_with_127)
{
    for (auto const* url : {"http://127.evil.example", "http://127.0.0.1.evil.example:8081", "http://localhost.evil.example"}) {
        auto const normalised = justifi::client::normalise_base_url(url);
        BOOST_TEST(!normalised.has_value(), url);
        if (!normalised) BOOST_TEST(normalised.error().message.find("only for a loopback host") != std::string::npos, normalised.error());
    }
    for (auto const* url : {"http://127.0.0.1:8081", "http://[::1]:8081", "http://localhost:8081/v1/"})
        BOOST_TEST(justifi::client::normalise_base_url(url).has_value(), url);
    BOOST_TEST(*justifi::client::normalise_base_url("https://127.evil.example") == "https://127.evil.example");
}

BOOST_AUTO_TEST_CASE(plain_http_jwks_uri_is_accepted_only_on_a_parsed_loopback_host)
{
    auto const metadata = [](std::string const& uri) {
        return R"({"issuer":"https://issuer.example/","jwks_uri":")" + uri + R"("})";
    };
    for (auto const* uri : {"http://127.0.0.1:9/keys", "http://[::1]:9/keys", "http://localhost/keys"})
        BOOST_TEST(justifi::auth::jwks_uri_from_metadata(metadata(uri), "https://issuer.example/").has_value(), uri);
    for (auto const* uri : {"http://127.evil.example/keys", "http://127.0.0.1.evil.example/keys"})
        BOOST_TEST(!justifi::auth::jwks_uri_from_metadata(metadata(uri), "https://issuer.example/").has_value(), uri);
}

BOOST_AUTO_TEST_SUITE_END()
