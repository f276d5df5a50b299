// Protection through the real binary: a per-caller rate limit answered with 429 and
// Retry-After, and a cap on tool calls in flight answered with a quick 503 instead of a queue.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

header_list client(std::string const& id) { return {{"X-Client-Id", id}, {"X-Client-Secret", "secret-of-" + id}}; }

http_response ping(mcp_session const& session, header_list const& credentials, std::int64_t id)
{
    return session.post(json::parse(rpc(id, "ping")), credentials);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(a_caller_over_its_rate_gets_429_with_retry_after_and_others_are_untouched)
{
    http_server server({.env = {{"MCP_RATE_LIMIT", "1"}, {"MCP_RATE_LIMIT_BURST", "4"}}});
    auto const alice = client("alice");
    auto const session = mcp_session::open(server.port, "2025-11-25", alice);  // initialize + initialized: 2
    BOOST_TEST(ping(session, alice, 1).status == 200);
    BOOST_TEST(ping(session, alice, 2).status == 200);
    auto const limited = ping(session, alice, 3);
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(limited.header("Retry-After") == "1");
    BOOST_TEST(limited.json().at("error").at("message").as_string().starts_with("Too Many Requests: more than 4 "
                                                                                  "requests at once or 1 a second"));
    // Another caller has its own bucket.
    BOOST_TEST(ping(session, client("bob"), 4).status == 200);
    // A token later, alice is served again.
    std::this_thread::sleep_for(1100ms);
    BOOST_TEST(ping(session, alice, 5).status == 200);
}

BOOST_AUTO_TEST_CASE(tool_calls_over_the_in_flight_cap_get_a_quick_503_not_a_queue)
{
    http_server server({.env = {{"MCP_MAX_TOOL_CALLS", "1"}}});
    auto const session = mcp_session::open(server.port);
    json::value slept;  // checked after join: Boost.Test's assertions belong to the test's thread
    std::thread sleeper([&] {
        slept = session.call("tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 1500}}}}, 1);
    });
    // Wait until the sleeper is running (the server logs each call's start at debug; poll instead).
    http_response busy;
    for (int i = 0; i < 100; ++i) {
        busy = session.post(json::parse(rpc(2, "tools/call", {{"name", "test_echo"}, {"arguments", {{"text", "hi"}}}})));
        if (busy.status == 503) break;
        std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST(busy.status == 503);
    BOOST_TEST(busy.header("Retry-After") == "1");
    BOOST_TEST(busy.json().at("error").at("message").as_string().starts_with("Server busy"));
    // Requests that are not tool calls are still served while the cap is reached.
    BOOST_TEST(session.post(json::parse(rpc(3, "ping"))).status == 200);
    sleeper.join();
    BOOST_TEST(slept.at("result").at("content").at(0).at("text") == "slept");
    auto const after = session.call("tools/call", {{"name", "test_echo"}, {"arguments", {{"text", "hi"}}}}, 4);
    BOOST_TEST(!after.as_object().contains("error"));
}

BOOST_AUTO_TEST_SUITE_END()
