// The log is one JSON object a line, and never carries a credential, at any level.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// Distinctive values: if any of them shows up anywhere in stderr, a secret leaked.
std::string const bearer_secret = "eyJhbGciOiJSUzI1NiJ9.BEARERSECRET123.signature";
std::string const client_secret = "CLIENTSECRET-7f1c2b9e";
std::string const env_client_secret = "ENVCLIENTSECRET-44aa";
std::string const session_secret = "SESSIONSECRET-0123456789abcdefghijklmnop";

void check_no_secret_and_well_formed(std::string const& log)
{
    for (auto const& secret : {bearer_secret, client_secret, env_client_secret, session_secret,
                               std::string("BEARERSECRET123")})
        BOOST_TEST(log.find(secret) == std::string::npos, "secret leaked into the log: " << secret);
    std::size_t lines = 0;
    for (std::size_t start = 0; start < log.size();) {
        auto const end = log.find('\n', start);
        auto const line = json::parse(log.substr(start, end - start)).as_object();
        BOOST_TEST(line.contains("timestamp"));
        BOOST_TEST(line.contains("level"));
        BOOST_TEST(line.contains("message"));
        if (line.at("message") == "request") {
            BOOST_TEST(line.contains("request_id"));
            BOOST_TEST(line.contains("status"));
            BOOST_TEST(line.contains("duration_us"));
        }
        ++lines;
        start = end + 1;
    }
    BOOST_TEST(lines > 5u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_secrets)

BOOST_AUTO_TEST_CASE(http_debug_log_carries_no_authorization_secret_or_token)
{
    // OAuth mode (no MCP_AUTH=none): refused and missing credentials get the 401 challenge. The
    // simulator knows client-1, so its credentials are checked (a token is fetched) and admitted.
    mock_server mock({"--extra-clients", "client-1:" + client_secret, "--log-level", "debug"});
    http_server server({.env = {{"LOG_LEVEL", "debug"},
                                {"MCP_SESSION_SECRET", session_secret},
                                {"JUSTIFI_BASE_URL", mock.base_url()},
                                {"JUSTIFI_CLIENT_SECRET", env_client_secret}},
                        .unset_env = {"MCP_AUTH"}});
    header_list const bearer{{"Authorization", "Bearer " + bearer_secret}};
    header_list const client{{"X-Client-Id", "client-1"}, {"X-Client-Secret", client_secret}};
    auto const session = mcp_session::open(server.port, "2025-11-25", bearer);
    session.call("tools/call", {{"name", "test_echo"}, {"arguments", {{"text", "x"}}}}, 2, bearer);
    auto const developer = mcp_session::open(server.port, "2025-11-25", client);
    developer.call("tools/call", {{"name", "test_progress"}, {"arguments", {{"steps", 1}}}}, 3, client);
    developer.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}, 8, client);
    session.call("tools/call", {{"name", "test_throw"}}, 4, bearer);
    // A wrong secret for a known id: refused by JustiFi, and by us without a word of it.
    BOOST_TEST(developer.post(json::parse(rpc(9, "ping")), {{"X-Client-Id", "client-1"}, {"X-Client-Secret", client_secret + "x"}})
                   .status == 401);
    // Refused credentials must not be echoed either.
    session.post(json::parse(rpc(5, "ping")), {{"Authorization", "Basic " + client_secret}});
    session.post(json::parse(rpc(6, "ping")), {{"X-Client-Secret", client_secret}});
    BOOST_TEST(session.post(json::parse(rpc(7, "ping"))).status == 401);
    server.process.send_signal(SIGTERM);
    BOOST_REQUIRE(server.process.wait(15s).value_or(-1) == 0);
    BOOST_REQUIRE(server.process.wait_for_output_end(5s));
    check_no_secret_and_well_formed(server.process.stderr_text());
    mock.process.send_signal(SIGTERM);
    BOOST_REQUIRE(mock.process.wait_for_output_end(15s));
    check_no_secret_and_well_formed(mock.process.stderr_text());
}

BOOST_AUTO_TEST_CASE(an_attacker_chosen_client_id_never_reaches_the_log_beyond_a_client_ids_length)
{
    // Ids of many KiB used to be logged twice per request; now they are refused before any lookup.
    http_server server({.env = {{"LOG_LEVEL", "debug"}}, .unset_env = {"MCP_AUTH"}});
    std::string const huge(15 * 1024, 'A');  // the whole head must stay under the 16 KiB limit
    std::string const odd = "test_\"},\"level\":\"error";
    for (auto const& id : {huge, odd}) {
        auto const res = http_request(server.port, "POST", "/mcp",
                                      {{"Content-Type", "application/json"},
                                       {"Accept", "application/json, text/event-stream"},
                                       {"X-Client-Id", id},
                                       {"X-Client-Secret", "s3cr3t"}},
                                      rpc(1, "ping"));
        BOOST_TEST(res.status == 401);
        BOOST_TEST(res.header("WWW-Authenticate").find("error=\"invalid_request\"") != std::string::npos);
        BOOST_TEST(res.body.find(id.substr(0, 40)) == std::string::npos);
    }
    server.process.send_signal(SIGTERM);
    BOOST_REQUIRE(server.process.wait_for_output_end(15s));
    auto const log = server.process.stderr_text();
    BOOST_TEST(log.find(std::string(129, 'A')) == std::string::npos);
    BOOST_TEST(log.find("test_\\\"}") == std::string::npos);
    std::size_t longest = 0;
    for (std::size_t start = 0; start < log.size();) {
        auto const end = log.find('\n', start);
        longest = std::max(longest, (end == std::string::npos ? log.size() : end) - start);
        start = end == std::string::npos ? log.size() : end + 1;
    }
    BOOST_TEST(longest < 1024u);
}

BOOST_AUTO_TEST_CASE(stdio_debug_log_carries_no_client_secret)
{
    child_process p(test_server_binary, {.env = {{"LOG_LEVEL", "debug"},
                                                 {"JUSTIFI_CLIENT_ID", "client-1"},
                                                 {"JUSTIFI_CLIENT_SECRET", env_client_secret}}});
    p.write_stdin(rpc(1, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object{}},
                                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}}) + "\n");
    p.write_stdin(rpc(2, "tools/call", {{"name", "test_echo"}}) + "\n");
    p.write_stdin(rpc(3, "tools/call", {{"name", "test_progress"}, {"arguments", {{"steps", 2}}}}) + "\n");
    p.write_stdin(rpc(4, "tools/call", {{"name", "test_throw"}}) + "\n");
    p.write_stdin(rpc(5, "tools/call", {{"name", "test_fail"}}) + "\n");
    p.close_stdin();
    BOOST_REQUIRE(p.wait(15s).value_or(-1) == 0);
    BOOST_REQUIRE(p.wait_for_output_end(5s));
    check_no_secret_and_well_formed(p.stderr_text());
    // The tool saw the identity, by id only.
    BOOST_TEST(p.stdout_text().find("client:client-1") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
