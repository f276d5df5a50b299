// MCP 2026-07-28 over Streamable HTTP, through the real binary and the simulator: stateless
// requests on their own _meta, the mirrored headers, and the errors a modern client relies on
// to tell a modern server from a legacy one (-32602, -32020, -32022, 404 -32601), each with the
// request's id. Legacy sessions on the same endpoint are the other suites'.
#include "tests/support/fixtures.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <set>
#include <vector>
#include <thread>

#include <unistd.h>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

json::object modern_meta(std::string_view version = "2026-07-28")
{
    return {{"io.modelcontextprotocol/protocolVersion", version},
            {"io.modelcontextprotocol/clientCapabilities", json::object{}},
            {"io.modelcontextprotocol/clientInfo", json::object{{"name", "modern-test"}, {"version", "1.0"}}}};
}

std::string body(std::int64_t id, std::string_view method, json::object params)
{
    return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
}

// The headers a 2026-07-28 client sends: the standard ones mirror the body.
header_list modern_headers(std::string_view method, std::string_view name = {}, std::string_view version = "2026-07-28")
{
    auto headers = mcp_post_headers();
    headers.emplace_back("MCP-Protocol-Version", std::string(version));
    headers.emplace_back("Mcp-Method", std::string(method));
    if (!name.empty()) headers.emplace_back("Mcp-Name", std::string(name));
    return headers;
}

json::object call_params(std::string_view tool, json::object arguments = {}, json::object meta = modern_meta())
{
    return {{"name", tool}, {"arguments", std::move(arguments)}, {"_meta", std::move(meta)}};
}

// A POST as bytes, for a connection the test then holds open or closes mid-answer.
std::string raw_post(header_list const& headers, std::string const& text)
{
    std::string out = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (auto const& [name, value] : headers) out += name + ": " + value + "\r\n";
    return out + "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

// Polls what `read` returns until `wanted` holds (a bounded wait for the server's own pace,
// not a timing assertion).
template <class Read, class Wanted>
auto poll_until(Read read, Wanted wanted)
{
    auto value = read();
    for (int i = 0; i < 300 && !wanted(value); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        value = read();
    }
    return value;
}

bool has_line(std::string const& text, std::string const& line) { return text.find(line + "\n") != std::string::npos; }

json::object error_of(http_response const& res, std::int64_t id)
{
    auto const answer = res.json().as_object();
    BOOST_TEST(answer.at("id").as_int64() == id);  // every error echoes the id it could read
    return answer.at("error").as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(modern_http)

BOOST_AUTO_TEST_CASE(discover_then_list_and_call_with_no_session_at_all)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const discovered =
        http_request(server.port, "POST", "/mcp", modern_headers("server/discover"),
                     body(1, "server/discover", {{"_meta", modern_meta()}}));
    BOOST_TEST(discovered.status == 200);
    BOOST_TEST(discovered.header("Mcp-Session-Id").empty());
    auto const result = discovered.json().at("result").as_object();
    BOOST_TEST(result.at("resultType").as_string() == "complete");
    BOOST_TEST(result.at("supportedVersions") == json::parse(R"(["2026-07-28"])"));
    BOOST_TEST(result.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name").as_string() == "justifi-mcp");
    BOOST_TEST(result.at("cacheScope").as_string() == "public");

    auto const listed = http_request(server.port, "POST", "/mcp", modern_headers("tools/list"),
                                     body(2, "tools/list", {{"_meta", modern_meta()}}));
    BOOST_TEST(listed.status == 200);
    auto const list = listed.json().at("result").as_object();
    BOOST_TEST(list.at("tools").as_array().size() > 40u);
    BOOST_TEST(list.at("ttlMs").is_int64());
    BOOST_TEST(list.at("resultType").as_string() == "complete");

    // A stray session id from an earlier life is ignored, not refused.
    auto headers = modern_headers("tools/call", "list_payments");
    headers.emplace_back("Mcp-Session-Id", "not-a-session-of-ours");
    auto const called = http_request(server.port, "POST", "/mcp", headers,
                                     body(3, "tools/call", call_params("list_payments", {{"limit", 2}})));
    BOOST_TEST(called.status == 200, called.body);
    auto const call = called.json().at("result").as_object();
    BOOST_TEST(call.at("resultType").as_string() == "complete");
    BOOST_TEST(!is_error(call));
    BOOST_TEST(call.at("structuredContent").at("data").as_array().size() == 2u);
    BOOST_TEST(call.at("_meta").at("io.modelcontextprotocol/serverInfo").at("version").is_string());
}

BOOST_AUTO_TEST_CASE(a_modern_header_without_meta_is_32602_and_versions_are_judged_after_the_header)
{
    http_server server(child_options{});
    // The conformance suite's three "missing" cases.
    for (auto const* text : {R"({})", R"({"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}})",
                             R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}})"}) {
        auto const params = json::parse(text).as_object();
        auto const res = http_request(server.port, "POST", "/mcp", modern_headers("server/discover"),
                                      body(11, "server/discover", params));
        BOOST_TEST(res.status == 400, text << ": " << res.body);
        BOOST_TEST(error_of(res, 11).at("code").as_int64() == -32602, text);
    }
    // Header 2026-07-28, body v999: the mismatch ranks first.
    auto const mismatched = http_request(server.port, "POST", "/mcp", modern_headers("server/discover"),
                                         body(12, "server/discover", {{"_meta", modern_meta("v999.0.0")}}));
    BOOST_TEST(mismatched.status == 400);
    BOOST_TEST(error_of(mismatched, 12).at("code").as_int64() == -32020);
    // Both v999: unsupported, with what is.
    auto const unsupported =
        http_request(server.port, "POST", "/mcp", modern_headers("server/discover", {}, "v999.0.0"),
                     body(13, "server/discover", {{"_meta", modern_meta("v999.0.0")}}));
    BOOST_TEST(unsupported.status == 400);
    auto const error = error_of(unsupported, 13);
    BOOST_TEST(error.at("code").as_int64() == -32022);
    BOOST_TEST(error.at("data") == json::parse(R"({"supported":["2026-07-28"],"requested":"v999.0.0"})"));
}

