// The Streamable HTTP transport through the real binary over loopback sockets.
#include "tests/support/fixtures.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

json::value initialize_body(std::string const& version = "2025-11-25")
{
    return json::parse(rpc(1, "initialize", {{"protocolVersion", version},
                                             {"capabilities", json::object{}},
                                             {"clientInfo", {{"name", "http-test"}, {"version", "1"}}}}));
}

http_response post_raw(std::uint16_t port, header_list const& headers, std::string const& body,
                       std::string const& target = "/mcp")
{
    return http_request(port, "POST", target, headers, body);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http)

BOOST_AUTO_TEST_CASE(the_test_client_gives_up_on_a_peer_that_never_answers)
{
    // Every suite's waits rely on this: Asio's blocking reads ignore SO_RCVTIMEO, so the client's
    // deadline must hold against a listener that accepts and stays silent.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto const started = std::chrono::steady_clock::now();
    http_connection connection(silent.local_endpoint().port(), 300ms);  // the kernel completes the handshake
    connection.send_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    BOOST_CHECK_EXCEPTION(connection.read_response(), std::runtime_error, [](std::runtime_error const& e) {
        return std::string(e.what()).find("timed out after 300 ms") != std::string::npos;
    });
    BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
    // The timeout closed the socket on our side: that is not the peer closing it.
    BOOST_TEST(!connection.closed_by_peer(200ms));
}

BOOST_AUTO_TEST_CASE(health_answers_ok_to_get_and_head_without_auth)
{
    http_server server;
    auto const get = http_request(server.port, "GET", "/health");
    BOOST_TEST(get.status == 200);
    BOOST_TEST(get.body == "OK");
    BOOST_TEST(get.header("Content-Type") == "text/plain");
    http_connection connection(server.port);
    auto const head = connection.request("HEAD", "/health");
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.body.empty());
}

