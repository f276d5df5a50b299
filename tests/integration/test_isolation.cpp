// What one caller can do to another, or to everyone, through the real binary: a session is
// bound to the caller who opened it, event streams are capped per caller and end (at their
// lifetime, or when the client goes away) so their slots come back, unverified bearer tokens
// share their address's rate bucket, and the Sub-Account header is held to an id's shape.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <random>
#include <thread>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

header_list bearer(std::string const& token) { return {{"Authorization", "Bearer " + token}}; }

std::string stream_request(mcp_session const& session, std::string const& extra = {})
{
    return "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + session.session_id +
           "\r\nMCP-Protocol-Version: " + session.protocol_version + "\r\n" + extra + "\r\n";
}

std::string random_token()
{
    static std::mt19937_64 random{std::random_device{}()};
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (int i = 0; i < 43; ++i) out += alphabet[random() % 64];
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(caller_isolation)

BOOST_AUTO_TEST_CASE(another_callers_session_is_unknown_to_it_so_it_cannot_cancel_its_calls_or_set_its_level)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"}}});
    auto const alice = bearer("alice-token");
    auto const mallory = bearer("mallory-token");
    auto const session = mcp_session::open(server.port, "2025-11-25", alice);
    auto pending = std::async(std::launch::async, [&] {
        return session.post(json::parse(rpc(9, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 800}}}})),
                            alice);
    });
    BOOST_REQUIRE(server.process.wait_for_stderr("tool call started", 15s));
    // Alice's session id, someone else's credentials: as if the session did not exist.
    auto const cancel = session.post(json::parse(notification("notifications/cancelled", {{"requestId", 9}})), mallory);
    BOOST_TEST(cancel.status == 404);
    auto const level = session.post(json::parse(rpc(10, "logging/setLevel", {{"level", "emergency"}})), mallory);
    BOOST_TEST(level.status == 404);
    BOOST_TEST(level.json().at("error").at("message").as_string().starts_with("Session not found"));
    BOOST_TEST(session.post(json::parse(rpc(11, "ping")), mallory).status == 404);
    // Alice's call ran to its end, and her session still serves her.
    BOOST_TEST(pending.get().json().at("result").at("content").at(0).at("text") == "slept");
    BOOST_TEST(session.post(json::parse(rpc(12, "ping")), alice).status == 200);
}

BOOST_AUTO_TEST_CASE(event_streams_per_caller_are_capped_and_a_closed_one_frees_its_slot_at_once)
{
    http_server server({.env = {{"MCP_MAX_STREAMS_PER_CALLER", "2"}}});
    auto const session = mcp_session::open(server.port);
    auto first = std::make_unique<http_connection>(server.port);
    http_connection second(server.port);
    first->send_raw(stream_request(session));
    second.send_raw(stream_request(session));
    BOOST_TEST(first->read_response_header().status == 200);
    BOOST_TEST(second.read_response_header().status == 200);
    auto const third = http_request(server.port, "GET", "/mcp",
                                    {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session.session_id}});
    BOOST_TEST(third.status == 429);
    BOOST_TEST(third.header("Retry-After") == "5");
    BOOST_TEST(third.json().at("error").at("message").as_string().find("at most 2 event streams") != std::string::npos);
    // Another caller is not held back by this one's streams.
    auto const other = mcp_session::open(server.port, "2025-11-25", bearer("someone-else"));
    http_connection others(server.port);
    others.send_raw(stream_request(other, "Authorization: Bearer someone-else\r\n"));
    BOOST_TEST(others.read_response_header().status == 200);

    // The client goes away: its slot is free long before the next keep-alive (15 s) would show it.
    first.reset();
    auto const closed_at = std::chrono::steady_clock::now();
    int status = 0;
    while (status != 200 && std::chrono::steady_clock::now() - closed_at < 5s) {
        std::this_thread::sleep_for(20ms);
        http_connection again(server.port);
        again.send_raw(stream_request(session));
        status = again.read_response_header().status;
    }
    BOOST_TEST(status == 200);
}

BOOST_AUTO_TEST_CASE(an_event_stream_ends_at_its_maximum_lifetime)
{
    http_server server({.env = {{"MCP_STREAM_MAX_LIFETIME", "1s"}}});
    auto const session = mcp_session::open(server.port);
    http_connection stream(server.port);
    auto const opened = std::chrono::steady_clock::now();
    stream.send_raw(stream_request(session));
    BOOST_TEST(stream.read_response_header().status == 200);
    BOOST_TEST(stream.closed_by_peer(10s));
    bool const lived = std::chrono::steady_clock::now() - opened >= 900ms;
    BOOST_TEST(lived);
}