BOOST_AUTO_TEST_CASE(mirrored_headers_that_are_missing_or_differ_are_32020)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const params = call_params("list_payments", {{"limit", 1}});
    struct case_t {
        char const* why;
        header_list headers;
    };
    auto without = [](header_list headers, std::string const& name) {
        std::erase_if(headers, [&](auto const& h) { return h.first == name; });
        return headers;
    };
    for (auto const& c : std::initializer_list<case_t>{
             {"no MCP-Protocol-Version", without(modern_headers("tools/call", "list_payments"), "MCP-Protocol-Version")},
             {"no Mcp-Method", without(modern_headers("tools/call", "list_payments"), "Mcp-Method")},
             {"Mcp-Method in capitals", modern_headers("TOOLS/CALL", "list_payments")},
             {"no Mcp-Name", modern_headers("tools/call")},
             {"another Mcp-Name", modern_headers("tools/call", "get_payment")},
         }) {
        auto const res = http_request(server.port, "POST", "/mcp", c.headers, body(21, "tools/call", params));
        BOOST_TEST(res.status == 400, c.why << ": " << res.body);
        BOOST_TEST(error_of(res, 21).at("code").as_int64() == -32020, c.why);
    }
    // The Base64 sentinel form of the same name is the same name.
    auto const encoded = http_request(server.port, "POST", "/mcp", modern_headers("tools/call", "=?base64?bGlzdF9wYXltZW50cw==?="),
                                      body(22, "tools/call", params));
    BOOST_TEST(encoded.status == 200, encoded.body);
}

BOOST_AUTO_TEST_CASE(the_sub_account_argument_must_match_mcp_param_sub_account)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const params = call_params("list_payments", {{"limit", 1}, {"sub_account_id", "acc_123"}});
    auto matching = modern_headers("tools/call", "list_payments");
    matching.emplace_back("Mcp-Param-Sub-Account", "acc_123");
    auto const ok = http_request(server.port, "POST", "/mcp", matching, body(31, "tools/call", params));
    BOOST_TEST(ok.status == 200, ok.body);
    auto other = modern_headers("tools/call", "list_payments");
    other.emplace_back("Mcp-Param-Sub-Account", "acc_456");
    auto const refused = http_request(server.port, "POST", "/mcp", other, body(32, "tools/call", params));
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(error_of(refused, 32).at("code").as_int64() == -32020);
    auto const missing = http_request(server.port, "POST", "/mcp", modern_headers("tools/call", "list_payments"),
                                      body(33, "tools/call", params));
    BOOST_TEST(missing.status == 400);
    BOOST_TEST(error_of(missing, 33).at("code").as_int64() == -32020);
}