BOOST_AUTO_TEST_CASE(routing_tells_unknown_paths_from_wrong_methods)
{
    http_server server;
    BOOST_TEST(http_request(server.port, "GET", "/nope").status == 404);
    auto const put = http_request(server.port, "PUT", "/mcp", {}, "x");
    BOOST_TEST(put.status == 405);
    BOOST_TEST(put.header("Allow") == "GET, POST, OPTIONS");
    auto const post_health = http_request(server.port, "POST", "/health", {}, "x");
    BOOST_TEST(post_health.status == 405);
    BOOST_TEST(post_health.header("Allow") == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(initialize_at_root_and_at_mcp_returns_a_session)
{
    http_server server;
    for (std::string target : {"/", "/mcp", "/mcp?x=1"}) {
        auto const res = post_raw(server.port, mcp_post_headers(), json::serialize(initialize_body()), target);
        BOOST_TEST(res.status == 200, target);
        BOOST_TEST(res.header("Content-Type") == "application/json");
        auto const session = res.header("Mcp-Session-Id");
        BOOST_TEST(!session.empty());
        BOOST_TEST(std::all_of(session.begin(), session.end(), [](char c) { return c >= 0x21 && c <= 0x7e; }));
        BOOST_TEST(res.json().at("result").at("protocolVersion") == "2025-11-25");
    }
}

BOOST_AUTO_TEST_CASE(older_supported_versions_are_negotiated_and_their_header_accepted)
{
    http_server server;
    for (std::string version : {"2025-06-18", "2025-03-26"}) {
        auto const session = mcp_session::open(server.port, version);
        BOOST_TEST(session.protocol_version == version);
        BOOST_TEST(session.call("ping").at("result") == json::object{});
    }
    auto const res = post_raw(server.port, mcp_post_headers(), json::serialize(initialize_body("2030-01-01")));
    BOOST_TEST(res.json().at("result").at("protocolVersion") == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(requests_are_checked_with_the_reference_sdks_status_codes)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    auto const ping = rpc(2, "ping");

    auto wrong_accept = mcp_post_headers(session.session_id);
    wrong_accept[1].second = "application/json";
    BOOST_TEST(post_raw(server.port, wrong_accept, ping).status == 406);

    auto wrong_type = mcp_post_headers(session.session_id);
    wrong_type[0].second = "text/plain";
    BOOST_TEST(post_raw(server.port, wrong_type, ping).status == 415);

    auto const bad_json = post_raw(server.port, mcp_post_headers(session.session_id), "{\"jsonrpc\":");
    BOOST_TEST(bad_json.status == 400);
    BOOST_TEST(bad_json.json().at("error").at("code") == -32700);

    auto const batch = post_raw(server.port, mcp_post_headers(session.session_id), "[" + ping + "]");
    BOOST_TEST(batch.status == 400);
    BOOST_TEST(batch.json().at("error").at("code") == -32600);

    auto bad_version = mcp_post_headers(session.session_id);
    bad_version.emplace_back("MCP-Protocol-Version", "2023-01-01");
    auto const version_res = post_raw(server.port, bad_version, ping);
    BOOST_TEST(version_res.status == 400);
    BOOST_TEST(version_res.body.find("2023-01-01") != std::string::npos);

    BOOST_TEST(post_raw(server.port, mcp_post_headers(), ping).status == 400);  // no session
    auto const forged = post_raw(server.port, mcp_post_headers(session.session_id + "x"), ping);
    BOOST_TEST(forged.status == 404);
    BOOST_TEST(post_raw(server.port, mcp_post_headers("not-a-session"), ping).status == 404);

    auto const big = post_raw(server.port, mcp_post_headers(session.session_id), std::string(1024 * 1024 + 1, ' '));
    BOOST_TEST(big.status == 413);
}

BOOST_AUTO_TEST_CASE(session_from_one_replica_is_accepted_by_another_with_the_same_secret)
{
    std::string const secret(40, 'k');
    http_server a({.env = {{"MCP_SESSION_SECRET", secret}}});
    http_server b({.env = {{"MCP_SESSION_SECRET", secret}}});
    http_server other({.env = {{"MCP_SESSION_SECRET", std::string(40, 'z')}}});
    auto session = mcp_session::open(a.port);
    session.port = b.port;
    BOOST_TEST(session.call("ping").at("result") == json::object{});
    session.port = other.port;
    BOOST_TEST(session.post(json::parse(rpc(3, "ping"))).status == 404);
}

BOOST_AUTO_TEST_CASE(dns_rebinding_is_refused_with_403)
{
    http_server server;
    auto headers = mcp_post_headers();
    auto const body = json::serialize(initialize_body());

    auto evil_origin = headers;
    evil_origin.emplace_back("Origin", "http://evil.example.com");
    BOOST_TEST(post_raw(server.port, evil_origin, body).status == 403);

    auto evil_host = headers;
    evil_host.emplace_back("Host", "evil.example.com");
    BOOST_TEST(post_raw(server.port, evil_host, body).status == 403);

    auto local_origin = headers;
    local_origin.emplace_back("Origin", "http://localhost:6274");  // MCP Inspector
    local_origin.emplace_back("Host", "localhost:" + std::to_string(server.port));
    BOOST_TEST(post_raw(server.port, local_origin, body).status == 200);
}

BOOST_AUTO_TEST_CASE(configured_origins_and_hosts_are_allowed)
{
    http_server server({.env = {{"MCP_ALLOWED_ORIGINS", "https://app.example.com"},
                                {"MCP_ALLOWED_HOSTS", "mcp.example.com,localhost"}}});
    auto headers = mcp_post_headers();
    headers.emplace_back("Origin", "https://app.example.com");
    headers.emplace_back("Host", "mcp.example.com");
    auto const body = json::serialize(initialize_body());
    BOOST_TEST(post_raw(server.port, headers, body).status == 200);
    headers[2].second = "http://localhost:3000";  // no longer allowed once a list is configured
    BOOST_TEST(post_raw(server.port, headers, body).status == 403);
}

BOOST_AUTO_TEST_CASE(notifications_get_202_with_no_body)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    auto const res = session.post(json::parse(notification("notifications/initialized")));
    BOOST_TEST(res.status == 202);
    BOOST_TEST(res.body.empty());
}

BOOST_AUTO_TEST_CASE(tools_call_without_notifications_answers_json)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    auto const res = session.post(json::parse(rpc(5, "tools/call", {{"name", "test_echo"}, {"arguments", {{"text", "hi"}}}})));
    BOOST_TEST(res.status == 200);
    BOOST_TEST(res.header("Content-Type") == "application/json");
    BOOST_TEST(res.json().at("result").at("structuredContent").at("arguments").at("text") == "hi");
    auto const list = session.call("tools/list").at("result").at("tools").as_array();
    // The five test tools and the conformance suite's 22 fixtures.
    BOOST_TEST(list.size() == 27u);
    for (auto const& tool : list) BOOST_TEST(tool.at("inputSchema").at("type") == "object");
}

BOOST_AUTO_TEST_CASE(tools_call_with_progress_streams_sse_then_the_result)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    auto const res = session.post(json::parse(rpc(6, "tools/call", {{"name", "test_progress"},
                                                                     {"arguments", {{"steps", 3}}},
                                                                     {"_meta", {{"progressToken", 42}}}})));
    BOOST_TEST(res.status == 200);
    BOOST_TEST(res.header("Content-Type") == "text/event-stream");
    BOOST_TEST(res.header("Cache-Control") == "no-cache");
    BOOST_TEST(res.header("X-Accel-Buffering") == "no");
    auto const messages = sse_messages(res.body);
    BOOST_REQUIRE(messages.size() == 7u);  // 3 log messages, 3 progress, the result
    std::size_t progress = 0;
    for (std::size_t i = 0; i + 1 < messages.size(); ++i) {
        if (messages[i].at("method") == "notifications/progress") {
            ++progress;
            BOOST_TEST(messages[i].at("params").at("progressToken") == 42);
        }
    }
    BOOST_TEST(progress == 3u);
    BOOST_TEST(messages.back().at("id") == 6);
    BOOST_TEST(messages.back().at("result").at("content").at(0).at("text") == "done after 3 steps");
}

