// The JustiFi client's TLS and token handling through the real product binary against the
// simulator serving HTTPS: certificate and host name verification, the trust settings the
// client honours, the simulator's own certificate, and the retry after a revoked token.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

using env_list = std::vector<std::pair<std::string, std::string>>;

// justifi-mcp over HTTP in the local development mode (MCP_AUTH=none, the simulator's client
// credentials), trusting exactly what `trust` says: the test's own CA variables are cleared.
struct product_stack {
    http_server mcp;
    mcp_session session;

    product_stack(std::string const& base_url, env_list trust = {})
        : mcp(options(base_url, std::move(trust)), product_binary), session(mcp_session::open(mcp.port))
    {
    }

    static child_options options(std::string const& base_url, env_list trust)
    {
        child_options o;
        o.env = {{"JUSTIFI_BASE_URL", base_url},
                 {"MCP_AUTH", "none"},
                 {"JUSTIFI_CLIENT_ID", "test_client_id"},
                 {"JUSTIFI_CLIENT_SECRET", "test_client_secret"},
                 {"JUSTIFI_TIMEOUT", "10s"}};
        for (auto const* name : {"JUSTIFI_CA_FILE", "SSL_CERT_FILE", "SSL_CERT_DIR"}) {
            bool const given = std::any_of(trust.begin(), trust.end(), [&](auto const& e) { return e.first == name; });
            if (!given) o.unset_env.emplace_back(name);
        }
        o.env.insert(o.env.end(), trust.begin(), trust.end());
        return o;
    }

    json::object list_payments() const
    {
        auto const response = session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 2}}}});
        BOOST_REQUIRE_MESSAGE(response.as_object().contains("result"), json::serialize(response));
        return response.at("result").as_object();
    }
};

std::string url(std::string const& host, std::uint16_t port) { return "https://" + host + ":" + std::to_string(port); }

}  // namespace

BOOST_AUTO_TEST_SUITE(upstream_tls)

BOOST_AUTO_TEST_CASE(https_simulator_is_verified_end_to_end_with_justifi_ca_file)
{
    mock_server mock(serve_https);
    BOOST_TEST(mock.process.stderr_text().find("\"scheme\":\"https\"") != std::string::npos);
    product_stack stack(mock.base_url(), {{"JUSTIFI_CA_FILE", mock.ca_file()}});
    auto const result = stack.list_payments();
    BOOST_REQUIRE_MESSAGE(!is_error(result), json::serialize(result));
    BOOST_TEST(result.at("structuredContent").at("data").as_array().size() == 2u);
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 1);
    BOOST_TEST(mock.stats().at("token_requests") == 1);
}

BOOST_AUTO_TEST_CASE(without_the_simulators_ca_the_call_is_a_tls_error_and_nothing_reaches_the_api)
{
    mock_server mock(serve_https);
    product_stack stack(mock.base_url());  // the system store only
    auto const result = stack.list_payments();
    BOOST_TEST(is_error(result));
    BOOST_TEST(text_of(result).find("TLS") != std::string::npos, text_of(result));
    BOOST_TEST(total_v1_requests(mock) == 0);
    BOOST_TEST(mock.stats().at("token_requests") == 0);  // the credentials were never sent either
}

BOOST_AUTO_TEST_CASE(ssl_cert_file_is_honoured_as_the_trust_store)
{
    mock_server mock(serve_https);
    // By name this time: the certificate's DNS:localhost is what matches.
    product_stack stack(url("localhost", mock.port), {{"SSL_CERT_FILE", mock.ca_file()}});
    auto const result = stack.list_payments();
    BOOST_REQUIRE_MESSAGE(!is_error(result), json::serialize(result));
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 1);
}

BOOST_AUTO_TEST_CASE(a_certificate_from_a_trusted_ca_for_another_host_name_is_refused)
{
    // The same setup as the end-to-end case but for the name: the certificate says only other.example.
    mock_server mock(serve_https, {"--tls-names", "other.example"});
    product_stack stack(mock.base_url(), {{"JUSTIFI_CA_FILE", mock.ca_file()}});
    auto const result = stack.list_payments();
    BOOST_TEST(is_error(result));
    BOOST_TEST(text_of(result).find("TLS") != std::string::npos, text_of(result));
    // The chain itself is good (the test's chain-only client reads the stats through it).
    BOOST_TEST(mock.stats().at("token_requests") == 0);
    BOOST_TEST(total_v1_requests(mock) == 0);
}

