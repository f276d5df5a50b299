// The legacy era's elicitation inside a tool call, through the real binary and real pipes: the
// test server's test_elicitation (the conformance suite's tools-call-elicitation fixture) asks
// the client with elicitation/create on stdout and waits for the answer on stdin. Over HTTP it
// is never offered: the answer could reach another replica.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

json::object next_message(child_process& process, std::chrono::milliseconds timeout = 15s)
{
    auto const line = process.read_stdout_line(timeout);
    BOOST_REQUIRE_MESSAGE(line, "no message on stdout; stderr:\n" << process.stderr_text());
    return json::parse(*line).as_object();
}

// The test server over stdio after initialize (at `version`, declaring `capabilities`).
struct stdio_client {
    child_process process;

    explicit stdio_client(json::object capabilities, std::string const& version = "2025-11-25",
                          std::vector<std::pair<std::string, std::string>> env = {})
        : process(test_server_binary, {.env = std::move(env)})
    {
        process.write_stdin(rpc(1, "initialize", {{"protocolVersion", version},
                                                  {"capabilities", std::move(capabilities)},
                                                  {"clientInfo", {{"name", "elicitation-test"}, {"version", "1"}}}}) +
                            "\n");
        BOOST_REQUIRE(next_message(process).contains("result"));
        process.write_stdin(notification("notifications/initialized") + "\n");
    }

    void call_elicitation(std::int64_t id)
    {
        process.write_stdin(rpc(id, "tools/call", {{"name", "test_elicitation"},
                                                   {"arguments", {{"message", "Please provide your information"}}}}) +
                            "\n");
    }
    // The server's elicitation/create: a request with an id of its own and the tool's question.
    json::object question()
    {
        auto asked = next_message(process);
        BOOST_REQUIRE_MESSAGE(asked.contains("method"), "expected elicitation/create, got " << json::serialize(asked));
        BOOST_TEST(asked.at("method") == "elicitation/create");
        BOOST_TEST(asked.at("id").is_string());
        return asked;
    }
    void answer(json::value const& id, json::object body)
    {
        body["jsonrpc"] = "2.0";
        body["id"] = id;
        process.write_stdin(json::serialize(body) + "\n");
    }
    // The tool call's result.
    json::object result_of(std::int64_t id)
    {
        auto const response = next_message(process);
        BOOST_REQUIRE_MESSAGE(response.contains("id") && response.at("id") == id,
                              "expected the answer to " << id << ", got " << json::serialize(response));
        BOOST_REQUIRE(response.contains("result"));
        return response.at("result").as_object();
    }
};

json::object const declares_elicitation{{"elicitation", json::object{}}};

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(stdio_elicitation)

BOOST_AUTO_TEST_CASE(an_accepted_question_returns_what_the_person_entered)
{
    stdio_client client(declares_elicitation);
    client.call_elicitation(2);
    auto const asked = client.question();
    auto const& params = asked.at("params").as_object();
    BOOST_TEST(params.at("message") == "Please provide your information");
    BOOST_TEST(params.at("requestedSchema").at("required") == (json::array{"username", "email"}));

    client.answer(asked.at("id"), {{"result", {{"action", "accept"},
                                               {"content", {{"username", "ada"}, {"email", "ada@example.com"}}}}}});
    auto const result = client.result_of(2);
    BOOST_TEST(!is_error(result));
    BOOST_TEST(contains(text_of(result), "action=accept"));
    BOOST_TEST(contains(text_of(result), "ada@example.com"));
}

BOOST_AUTO_TEST_CASE(a_declined_question_says_declined)
{
    stdio_client client(json::object{{"elicitation", {{"form", json::object{}}}}}, "2025-06-18");
    client.call_elicitation(2);
    auto const asked = client.question();
    client.answer(asked.at("id"), {{"result", {{"action", "decline"}}}});
    auto const result = client.result_of(2);
    BOOST_TEST(!is_error(result));
    BOOST_TEST(contains(text_of(result), "action=decline"));
}

BOOST_AUTO_TEST_CASE(a_json_rpc_error_answer_is_quoted_in_the_tool_error)
{
    stdio_client client(declares_elicitation);
    client.call_elicitation(2);
    auto const asked = client.question();
    client.answer(asked.at("id"), {{"error", {{"code", -32603}, {"message", "the dialog crashed"}}}});
    auto const result = client.result_of(2);
    BOOST_TEST(is_error(result));
    BOOST_TEST(contains(text_of(result), "-32603"));
    BOOST_TEST(contains(text_of(result), "the dialog crashed"));
}