BOOST_AUTO_TEST_CASE(methods_the_modern_era_removed_are_404_and_notifications_202)
{
    http_server server(child_options{});
    for (auto const* method : {"initialize", "ping", "logging/setLevel", "no/such/method"}) {
        json::object params{{"_meta", modern_meta()}};
        if (std::string_view(method) == "initialize") params["protocolVersion"] = "2026-07-28";
        auto const res = http_request(server.port, "POST", "/mcp", modern_headers(method), body(41, method, params));
        BOOST_TEST(res.status == 404, method << ": " << res.body);
        BOOST_TEST(error_of(res, 41).at("code").as_int64() == -32601, method);
    }
    auto const note = json::serialize(json::object{
        {"jsonrpc", "2.0"}, {"method", "notifications/cancelled"},
        {"params", json::object{{"requestId", 1}, {"_meta", modern_meta()}}}});
    BOOST_TEST(http_request(server.port, "POST", "/mcp", modern_headers("notifications/cancelled"), note).status == 202);
}

BOOST_AUTO_TEST_CASE(a_legacy_session_still_works_beside_modern_requests)
{
    http_server server(child_options{});
    auto const session = mcp_session::open(server.port);
    auto const legacy = session.call("tools/list", json::object{}, 1);
    BOOST_TEST(!legacy.as_object().at("result").as_object().contains("resultType"));
    auto const modern = http_request(server.port, "POST", "/mcp", modern_headers("tools/list"),
                                     body(2, "tools/list", {{"_meta", modern_meta()}}));
    BOOST_TEST(modern.status == 200);
    BOOST_TEST(session.call("ping", json::object{}, 3).as_object().contains("result"));
}

BOOST_AUTO_TEST_CASE(a_subscription_holds_a_stream_slot_until_the_client_goes_and_ends_gracefully_with_its_lifetime)
{
    http_server server({.env = {{"LOG_LEVEL", "debug"},
                                {"MCP_MAX_STREAMS_PER_CALLER", "1"},
                                {"MCP_STREAM_MAX_LIFETIME", "2s"}}});
    auto const listen_body = [](std::int64_t id) {
        return body(id, "subscriptions/listen", {{"_meta", modern_meta()}, {"notifications", {{"toolsListChanged", true}}}});
    };
    {
        http_connection held(server.port);
        held.send_raw(raw_post(modern_headers("subscriptions/listen"), listen_body(1)));
        auto const head = held.read_response_header();
        BOOST_TEST(head.status == 200);
        BOOST_TEST(head.header("Content-Type") == "text/event-stream");
        // The caller's one stream slot is taken while it is open.
        auto const second = http_request(server.port, "POST", "/mcp", modern_headers("subscriptions/listen"), listen_body(2));
        BOOST_TEST(second.status == 429, second.body);
        BOOST_TEST(error_of(second, 2).at("code").as_int64() == -32000);
    }
    // The client went: the server sees the socket close and frees the slot.
    BOOST_REQUIRE(server.process.wait_for_stderr("subscription closed", 15s));
    // Held to its lifetime, the stream ends the spec's graceful way.
    auto const ended = http_request(server.port, "POST", "/mcp", modern_headers("subscriptions/listen"), listen_body(3));
    BOOST_TEST(ended.status == 200, ended.body);
    auto const events = sse_messages(ended.body);
    BOOST_REQUIRE(events.size() == 3u);
    BOOST_TEST(events[0].at("method") == "notifications/subscriptions/acknowledged");
    BOOST_TEST(events[0].at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == 3);
    BOOST_TEST(events[0].at("params").at("notifications") == json::object{});
    BOOST_TEST(events[1].at("method") == "notifications/cancelled");
    BOOST_TEST(events[1].at("params").at("requestId") == 3);
    BOOST_TEST(events[2].at("id") == 3);
    BOOST_TEST(events[2].at("result").at("resultType") == "complete");
    BOOST_TEST(events[2].at("result").at("_meta").at("io.modelcontextprotocol/subscriptionId") == 3);
    // A filter of the wrong shape is refused before any stream opens.
    auto const bad = http_request(server.port, "POST", "/mcp", modern_headers("subscriptions/listen"),
                                  body(4, "subscriptions/listen", {{"_meta", modern_meta()}}));
    BOOST_TEST(bad.status == 400, bad.body);
    BOOST_TEST(error_of(bad, 4).at("code").as_int64() == -32602);
}

