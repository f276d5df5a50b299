// /metrics through the real product against the simulator: what one tools/call records
// (request, tool call, upstream call, token cache), the metrics on a port of their own, and
// turning them off.
#include "tests/support/fixtures.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

using namespace justifi::test;
namespace json = boost::json;

namespace {

bool has_line(std::string const& text, std::string const& line) { return text.find(line + "\n") != std::string::npos; }

std::uint16_t free_port()
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(a_tool_call_is_counted_as_a_request_a_tool_call_an_upstream_call_and_token_lookups)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    for (int id = 1; id <= 2; ++id) {
        auto const res = session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 2}}}}, id);
        BOOST_REQUIRE(!is_error(res.at("result").as_object()));
    }
    // A request is recorded just after its answer is written, so the client can be a moment ahead.
    auto scrape = http_request(server.port, "GET", "/metrics");
    for (int i = 0; i < 40 && !has_line(scrape.body, R"(justifi_mcp_requests_total{method="tools/call",status="200"} 2)"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        scrape = http_request(server.port, "GET", "/metrics");
    }
    BOOST_TEST(scrape.status == 200);
    BOOST_TEST(scrape.header("Content-Type").starts_with("text/plain; version=0.0.4"));
    auto const& text = scrape.body;
    BOOST_TEST(has_line(text, R"(justifi_mcp_requests_total{method="tools/call",status="200"} 2)"), text);
    BOOST_TEST(has_line(text, R"(justifi_mcp_requests_total{method="initialize",status="200"} 1)"));
    BOOST_TEST(has_line(text, R"(justifi_mcp_request_duration_seconds_count{method="tools/call"} 2)"));
    BOOST_TEST(has_line(text, R"(justifi_mcp_tool_calls_total{tool="list_payments",outcome="ok"} 2)"));
    BOOST_TEST(has_line(text, R"(justifi_mcp_upstream_requests_total{status="200"} 2)"));
    BOOST_TEST(has_line(text, R"(justifi_mcp_upstream_duration_seconds_count 2)"));
    BOOST_TEST(has_line(text, R"(justifi_mcp_token_cache_total{result="miss"} 1)"));
    BOOST_TEST(has_line(text, R"(justifi_mcp_token_cache_total{result="hit"} 1)"));
    BOOST_TEST(text.find("\njustifi_mcp_open_connections ") != std::string::npos);
    BOOST_TEST(has_line(text, "justifi_mcp_tool_calls_in_flight 0"));
    // Scrapes are not counted as traffic, and no credential appears.
    BOOST_TEST(text.find("(metrics)") == std::string::npos);
    BOOST_TEST(text.find("test_client_secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(metrics_can_have_a_port_of_their_own_or_be_turned_off)
{
    auto const port = free_port();
    http_server separate({.env = {{"MCP_METRICS_PORT", std::to_string(port)}, {"MCP_METRICS_PATH", "/internal/m"}}});
    BOOST_REQUIRE(separate.process.wait_for_stderr("metrics listening", std::chrono::seconds(10)));
    BOOST_TEST(http_request(separate.port, "GET", "/internal/m").status == 404);  // not on the MCP port
    auto const scrape = http_request(port, "GET", "/internal/m");
    BOOST_TEST(scrape.status == 200);
    BOOST_TEST(scrape.body.find("# TYPE justifi_mcp_requests_total counter") != std::string::npos);
    BOOST_TEST(http_request(port, "GET", "/mcp").status == 404);  // only metrics there
    BOOST_TEST(http_request(port, "POST", "/internal/m").status == 405);

    http_server off({.env = {{"MCP_METRICS", "false"}}});
    BOOST_TEST(http_request(off.port, "GET", "/metrics").status == 404);
}

BOOST_AUTO_TEST_CASE(a_public_mcp_port_serves_no_metrics_unless_told_to)
{
    // Bound to every interface (MCP_PUBLIC_URL is then required): the MCP port faces the world.
    auto const start = [](std::vector<std::pair<std::string, std::string>> env) {
        env.emplace_back("MCP_PUBLIC_URL", "https://mcp.example.com");
        return std::make_unique<child_process>(
            product_binary, child_options{.args = {"--transport", "http", "--host", "0.0.0.0", "--port", "0"},
                                          .env = std::move(env),
                                          .unset_env = {"MCP_AUTH", "MCP_METRICS", "MCP_METRICS_PORT"}});
    };
    auto const by_default = start({});
    auto const port = by_default->wait_for_port();
    BOOST_TEST(http_request(port, "GET", "/metrics").status == 404);
    BOOST_TEST(http_request(port, "GET", "/health").status == 200);

    auto const asked = start({{"MCP_METRICS", "true"}});
    BOOST_TEST(http_request(asked->wait_for_port(), "GET", "/metrics").status == 200);

    auto const metrics_port = free_port();
    auto const separate = start({{"MCP_METRICS_PORT", std::to_string(metrics_port)}});
    BOOST_REQUIRE(separate->wait_for_stderr("metrics listening", std::chrono::seconds(10)));
    BOOST_TEST(http_request(separate->wait_for_port(), "GET", "/metrics").status == 404);
    BOOST_TEST(http_request(metrics_port, "GET", "/metrics").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