BOOST_AUTO_TEST_CASE(a_client_that_did_not_declare_elicitation_is_never_asked)
{
    stdio_client client(json::object{});
    client.call_elicitation(2);
    auto const result = client.result_of(2);  // the very next line: no elicitation/create came first
    BOOST_TEST(is_error(result));
    BOOST_TEST(contains(text_of(result), "Elicitation is not available to this client"));

    stdio_client older(declares_elicitation, "2025-03-26");  // before elicitation existed
    older.call_elicitation(2);
    BOOST_TEST(is_error(older.result_of(2)));
}

BOOST_AUTO_TEST_CASE(an_answer_that_never_comes_ends_the_call_at_the_deadline)
{
    stdio_client client(declares_elicitation, "2025-11-25", {{"MCP_ELICITATION_TIMEOUT", "300ms"}});
    auto const started = std::chrono::steady_clock::now();
    client.call_elicitation(2);
    auto const asked = client.question();
    // The server withdraws its question, then the call ends with a tool error naming the deadline.
    auto const withdrawn = next_message(client.process, 10s);
    BOOST_TEST(withdrawn.at("method") == "notifications/cancelled");
    BOOST_TEST(withdrawn.at("params").at("requestId") == asked.at("id"));
    auto const result = client.result_of(2);
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 300ms));
    BOOST_TEST(is_error(result));
    BOOST_TEST(contains(text_of(result), "did not answer elicitation/create within 300 ms"));
    BOOST_TEST(contains(text_of(result), "MCP_ELICITATION_TIMEOUT"));

    // A late answer matches nothing and is ignored; the server goes on serving.
    client.answer(asked.at("id"), {{"result", {{"action", "accept"}}}});
    client.process.write_stdin(rpc(3, "ping") + "\n");
    auto const pong = next_message(client.process);
    BOOST_TEST(pong.at("id") == 3);
    BOOST_TEST(pong.contains("result"));
}

BOOST_AUTO_TEST_CASE(cancelling_the_call_ends_the_wait)
{
    stdio_client client(declares_elicitation);  // the default deadline: 10 minutes
    client.call_elicitation(2);
    auto const asked = client.question();
    client.process.write_stdin(notification("notifications/cancelled", {{"requestId", 2}, {"reason", "changed my mind"}}) + "\n");
    // The wait ends at once: the server withdraws its question and sends no answer to call 2.
    auto const withdrawn = next_message(client.process, 10s);
    BOOST_TEST(withdrawn.at("method") == "notifications/cancelled");
    BOOST_TEST(withdrawn.at("params").at("requestId") == asked.at("id"));
    client.process.write_stdin(rpc(3, "ping") + "\n");
    BOOST_TEST(next_message(client.process).at("id") == 3);
}

BOOST_AUTO_TEST_CASE(closing_stdin_ends_the_wait_and_the_call_answers)
{
    stdio_client client(declares_elicitation);
    client.call_elicitation(2);
    client.question();
    client.process.close_stdin();
    auto const result = client.result_of(2);
    BOOST_TEST(is_error(result));
    BOOST_TEST(contains(text_of(result), "closed its input"));
    BOOST_TEST(client.process.wait(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(shutdown_ends_the_wait_at_once_not_at_the_drain_deadline)
{
    // Drain deadline 60 s, answer deadline 10 min: the call must end long before either.
    stdio_client client(declares_elicitation, "2025-11-25", {{"MCP_DRAIN_TIMEOUT", "60s"}});
    client.call_elicitation(2);
    client.question();
    auto const signalled = std::chrono::steady_clock::now();
    client.process.send_signal(SIGTERM);
    auto const result = client.result_of(2);
    BOOST_TEST(is_error(result));
    BOOST_TEST(contains(text_of(result), "shutting down"));
    BOOST_TEST(client.process.wait(15s).value_or(-1) == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - signalled < 15s));
}

BOOST_AUTO_TEST_CASE(over_http_the_tool_is_told_it_cannot_ask)
{
    http_server server;
    json::object init{{"jsonrpc", "2.0"},
                      {"id", 0},
                      {"method", "initialize"},
                      {"params", {{"protocolVersion", "2025-11-25"},
                                  {"capabilities", declares_elicitation},
                                  {"clientInfo", {{"name", "elicitation-test"}, {"version", "1"}}}}}};
    auto const opened = http_request(server.port, "POST", "/mcp", mcp_post_headers(), json::serialize(init));
    BOOST_REQUIRE(opened.status == 200);
    mcp_session session{server.port, opened.header("Mcp-Session-Id"), "2025-11-25"};
    auto const response = session.call("tools/call", {{"name", "test_elicitation"},
                                                      {"arguments", {{"message", "Please provide your information"}}}});
    auto const& result = response.at("result").as_object();
    BOOST_TEST(is_error(result));
    BOOST_TEST(contains(text_of(result), "Elicitation is not available to this client"));
}

BOOST_AUTO_TEST_SUITE_END()
