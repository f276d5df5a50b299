// The stdio transport through the real binary and real pipes.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string const initialize_line =
    rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                          {"capabilities", json::object{}},
                          {"clientInfo", {{"name", "stdio-test"}, {"version", "1"}}}}) + "\n";

json::object next_message(child_process& process, std::chrono::milliseconds timeout = 15s)
{
    auto const line = process.read_stdout_line(timeout);
    BOOST_REQUIRE_MESSAGE(line, "no message on stdout; stderr:\n" << process.stderr_text());
    return json::parse(*line).as_object();
}

// The response with `id`, skipping notifications (kept in `notifications` when given).
json::object response_to(child_process& process, std::int64_t id, std::vector<json::object>* notifications = nullptr)
{
    for (;;) {
        auto message = next_message(process);
        if (message.contains("id") && message.at("id") == id) return message;
        if (notifications && message.contains("method")) notifications->push_back(message);
    }
}

struct stdio_server {
    child_process process;
    explicit stdio_server(std::string const& binary = test_server_binary, child_options options = {})
        : process(binary, std::move(options))
    {
        process.write_stdin(initialize_line);
        auto const init = response_to(process, 1);
        BOOST_REQUIRE(init.contains("result"));
        process.write_stdin(notification("notifications/initialized") + "\n");
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(stdio)

BOOST_AUTO_TEST_CASE(serves_initialize_ping_tools_list_and_tools_call)
{
    stdio_server server;
    auto& p = server.process;
    p.write_stdin(rpc(2, "ping") + "\n");
    BOOST_TEST(response_to(p, 2).at("result") == json::object{});

    p.write_stdin(rpc(3, "tools/list") + "\n");
    auto const tools = response_to(p, 3).at("result").at("tools").as_array();
    bool found = false;
    for (auto const& tool : tools) found = found || tool.at("name") == "test_echo";
    BOOST_TEST(found);

    p.write_stdin(rpc(4, "tools/call", {{"name", "test_echo"}, {"arguments", {{"text", "hello"}}}}) + "\n");
    auto const result = response_to(p, 4).at("result").as_object();
    BOOST_TEST(result.at("structuredContent").at("arguments").at("text") == "hello");
    BOOST_TEST(result.at("content").at(0).at("type") == "text");
    BOOST_TEST(!result.contains("isError"));
}

// The product refuses to start over stdio without JustiFi credentials; these never leave
// the process in these tests (nothing is called).
child_options const with_credentials{.env = {{"JUSTIFI_CLIENT_ID", "test_client_id"},
                                             {"JUSTIFI_CLIENT_SECRET", "test_client_secret"}}};

BOOST_AUTO_TEST_CASE(initialize_negotiates_the_clients_version_or_the_newest)
{
    child_process p(product_binary, with_credentials);
    p.write_stdin(rpc(1, "initialize", {{"protocolVersion", "2025-03-26"}, {"capabilities", json::object{}},
                                        {"clientInfo", {{"name", "old"}, {"version", "1"}}}}) + "\n");
    auto const old_client = response_to(p, 1).at("result").as_object();
    BOOST_TEST(old_client.at("protocolVersion") == "2025-03-26");
    BOOST_TEST(old_client.at("serverInfo").at("name") == "justifi-mcp");
    BOOST_TEST(old_client.at("serverInfo").at("version") == "0.1.0");
    BOOST_TEST(old_client.at("instructions").as_string().size() > 20u);
    BOOST_TEST(old_client.at("capabilities").at("tools").is_object());
    BOOST_TEST(old_client.at("capabilities").at("logging").is_object());

    p.write_stdin(rpc(2, "initialize", {{"protocolVersion", "1999-01-01"}, {"capabilities", json::object{}},
                                        {"clientInfo", {{"name", "future"}, {"version", "1"}}}}) + "\n");
    BOOST_TEST(response_to(p, 2).at("result").at("protocolVersion") == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(product_binary_offers_no_test_tools)
{
    stdio_server server(product_binary, with_credentials);
    server.process.write_stdin(rpc(2, "tools/list") + "\n");
    auto const listed = response_to(server.process, 2);
    for (auto const& tool : listed.at("result").at("tools").as_array())
        BOOST_TEST(!tool.at("name").as_string().starts_with("test_"));
}

BOOST_AUTO_TEST_CASE(stdout_carries_only_protocol_messages_even_at_debug)
{
    stdio_server server(test_server_binary, {.env = {{"LOG_LEVEL", "debug"}}});
    auto& p = server.process;
    p.write_stdin(rpc(2, "tools/call", {{"name", "test_progress"}, {"arguments", {{"steps", 2}}}}) + "\n");
    p.write_stdin("not json\n");
    p.write_stdin(rpc(3, "ping") + "\n");
    p.close_stdin();
    BOOST_REQUIRE(p.wait(15s).value_or(-1) == 0);
    BOOST_REQUIRE(p.wait_for_output_end(5s));
    std::size_t lines = 0;
    auto const out = p.stdout_text();
    for (std::size_t start = 0; start < out.size();) {
        auto const end = out.find('\n', start);
        auto const message = json::parse(out.substr(start, end - start)).as_object();
        BOOST_TEST(message.at("jsonrpc") == "2.0");
        ++lines;
        start = end + 1;
    }
    BOOST_TEST(lines >= 4u);  // initialize, the call's result, the parse error, ping
    BOOST_TEST(p.stderr_text().find("\"level\":\"debug\"") != std::string::npos);  // logs went to stderr
}

BOOST_AUTO_TEST_CASE(requests_run_concurrently_and_answer_out_of_order)
{
    stdio_server server;
    auto& p = server.process;
    p.write_stdin(rpc(10, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 1500}}}}) + "\n");
    p.write_stdin(rpc(11, "ping") + "\n");
    BOOST_TEST(next_message(p).at("id") == 11);  // the ping overtook the sleeping call
    BOOST_TEST(next_message(p).at("id") == 10);
}