BOOST_AUTO_TEST_CASE(log_level_set_in_a_session_applies_to_its_calls)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    BOOST_TEST(session.call("logging/setLevel", {{"level", "debug"}}).at("result") == json::object{});
    BOOST_TEST(session.call("logging/setLevel", {{"level", "loud"}}).at("error").at("code") == -32602);
    auto const res = session.post(json::parse(rpc(8, "tools/call", {{"name", "test_progress"}, {"arguments", {{"steps", 1}}}})));
    auto const messages = sse_messages(res.body);
    BOOST_REQUIRE(messages.size() == 3u);  // info, debug, result
    BOOST_TEST(messages[1].at("params").at("level") == "debug");
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    http_connection connection(server.port);
    for (int i = 0; i < 20; ++i) {
        auto headers = mcp_post_headers(session.session_id);
        auto const res = connection.request("POST", "/mcp", headers, rpc(100 + i, "ping"));
        BOOST_TEST(res.status == 200);
        BOOST_TEST(res.keep_alive);
        BOOST_TEST(res.json().at("id") == 100 + i);
    }
}

BOOST_AUTO_TEST_CASE(get_opens_a_server_stream_only_with_a_session_and_sse_accept)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    BOOST_TEST(http_request(server.port, "GET", "/mcp", {{"Accept", "text/event-stream"}}).status == 400);
    BOOST_TEST(http_request(server.port, "GET", "/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", session.session_id}})
                   .status == 406);
    http_connection stream(server.port);
    stream.send_raw("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: " +
                    session.session_id + "\r\n\r\n");
    auto const head = stream.read_response_header();
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.header("Content-Type") == "text/event-stream");
    // A second stream for the same session is fine, and so is POSTing meanwhile.
    BOOST_TEST(session.call("ping").at("result") == json::object{});
}

BOOST_AUTO_TEST_CASE(delete_is_405_because_sessions_expire_on_their_own)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    auto const res = http_request(server.port, "DELETE", "/mcp", {{"Mcp-Session-Id", session.session_id}});
    BOOST_TEST(res.status == 405);
    BOOST_TEST(res.header("Allow") == "GET, POST, OPTIONS");
    BOOST_TEST(res.body.find("expire") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cancelled_notification_cancels_the_call_running_on_another_connection)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"}}});
    auto const session = mcp_session::open(server.port);
    auto pending = std::async(std::launch::async, [&] {
        return session.post(json::parse(rpc(9, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 60000}}}})));
    });
    BOOST_REQUIRE(server.process.wait_for_stderr("tool call started", 15s));
    auto const ack = session.post(json::parse(notification("notifications/cancelled", {{"requestId", 9}})));
    BOOST_TEST(ack.status == 202);
    auto const cancelled = pending.get();  // the client's 15 s socket deadline fails this if nothing was cancelled
    BOOST_TEST(cancelled.status == 200);
    BOOST_TEST(cancelled.header("Content-Type") == "text/event-stream");
    BOOST_TEST(sse_messages(cancelled.body).empty());
}

BOOST_AUTO_TEST_CASE(another_sessions_cancellation_does_not_reach_the_call)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"}}});
    auto const owner = mcp_session::open(server.port);
    auto const stranger = mcp_session::open(server.port);
    auto pending = std::async(std::launch::async, [&] {
        return owner.post(json::parse(rpc(9, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 800}}}})));
    });
    BOOST_REQUIRE(server.process.wait_for_stderr("tool call started", 15s));
    stranger.post(json::parse(notification("notifications/cancelled", {{"requestId", 9}})));
    auto const res = pending.get();
    BOOST_TEST(res.json().at("result").at("content").at(0).at("text") == "slept");
}