BOOST_AUTO_TEST_CASE(opening_event_streams_takes_from_the_callers_rate_bucket)
{
    http_server server({.env = {{"MCP_RATE_LIMIT", "0.001"}, {"MCP_RATE_LIMIT_BURST", "3"}}});
    auto const session = mcp_session::open(server.port);  // initialize + initialized: 2 of the 3
    http_connection stream(server.port);
    stream.send_raw(stream_request(session));
    BOOST_TEST(stream.read_response_header().status == 200);
    auto const limited = http_request(server.port, "GET", "/mcp",
                                      {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session.session_id}});
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(!limited.header("Retry-After").empty());
}

BOOST_AUTO_TEST_CASE(streams_holding_every_connection_never_stop_the_health_probe)
{
    http_server server({.env = {{"MCP_MAX_CONNECTIONS", "4"}, {"MCP_MAX_STREAMS_PER_CALLER", "100"}}});
    auto const session = mcp_session::open(server.port);
    std::vector<std::unique_ptr<http_connection>> streams;
    for (int i = 0; i < 4; ++i) {
        // The session's own connection is counted until the server has seen it close: a stream
        // opened before that meets the limit (503), so each is opened once a slot is free.
        bool const opened = eventually([&] {
            auto stream = std::make_unique<http_connection>(server.port);
            stream->send_raw(stream_request(session));
            if (stream->read_response_header().status != 200) return false;
            streams.push_back(std::move(stream));
            return true;
        });
        BOOST_TEST(opened, "stream " << i);
    }
    BOOST_TEST(http_request(server.port, "POST", "/mcp", mcp_post_headers(session.session_id), rpc(1, "ping")).status == 503);
    for (int i = 0; i < 5; ++i) BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(made_up_bearer_tokens_share_their_addresses_rate_bucket_so_justifi_sees_only_the_burst)
{
    // JUSTIFI_OAUTH_VALIDATION=none (the fixture's): nothing checks these tokens before JustiFi.
    mock_server mock;
    http_server server({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}, {"MCP_RATE_LIMIT", "0.001"}, {"MCP_RATE_LIMIT_BURST", "6"}},
                        .unset_env = {"MCP_AUTH", "JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET"}});
    int limited = 0;
    for (int i = 0; i < 30; ++i) {
        auto const token = bearer(random_token());
        auto headers = mcp_post_headers();
        headers.insert(headers.end(), token.begin(), token.end());
        auto const init = http_request(server.port, "POST", "/mcp", headers,
                                       rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                                             {"capabilities", json::object{}},
                                                             {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
        if (init.status == 429) {
            ++limited;
            continue;
        }
        auto call_headers = mcp_post_headers(init.header("Mcp-Session-Id"));
        call_headers.insert(call_headers.end(), token.begin(), token.end());
        call_headers.emplace_back("MCP-Protocol-Version", "2025-11-25");
        auto const call = http_request(server.port, "POST", "/mcp", call_headers,
                                       rpc(2, "tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}));
        if (call.status == 429) ++limited;
    }
    BOOST_TEST(limited >= 24);  // at most the burst's worth of tokens (two requests each) got through
    // The burst and no refill: 3 tool calls at most, each one JustiFi call (which refuses the token).
    BOOST_TEST(total_v1_requests(mock) <= 3, total_v1_requests(mock));
}

BOOST_AUTO_TEST_CASE(a_sub_account_header_that_is_not_an_id_is_refused_before_justifi_is_called)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    auto const call = json::parse(rpc(3, "tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}));
    for (std::string const& bad : {std::string("acc_../../v1/payouts"), std::string("acc_1, acc_2"), std::string(8000, 'a'),
                                  std::string("acc_\xe9t\xe9")}) {
        auto const res = session.post(call, {{"Sub-Account", bad}});
        BOOST_TEST(res.status == 400);
        BOOST_TEST(res.json().at("error").at("message").as_string().find("Sub-Account header must be a sub account id") !=
                   std::string::npos);
    }
    BOOST_TEST(total_v1_requests(mock) == 0);
    auto const accounts = session.call("tools/call", {{"name", "list_sub_accounts"}, {"arguments", json::object{}}}, 4);
    BOOST_REQUIRE_MESSAGE(accounts.as_object().contains("result"), json::serialize(accounts));
    auto const account = std::string(accounts.at("result").at("structuredContent").at("data").at(0).at("id").as_string());
    auto const scoped = session.post(call, {{"Sub-Account", account}});
    BOOST_TEST(scoped.status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