BOOST_AUTO_TEST_CASE(eof_answers_what_is_in_flight_then_exits_zero)
{
    stdio_server server;
    auto& p = server.process;
    p.write_stdin(rpc(5, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 300}}}}) + "\n");
    p.close_stdin();
    BOOST_TEST(response_to(p, 5).at("result").at("content").at(0).at("text") == "slept");
    BOOST_TEST(p.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(last_line_without_newline_is_still_answered)
{
    child_process p(test_server_binary);
    p.write_stdin(rpc(1, "ping"));
    p.close_stdin();
    BOOST_TEST(response_to(p, 1).at("result") == json::object{});
    BOOST_TEST(p.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(cancelled_call_stops_and_gets_no_response)
{
    stdio_server server(test_server_binary, {.env = {{"LOG_LEVEL", "debug"}}});
    auto& p = server.process;
    p.write_stdin(rpc(7, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 60000}}}}) + "\n");
    BOOST_REQUIRE(p.wait_for_stderr("tool call started", 15s));
    p.write_stdin(notification("notifications/cancelled", {{"requestId", 7}, {"reason", "user gave up"}}) + "\n");
    BOOST_REQUIRE(p.wait_for_stderr("\"cancelled\":true", 15s));  // the coroutine really ended
    p.write_stdin(rpc(8, "ping") + "\n");
    p.close_stdin();
    BOOST_TEST(response_to(p, 8).at("result") == json::object{});
    BOOST_TEST(p.wait(15s).value_or(-1) == 0);
    BOOST_REQUIRE(p.wait_for_output_end(5s));
    BOOST_TEST(p.stdout_text().find("\"id\":7") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(progress_and_log_messages_precede_the_result)
{
    stdio_server server;
    auto& p = server.process;
    p.write_stdin(rpc(3, "tools/call", {{"name", "test_progress"}, {"arguments", {{"steps", 3}}},
                                        {"_meta", {{"progressToken", "tok-1"}}}}) + "\n");
    std::vector<json::object> notes;
    auto const result = response_to(p, 3, &notes);
    BOOST_TEST(result.at("result").at("content").at(0).at("text") == "done after 3 steps");
    std::vector<double> progress;
    std::size_t info_logs = 0, debug_logs = 0;
    for (auto const& n : notes) {
        if (n.at("method") == "notifications/progress") {
            BOOST_TEST(n.at("params").at("progressToken") == "tok-1");
            progress.push_back(n.at("params").at("progress").to_number<double>());
        } else if (n.at("method") == "notifications/message") {
            (n.at("params").at("level") == "debug" ? debug_logs : info_logs)++;
        }
    }
    BOOST_TEST((progress == std::vector<double>{1, 2, 3}));
    BOOST_TEST(info_logs == 3u);
    BOOST_TEST(debug_logs == 0u);  // below the default level

    p.write_stdin(rpc(4, "logging/setLevel", {{"level", "debug"}}) + "\n");
    BOOST_TEST(response_to(p, 4).at("result") == json::object{});
    notes.clear();
    p.write_stdin(rpc(5, "tools/call", {{"name", "test_progress"}, {"arguments", {{"steps", 2}}}}) + "\n");
    response_to(p, 5, &notes);
    std::size_t debug_after = 0, progress_after = 0;
    for (auto const& n : notes) {
        if (n.at("method") == "notifications/progress") ++progress_after;
        if (n.at("method") == "notifications/message" && n.at("params").at("level") == "debug") ++debug_after;
    }
    BOOST_TEST(debug_after == 2u);
    BOOST_TEST(progress_after == 0u);  // no progressToken, no progress
}

BOOST_AUTO_TEST_CASE(malformed_messages_get_json_rpc_errors_and_serving_continues)
{
    stdio_server server;
    auto& p = server.process;
    p.write_stdin("{not json\n");
    auto const parse = next_message(p);
    BOOST_TEST(parse.at("error").at("code") == -32700);
    BOOST_TEST(parse.at("id").is_null());

    p.write_stdin(R"({"id":2,"method":"ping"})" "\n");
    auto const no_version = next_message(p);
    BOOST_TEST(no_version.at("error").at("code") == -32600);
    BOOST_TEST(no_version.at("id") == 2);

    p.write_stdin(rpc(3, "resources/list") + "\n");
    BOOST_TEST(response_to(p, 3).at("error").at("code") == -32601);

    p.write_stdin(rpc(4, "tools/call", {{"name", "no_such_tool"}}) + "\n");
    auto const unknown = response_to(p, 4);
    BOOST_TEST(unknown.at("error").at("code") == -32602);
    BOOST_TEST(unknown.at("error").at("message").as_string().find("no_such_tool") != json::string::npos);

    p.write_stdin(rpc(5, "tools/call", {{"name", "test_fail"}}) + "\n");
    auto const failed = response_to(p, 5).at("result").as_object();
    BOOST_TEST(failed.at("isError") == true);

    p.write_stdin(rpc(6, "tools/call", {{"name", "test_throw"}}) + "\n");
    BOOST_TEST(response_to(p, 6).at("error").at("code") == -32603);

    p.write_stdin(rpc(7, "ping") + "\n");
    BOOST_TEST(response_to(p, 7).at("result") == json::object{});
}

BOOST_AUTO_TEST_CASE(oversized_line_is_refused_and_the_next_one_served)
{
    stdio_server server(test_server_binary, {.env = {{"MCP_MAX_BODY_BYTES", "2048"}}});
    auto& p = server.process;
    p.write_stdin(rpc(2, "tools/call", {{"name", "test_echo"}, {"arguments", {{"text", std::string(10000, 'x')}}}}) + "\n");
    auto const refused = next_message(p);
    BOOST_TEST(refused.at("error").at("code") == -32600);
    BOOST_TEST(refused.at("error").at("message").as_string().find("2048") != json::string::npos);
    p.write_stdin(rpc(3, "ping") + "\n");
    BOOST_TEST(response_to(p, 3).at("result") == json::object{});
}

BOOST_AUTO_TEST_CASE(sigterm_lets_the_call_in_flight_answer_then_exits_zero)
{
    stdio_server server(test_server_binary, {.env = {{"LOG_LEVEL", "debug"}}});
    auto& p = server.process;
    p.write_stdin(rpc(9, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 500}}}}) + "\n");
    BOOST_REQUIRE(p.wait_for_stderr("tool call started", 15s));
    p.send_signal(SIGTERM);
    BOOST_TEST(response_to(p, 9).at("result").at("content").at(0).at("text") == "slept");
    BOOST_TEST(p.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(modern_lines_are_served_on_their_own_meta_before_and_beside_initialize)
{
    child_process p(test_server_binary, {});
    json::object const meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                            {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
    // The era probe: server/discover as the first line, with no initialize at all.
    p.write_stdin(rpc(1, "server/discover", {{"_meta", meta}}) + "\n");
    auto const discovered = response_to(p, 1).at("result").as_object();
    BOOST_TEST(discovered.at("supportedVersions") == json::parse(R"(["2026-07-28"])"));
    BOOST_TEST(discovered.at("resultType") == "complete");
    p.write_stdin(rpc(2, "tools/call", {{"name", "test_echo"}, {"arguments", {{"text", "hi"}}}, {"_meta", meta}}) + "\n");
    auto const called = response_to(p, 2).at("result").as_object();
    BOOST_TEST(called.at("resultType") == "complete");
    BOOST_TEST(called.at("structuredContent").at("arguments").at("text") == "hi");
    // An unknown version is -32022 with what is supported; removed methods are not found.
    json::object old = meta;
    old["io.modelcontextprotocol/protocolVersion"] = "1900-01-01";
    p.write_stdin(rpc(3, "server/discover", {{"_meta", old}}) + "\n");
    auto const refused = response_to(p, 3).at("error").as_object();
    BOOST_TEST(refused.at("code") == -32022);
    BOOST_TEST(refused.at("data").at("requested") == "1900-01-01");
    p.write_stdin(rpc(4, "ping", {{"_meta", meta}}) + "\n");
    BOOST_TEST(response_to(p, 4).at("error").at("code") == -32601);
    // A legacy client on the same process still shakes hands and pings.
    p.write_stdin(initialize_line);
    BOOST_TEST(response_to(p, 1).at("result").at("protocolVersion") == "2025-11-25");
    p.write_stdin(rpc(5, "ping") + "\n");
    BOOST_TEST(response_to(p, 5).at("result") == json::object{});
    p.close_stdin();
    BOOST_TEST(p.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_subscription_is_acknowledged_ends_unanswered_when_cancelled_and_gracefully_at_eof)
{
    child_process p(test_server_binary, {.env = {{"LOG_LEVEL", "debug"}}});
    json::object const meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                            {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
    auto const listen = [&](int id) {
        p.write_stdin(rpc(id, "subscriptions/listen",
                          {{"_meta", meta}, {"notifications", {{"toolsListChanged", true}, {"promptsListChanged", true}}}}) +
                      "\n");
        auto const ack = next_message(p);
        BOOST_TEST(ack.at("method") == "notifications/subscriptions/acknowledged");
        BOOST_TEST(ack.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == id);
        // The tool list changes only with a new process: nothing is promised.
        BOOST_TEST(ack.at("params").at("notifications") == json::object{});
    };
    listen(1);
    // The client cancels it: the server stops holding it and never answers the listen request.
    p.write_stdin(notification("notifications/cancelled", {{"requestId", 1}}) + "\n");
    BOOST_REQUIRE(p.wait_for_stderr("subscription closed", 15s));
    // A bad filter names its field; the process keeps serving.
    p.write_stdin(rpc(2, "subscriptions/listen", {{"_meta", meta}, {"notifications", {{"toolsListChanged", "yes"}}}}) + "\n");
    auto const refused = response_to(p, 2).at("error").as_object();
    BOOST_TEST(refused.at("code") == -32602);
    BOOST_TEST(std::string(refused.at("message").as_string()).find("toolsListChanged") != std::string::npos);
    listen(3);
    // stdin ending is the server tearing the subscription down: cancelled, then its result.
    p.close_stdin();
    auto const cancelled = next_message(p);
    BOOST_TEST(cancelled.at("method") == "notifications/cancelled");
    BOOST_TEST(cancelled.at("params").at("requestId") == 3);
    auto const closed = next_message(p);
    BOOST_TEST(closed.at("id") == 3);
    BOOST_TEST(closed.at("result").at("resultType") == "complete");
    BOOST_TEST(closed.at("result").at("_meta").at("io.modelcontextprotocol/subscriptionId") == 3);
    BOOST_TEST(p.wait(15s).value_or(-1) == 0);
    BOOST_REQUIRE(p.wait_for_output_end(5s));
    BOOST_TEST(p.stdout_text().find("\"id\":1") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