BOOST_AUTO_TEST_CASE(concurrent_clients_are_served_in_parallel)
{
    http_server server;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 16; ++i)
        clients.emplace_back([&, i] {
            auto const session = mcp_session::open(server.port);
            auto const result = session.call("tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 200}}}}, i);
            if (result.at("result").at("content").at(0).at("text") == "slept") ++ok;
        });
    for (auto& t : clients) t.join();
    BOOST_TEST(ok.load() == 16);
}

BOOST_AUTO_TEST_CASE(slow_headers_are_cut_at_the_header_deadline)
{
    http_server server({.env = {{"MCP_HEADER_TIMEOUT", "300ms"}}});
    http_connection slow(server.port);
    slow.send_raw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // and never the rest
    BOOST_TEST(slow.closed_by_peer(10s));
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_are_closed_at_the_idle_deadline)
{
    http_server server({.env = {{"MCP_IDLE_TIMEOUT", "300ms"}}});
    http_connection idle(server.port);
    BOOST_TEST(idle.request("GET", "/health").status == 200);
    BOOST_TEST(idle.closed_by_peer(10s));
}

BOOST_AUTO_TEST_CASE(connections_over_the_cap_get_503_but_the_health_probe_is_still_answered)
{
    http_server server({.env = {{"MCP_MAX_CONNECTIONS", "2"}}});
    http_connection first(server.port), second(server.port);
    BOOST_TEST(first.request("GET", "/health").status == 200);
    BOOST_TEST(second.request("GET", "/health").status == 200);
    auto const third = post_raw(server.port, mcp_post_headers(), json::serialize(initialize_body()));
    BOOST_TEST(third.status == 503);
    BOOST_TEST(third.header("Retry-After") == "1");
    // The load balancer must not take a full task for a dead one: its probe has spare slots.
    for (int i = 0; i < 3; ++i) {
        auto const probe = http_request(server.port, "GET", "/health");
        BOOST_TEST(probe.status == 200);
        BOOST_TEST(probe.header("Connection") == "close");
    }
    BOOST_TEST(http_request(server.port, "HEAD", "/health").status == 200);
    BOOST_TEST(http_request(server.port, "GET", "/.well-known/oauth-protected-resource").status == 503);
}

BOOST_AUTO_TEST_CASE(malformed_authorization_gets_401_with_a_bearer_challenge)
{
    http_server server;
    auto headers = mcp_post_headers();
    headers.emplace_back("Authorization", "Basic dXNlcjpwYXNz");
    auto const res = post_raw(server.port, headers, json::serialize(initialize_body()));
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate") ==
               "Bearer error=\"invalid_request\", resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource\", "
               "error_description=\"Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'\"");
}

BOOST_AUTO_TEST_CASE(bearer_token_reaches_the_tool_as_the_requests_auth_context)
{
    // MCP_AUTH=none with no configured credentials: a request without any stays anonymous.
    mock_server mock({"--extra-clients", "client-123:s3cr3t"});
    http_server server({.env = {{"MCP_AUTH", "none"}, {"JUSTIFI_BASE_URL", mock.base_url()}},
                        .unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET"}});
    header_list bearer{{"Authorization", "Bearer abc.def.ghi"}};
    auto const session = mcp_session::open(server.port, "2025-11-25", bearer);
    auto const as_bearer = session.call("tools/call", {{"name", "test_echo"}}, 1, bearer);
    BOOST_TEST(as_bearer.at("result").at("structuredContent").at("principal").as_string().starts_with("bearer:"));
    header_list const client{{"X-Client-Id", "client-123"}, {"X-Client-Secret", "s3cr3t"}};
    auto const developer = mcp_session::open(server.port, "2025-11-25", client);
    auto const as_client = developer.call("tools/call", {{"name", "test_echo"}}, 2, client);
    BOOST_TEST(as_client.at("result").at("structuredContent").at("principal") == "client:client-123");
    // The context is per request: a call without credentials is anonymous.
    auto const nobody = mcp_session::open(server.port);
    auto const anonymous = nobody.call("tools/call", {{"name", "test_echo"}}, 3);
    BOOST_TEST(anonymous.at("result").at("structuredContent").at("principal") == "anonymous");
}

BOOST_AUTO_TEST_SUITE_END()