BOOST_AUTO_TEST_CASE(closing_a_calls_stream_cancels_a_read_at_once_and_lets_a_write_reach_justifis_answer)
{
    mock_server mock;
    http_server server(against(mock, {.env = {{"MCP_AUTH", "none"}}}), product_binary);
    auto const accounts = http_request(server.port, "POST", "/mcp", modern_headers("tools/call", "list_sub_accounts"),
                                       body(1, "tools/call", call_params("list_sub_accounts")));
    BOOST_REQUIRE_MESSAGE(accounts.status == 200, accounts.body);
    auto const account =
        std::string(accounts.json().at("result").at("structuredContent").at("data").at(0).at("id").as_string());
    mock.set_faults({{"latency_ms", 3000}});
    auto const metrics = [&] { return http_request(server.port, "GET", "/metrics").body; };

    // A read: the client goes while JustiFi is still answering; the call ends without the answer.
    {
        http_connection client(server.port);
        client.send_raw(raw_post(modern_headers("tools/call", "list_payments"),
                                 body(2, "tools/call", call_params("list_payments", {{"limit", 2}}))));
        poll_until([&] { return mock.requests_to("GET /v1/payments"); }, [](auto n) { return n >= 1; });
    }
    auto const after_read = poll_until(metrics, [](std::string const& m) {
        return has_line(m, R"(justifi_mcp_tool_calls_total{tool="list_payments",outcome="cancelled"} 1)");
    });
    BOOST_TEST(has_line(after_read, R"(justifi_mcp_tool_calls_total{tool="list_payments",outcome="cancelled"} 1)"), after_read);
    BOOST_TEST(has_line(after_read, R"(justifi_mcp_upstream_requests_total{status="0"} 1)"), after_read);  // cut off

    // A write: already at JustiFi when the client goes, so it runs to JustiFi's answer, which is dropped.
    {
        auto arguments = json::object{{"amount", 1234},
                                      {"currency", "usd"},
                                      {"capture_strategy", "automatic"},
                                      {"description", "stream-closed-" + std::to_string(::getpid())},
                                      {"payment_method", {{"token", "pm_test_visa"}}},
                                      {"sub_account_id", account}};
        auto headers = modern_headers("tools/call", "create_payment");
        headers.emplace_back("Mcp-Param-Sub-Account", account);
        http_connection client(server.port);
        client.send_raw(raw_post(headers, body(3, "tools/call", call_params("create_payment", arguments))));
        poll_until([&] { return mock.requests_to("POST /v1/payments"); }, [](auto n) { return n >= 1; });
    }
    auto const after_write = poll_until(metrics, [](std::string const& m) {
        return has_line(m, R"(justifi_mcp_tool_calls_total{tool="create_payment",outcome="cancelled"} 1)");
    });
    BOOST_TEST(has_line(after_write, R"(justifi_mcp_tool_calls_total{tool="create_payment",outcome="cancelled"} 1)"), after_write);
    BOOST_TEST(has_line(after_write, R"(justifi_mcp_upstream_requests_total{status="201"} 1)"), after_write);
    BOOST_TEST(has_line(after_write, R"(justifi_mcp_upstream_requests_total{status="0"} 1)"));  // still only the read
    BOOST_TEST(server.process.stderr_text().find("client closed the request's stream") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(many_calls_whose_clients_go_at_once_leave_the_server_serving)
{
    // Rounds of 48 tools/call sent and dropped at once: each cancellation can reach a call while it
    // waits for the shared token on the cache's strand (a Boost 1.81 co_spawn use-after-free
    // crashed the server there when a load generator stopped). Bounded: 15 rounds.
    mock_server mock;
    http_server server(against(mock, {.env = {{"MCP_AUTH", "none"}, {"MCP_RATE_LIMIT", "0"}}}), product_binary);
    auto const request = raw_post(modern_headers("tools/call", "list_payments"),
                                  body(9, "tools/call", call_params("list_payments", {{"limit", 25}})));
    for (int round = 0; round < 15; ++round) {
        std::vector<std::unique_ptr<http_connection>> clients;
        for (int i = 0; i < 48; ++i) {
            clients.push_back(std::make_unique<http_connection>(server.port));
            clients.back()->send_raw(request);
        }
        if (round % 2) std::this_thread::sleep_for(std::chrono::milliseconds(round));  // some reach JustiFi first
    }
    // Time for the last cancellations to land (a crash would show as refused connections below).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto const after = http_request(server.port, "POST", "/mcp", modern_headers("tools/call", "list_payments"),
                                    body(10, "tools/call", call_params("list_payments", {{"limit", 1}})));
    BOOST_TEST(after.status == 200, after.body);
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(a_callers_trace_reaches_every_log_line_of_its_request_and_justifi_as_a_child)
{
    mock_server mock;
    http_server server(against(mock, {.env = {{"LOG_LEVEL", "debug"}}}), product_binary);
    std::string const trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    std::string const caller_span = "00f067aa0ba902b7";
    // _meta's traceparent wins over the header's (another trace), and its tracestate travels with it.
    auto meta = modern_meta();
    meta["traceparent"] = "00-" + trace_id + "-" + caller_span + "-01";
    meta["tracestate"] = "caller=7";
    auto headers = modern_headers("tools/call", "list_payments");
    headers.emplace_back("traceparent", "00-11111111111111111111111111111111-2222222222222222-01");
    auto const called = http_request(server.port, "POST", "/mcp", headers,
                                     body(1, "tools/call", call_params("list_payments", {{"limit", 1}}, meta)));
    BOOST_TEST(called.status == 200, called.body);
    auto const request_id = called.header("X-Request-Id");
    BOOST_REQUIRE(!request_id.empty());

    // JustiFi saw the same trace, from a span of ours (a new parent id), sampled as the caller said.
    auto const seen = mock.stats().at("recent_traceparents").as_array();
    BOOST_REQUIRE(seen.size() == 1u);
    auto const sent = std::string(seen[0].as_string());
    BOOST_TEST(sent.size() == 55u);
    BOOST_TEST(sent.starts_with("00-" + trace_id + "-"));
    BOOST_TEST(sent.ends_with("-01"));
    BOOST_TEST(sent.substr(36, 16) != caller_span);

    // Every line of the request names the trace: the tool call's and the access log's.
    // The access log line is written once the answer is out: wait for it (for the server's pace).
    BOOST_TEST(server.process.wait_for_stderr("\"message\":\"request\",\"request_id\":\"" + request_id + "\"", 10s));
    auto const log = server.process.stderr_text();
    int lines_of_request = 0;
    std::set<std::string> messages;
    for (std::size_t start = 0, end; (end = log.find('\n', start)) != std::string::npos; start = end + 1) {
        auto const line = log.substr(start, end - start);
        if (line.find("\"request_id\":\"" + request_id + "\"") == std::string::npos) continue;
        ++lines_of_request;
        BOOST_TEST(line.find("\"trace_id\":\"" + trace_id + "\"") != std::string::npos, line);
        messages.insert(std::string(json::parse(line).at("message").as_string()));
    }
    BOOST_TEST(lines_of_request >= 3);
    BOOST_TEST(messages.contains("tool call started"));
    BOOST_TEST(messages.contains("tool call ended"));
    BOOST_TEST(messages.contains("request"));

    // Without _meta, the W3C header is the trace (here a legacy session's call).
    mock.reset_stats();
    auto const session = mcp_session::open(server.port);
    std::string const header_trace = "0af7651916cd43dd8448eb211c80319c";
    auto const legacy = session.call("tools/call", json::object{{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}, 2,
                                     {{"traceparent", "00-" + header_trace + "-b7ad6b7169203331-00"}});
    BOOST_TEST(!is_error(legacy.at("result").as_object()));
    auto const from_header = mock.stats().at("recent_traceparents").as_array();
    BOOST_REQUIRE(from_header.size() == 1u);
    BOOST_TEST(std::string(from_header[0].as_string()).starts_with("00-" + header_trace + "-"));
    BOOST_TEST(std::string(from_header[0].as_string()).ends_with("-00"));
    // No trace sent, none invented.
    mock.reset_stats();
    session.call("tools/call", json::object{{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}, 3);
    BOOST_TEST(mock.stats().at("recent_traceparents").as_array().empty());
}

BOOST_AUTO_TEST_SUITE_END()