BOOST_AUTO_TEST_CASE(a_given_certificate_and_key_are_served)
{
    mock_server generator(serve_https);  // only for its certificate files
    mock_server mock({"--tls-cert", generator.tls_dir + "/cert.pem", "--tls-key", generator.tls_dir + "/key.pem"});
    product_stack stack(url("127.0.0.1", mock.port), {{"JUSTIFI_CA_FILE", generator.ca_file()}});
    auto const result = stack.list_payments();
    BOOST_TEST(!is_error(result), json::serialize(result));
    BOOST_TEST(generator.stats().at("token_requests") == 0);  // the call went to the second simulator
}

BOOST_AUTO_TEST_CASE(a_revoked_token_is_dropped_from_the_cache_and_the_call_retried_once_with_a_fresh_one)
{
    mock_server mock(serve_https);
    product_stack stack(mock.base_url(), {{"JUSTIFI_CA_FILE", mock.ca_file()}});
    BOOST_REQUIRE(!is_error(stack.list_payments()));
    BOOST_TEST(mock.stats().at("token_requests") == 1);

    mock.revoke_tokens();
    auto const result = stack.list_payments();
    BOOST_TEST(!is_error(result), json::serialize(result));
    BOOST_TEST(mock.stats().at("token_requests") == 2);
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 3);  // the first call, the 401, the retry
}

BOOST_AUTO_TEST_CASE(revoked_tokens_are_answered_401_in_justifis_error_envelope)
{
    mock_server mock;
    auto const issued = http_request(mock.port, "POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                     R"({"client_id":"test_client_id","client_secret":"test_client_secret"})");
    header_list const bearer{{"Authorization", "Bearer " + std::string(issued.json().at("access_token").as_string())}};
    BOOST_TEST(http_request(mock.port, "GET", "/v1/payments?limit=1", bearer).status == 200);

    auto const revoked = http_request(mock.port, "DELETE", "/__mock/tokens");
    BOOST_TEST(revoked.status == 200);
    BOOST_TEST(revoked.json().at("revoked") == 1);

    auto const refused = http_request(mock.port, "GET", "/v1/payments?limit=1", bearer);
    BOOST_TEST(refused.status == 401);
    BOOST_TEST(refused.json().at("error").at("code") == "not_authenticated");
    BOOST_TEST(http_request(mock.port, "GET", "/__mock/tokens").status == 405);
}

BOOST_AUTO_TEST_CASE(simulator_certificate_verifies_with_openssl_s_client)
{
    mock_server mock(serve_https);
    child_process s_client("/usr/bin/openssl",
                           {.args = {"s_client", "-connect", "127.0.0.1:" + std::to_string(mock.port), "-CAfile",
                                     mock.ca_file(), "-verify_return_error", "-verify_ip", "127.0.0.1"}});
    s_client.close_stdin();  // end of input: s_client closes the connection after the handshake
    BOOST_TEST(s_client.wait(20s).value_or(-1) == 0);
    BOOST_REQUIRE(s_client.wait_for_output_end(5s));
    BOOST_TEST(s_client.stdout_text().find("Verify return code: 0 (ok)") != std::string::npos,
               s_client.stdout_text() + s_client.stderr_text());
}

BOOST_AUTO_TEST_CASE(https_simulator_drains_and_exits_zero_with_a_pooled_connection_open)
{
    mock_server mock(serve_https);
    product_stack stack(mock.base_url(), {{"JUSTIFI_CA_FILE", mock.ca_file()}});
    BOOST_REQUIRE(!is_error(stack.list_payments()));  // leaves a keep-alive TLS connection in the pool
    mock.process.send_signal(SIGTERM);
    BOOST_TEST(mock.process.wait(5s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
