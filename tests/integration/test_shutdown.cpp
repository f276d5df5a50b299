// SIGTERM on the HTTP transport: what rolling deploys on ECS depend on.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <future>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::future<http_response> start_sleep_call(mcp_session const& session, int milliseconds, int id = 9)
{
    return std::async(std::launch::async, [=] {
        return session.post(json::parse(rpc(id, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", milliseconds}}}})));
    });
}

bool refuses_connections(std::uint16_t port)
{
    try {
        http_connection probe(port);
        return false;
    } catch (std::exception const&) {
        return true;
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(graceful_shutdown)

BOOST_AUTO_TEST_CASE(sigterm_stops_accepting_and_lets_the_call_in_flight_finish)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"}}});
    auto const session = mcp_session::open(server.port);
    auto call = start_sleep_call(session, 700);
    BOOST_REQUIRE(server.process.wait_for_stderr("tool call started", 15s));

    server.process.send_signal(SIGTERM);
    BOOST_REQUIRE(server.process.wait_for_stderr("stopped accepting", 15s));
    BOOST_TEST(refuses_connections(server.port));
    auto const answered = call.get();
    BOOST_TEST(answered.status == 200);
    BOOST_TEST(answered.json().at("result").at("content").at(0).at("text") == "slept");
    BOOST_TEST(!answered.keep_alive);  // the connection closes after its last response
    BOOST_TEST(server.process.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(health_answers_503_while_draining)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"}}});
    auto const session = mcp_session::open(server.port);
    auto call = start_sleep_call(session, 1500);  // keeps the drain open while we probe
    BOOST_REQUIRE(server.process.wait_for_stderr("tool call started", 15s));

    // A probe already under way on its connection when the signal lands.
    auto const begun = server.process.count_in_stderr("request begun");
    http_connection probe(server.port);
    probe.send_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    BOOST_REQUIRE(server.process.wait_for_stderr_count("request begun", begun + 1, 15s));
    server.process.send_signal(SIGTERM);
    BOOST_REQUIRE(server.process.wait_for_stderr("stopped accepting", 15s));
    probe.send_raw("\r\n");
    auto const health = probe.read_response();
    BOOST_TEST(health.status == 503);
    BOOST_TEST(!health.keep_alive);
    BOOST_TEST(refuses_connections(server.port));
    BOOST_TEST(call.get().status == 200);
    BOOST_TEST(server.process.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(idle_connections_and_server_streams_close_at_once_on_sigterm)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    http_connection idle(server.port);
    BOOST_TEST(idle.request("GET", "/health").status == 200);
    http_connection stream(server.port);
    stream.send_raw("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: " +
                    session.session_id + "\r\n\r\n");
    BOOST_TEST(stream.read_response_header().status == 200);

    server.process.send_signal(SIGTERM);
    BOOST_TEST(idle.closed_by_peer(10s));
    BOOST_TEST(stream.closed_by_peer(10s));
    BOOST_TEST(server.process.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(calls_still_running_at_the_drain_deadline_are_cancelled_with_an_error)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"}, {"MCP_DRAIN_TIMEOUT", "300ms"}}});
    auto const session = mcp_session::open(server.port);
    auto call = start_sleep_call(session, 60000);
    BOOST_REQUIRE(server.process.wait_for_stderr("tool call started", 15s));
    server.process.send_signal(SIGTERM);
    auto const answered = call.get();  // long before the 60 s sleep would end
    BOOST_TEST(answered.status == 200);
    auto const error = answered.json().at("error");
    BOOST_TEST(error.at("code") == -32603);
    BOOST_TEST(error.at("message").as_string().find("shutting down") != json::string::npos);
    BOOST_TEST(server.process.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_connection_still_busy_after_the_drain_and_its_grace_is_closed_so_it_unwinds)
{
    // A body that never arrives keeps its connection busy past the drain; its own deadline is a
    // minute away, so only the supervisor's last step (closing what is left) can end it.
    http_server server({.env = {{"LOG_LEVEL", "debug"}, {"MCP_DRAIN_TIMEOUT", "300ms"}, {"MCP_HEADER_TIMEOUT", "60s"}}});
    http_connection stuck(server.port, 30s);
    stuck.send_raw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Accept: application/json, text/event-stream\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n");
    // 100 Continue: the server is reading the body now.
    BOOST_REQUIRE_EQUAL(stuck.read_response_header().status, 100);
    server.process.send_signal(SIGTERM);
    BOOST_TEST(server.process.wait(15s).value_or(-1) == 0);
    auto const log = server.process.stderr_text();
    BOOST_TEST(log.find("connections still open after the drain, closing them") != std::string::npos);
    // Closing let the connection's coroutine unwind to its access log line: nothing was left
    // suspended for the process to abandon.
    BOOST_TEST(log.find(R"("path":"/mcp")") != std::string::npos, log);
    BOOST_TEST(log.find("stopping anyway") == std::string::npos, log);
    BOOST_TEST(stuck.closed_by_peer(5s));
}

BOOST_AUTO_TEST_CASE(sigint_drains_like_sigterm)
{
    http_server server;
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
    server.process.send_signal(SIGINT);
    BOOST_TEST(server.process.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
