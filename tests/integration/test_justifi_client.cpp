// The JustiFi client through the real server against the real simulator: credentials,
// the shared token cache, retries, idempotency, refusals before anything is sent, TLS.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// MCP over HTTP in the local development mode: requests without credentials use the
// configured client credentials (the simulator's).
struct local_stack {
    mock_server mock;
    http_server mcp;
    mcp_session session;

    explicit local_stack(std::vector<std::string> mock_args = {}, child_options extra = {})
        : mock(std::move(mock_args)),
          mcp(with_auth_none(against(mock, std::move(extra))), product_binary),
          session(mcp_session::open(mcp.port))
    {
    }

    static child_options with_auth_none(child_options options)
    {
        options.env.emplace_back("MCP_AUTH", "none");
        return options;
    }

    json::object call_tool(std::string const& name, json::object arguments = {}, header_list const& headers = {}) const
    {
        auto const response = session.call("tools/call", {{"name", name}, {"arguments", std::move(arguments)}}, 1, headers);
        BOOST_REQUIRE_MESSAGE(response.as_object().contains("result"), json::serialize(response));
        return response.at("result").as_object();
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(justifi_client)

BOOST_AUTO_TEST_CASE(list_payments_returns_simulator_data_with_page_info)
{
    local_stack stack;
    auto const result = stack.call_tool("list_payments", {{"limit", 5}});
    BOOST_TEST(!result.contains("isError"));
    auto const& body = result.at("structuredContent").as_object();
    BOOST_TEST(body.at("data").as_array().size() == 5u);
    BOOST_TEST(body.at("data").at(0).at("id").as_string().starts_with("py_"));
    BOOST_TEST(body.at("page_info").at("has_next") == true);
    BOOST_TEST(text_of(result).find("py_") != std::string::npos);  // the same JSON as text

    auto const next = stack.call_tool("list_payments", {{"limit", 5}, {"after_cursor", body.at("page_info").at("end_cursor")}});
    BOOST_TEST(next.at("structuredContent").at("data").at(0).at("id") != body.at("data").at(0).at("id"));
}

BOOST_AUTO_TEST_CASE(two_hundred_concurrent_calls_share_one_token_request)
{
    local_stack stack;
    std::atomic<int> ok{0};
    std::vector<std::thread> callers;
    for (int i = 0; i < 200; ++i)
        callers.emplace_back([&] {
            try {
                auto const r = stack.session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 1}}}});
                if (!r.at("result").as_object().contains("isError")) ++ok;
            } catch (std::exception const&) {
            }
        });
    for (auto& t : callers) t.join();
    BOOST_TEST(ok.load() == 200);
    BOOST_TEST(stack.mock.stats().at("token_requests") == 1);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_until_an_answer_comes)
{
    local_stack stack;
    stack.call_tool("list_payments", {{"limit", 1}});  // token fetched, connection warm
    stack.mock.reset_stats();
    stack.mock.set_faults({{"fail_first", 2}, {"fail_status", 503}});
    auto const result = stack.call_tool("list_payments", {{"limit", 1}});
    BOOST_TEST(!result.contains("isError"));
    BOOST_TEST(stack.mock.requests_to("GET /v1/payments") == 3);
}

BOOST_AUTO_TEST_CASE(rate_limit_is_retried_after_the_servers_retry_after)
{
    local_stack stack;
    stack.call_tool("list_payments", {{"limit", 1}});
    stack.mock.reset_stats();
    stack.mock.set_faults({{"rate_limit_first", 1}});
    auto const started = std::chrono::steady_clock::now();
    auto const result = stack.call_tool("list_payments", {{"limit", 1}});
    auto const waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST(!result.contains("isError"));
    BOOST_TEST(stack.mock.requests_to("GET /v1/payments") == 2);
    // The simulator said Retry-After: 1. A lower bound only: a slow machine makes it longer, never shorter.
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() >= 1000);
}

BOOST_AUTO_TEST_CASE(gives_up_after_three_tries_with_justifis_status)
{
    local_stack stack;
    stack.call_tool("list_payments", {{"limit", 1}});
    stack.mock.reset_stats();
    stack.mock.set_faults({{"fail_first", 10}, {"fail_status", 502}});
    auto const result = stack.call_tool("list_payments", {{"limit", 1}});
    BOOST_TEST(result.at("isError") == true);
    BOOST_TEST(text_of(result).find("502") != std::string::npos);
    BOOST_TEST(stack.mock.requests_to("GET /v1/payments") == 3);
}

BOOST_AUTO_TEST_CASE(a_dropped_payment_request_is_retried_and_charged_once)
{
    local_stack stack;
    auto const accounts = stack.call_tool("list_sub_accounts");
    auto const account = std::string(accounts.at("structuredContent").at("data").at(0).at("id").as_string());
    stack.mock.reset_stats();
    stack.mock.set_faults({{"drop_first", 1}});
    auto const description = "once-" + std::to_string(::getpid());
    auto const created = stack.call_tool("create_payment", {{"amount", 1234},
                                                            {"currency", "usd"},
                                                            {"capture_strategy", "automatic"},
                                                            {"description", description},
                                                            {"payment_method", {{"token", "pm_test_visa"}}},
                                                            {"sub_account_id", account}});
    BOOST_REQUIRE_MESSAGE(!created.contains("isError"), text_of(created));
    BOOST_TEST(stack.mock.requests_to("POST /v1/payments") == 2);
    auto const listed = stack.call_tool("list_payments", {{"limit", 100}, {"sub_account_id", account}});
    int charged = 0;
    for (auto const& payment : listed.at("structuredContent").at("data").as_array())
        if (payment.at("description") == json::value(description)) ++charged;
    BOOST_TEST(charged == 1);
}

BOOST_AUTO_TEST_CASE(justifi_errors_come_back_as_tool_errors_quoting_code_and_status)
{
    local_stack stack;
    auto const missing = stack.call_tool("retrieve_payment", {{"payment_id", "py_doesnotexist"}});
    BOOST_TEST(missing.at("isError") == true);
    BOOST_TEST(text_of(missing).find("404") != std::string::npos);

    auto const accounts = stack.call_tool("list_sub_accounts");
    auto const account = std::string(accounts.at("structuredContent").at("data").at(0).at("id").as_string());
    auto const declined = stack.call_tool("create_payment", {{"amount", 500},
                                                             {"currency", "usd"},
                                                             {"capture_strategy", "automatic"},
                                                             {"payment_method", {{"token", "pm_test_card_declined"}}},
                                                             {"sub_account_id", account}});
    BOOST_TEST(declined.at("isError") == true);
    BOOST_TEST(text_of(declined).find("402") != std::string::npos);
    BOOST_TEST(text_of(declined).find("do_not_honor") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(path_and_header_injection_are_refused_before_any_request)
{
    local_stack stack;
    stack.call_tool("list_payments", {{"limit", 1}});
    auto const before = total_v1_requests(stack.mock);
    for (auto const* id : {"../oauth/token", "py_1?limit=100", "py_1/refunds", "py%2e%2e"}) {
        auto const refused = stack.call_tool("retrieve_payment", {{"payment_id", id}});
        BOOST_TEST(refused.at("isError") == true, id);
        BOOST_TEST(text_of(refused).find("\"payment_id\"") != std::string::npos, id);
    }
    auto const header = stack.call_tool("list_payments", {{"sub_account_id", "acc_1\r\nX-Evil: 1"}});
    BOOST_TEST(header.at("isError") == true);
    BOOST_TEST(text_of(header).find("sub_account_id") != std::string::npos);
    BOOST_TEST(total_v1_requests(stack.mock) == before);
}

BOOST_AUTO_TEST_CASE(sub_account_header_of_the_mcp_request_scopes_the_call)
{
    local_stack stack;
    auto const accounts = stack.call_tool("list_sub_accounts");
    auto const account = std::string(accounts.at("structuredContent").at("data").at(1).at("id").as_string());
    auto const scoped = stack.call_tool("list_payments", {{"limit", 50}}, {{"Sub-Account", account}});
    auto const& data = scoped.at("structuredContent").at("data").as_array();
    BOOST_REQUIRE(!data.empty());
    for (auto const& payment : data) BOOST_TEST(payment.at("account_id") == json::value(account));
}

BOOST_AUTO_TEST_CASE(bearer_token_is_passed_through_without_a_token_request)
{
    mock_server mock;
    auto const token_response = http_request(mock.port, "POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                             R"({"client_id":"test_client_id","client_secret":"test_client_secret"})");
    auto const token = std::string(token_response.json().at("access_token").as_string());
    // No credentials of its own, and OAuth (the default) as its auth mode.
    http_server mcp({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}},
                     .unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"}},
                    product_binary);
    header_list const bearer{{"Authorization", "Bearer " + token}};
    auto const session = mcp_session::open(mcp.port, "2025-11-25", bearer);
    auto const r = session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}, 1, bearer);
    BOOST_TEST(!r.at("result").as_object().contains("isError"));
    BOOST_TEST(mock.stats().at("token_requests") == 1);  // only the test's own

    // Without credentials (and without MCP_AUTH=none) the call gets the OAuth challenge and
    // nothing is sent on the server's behalf.
    auto const before = total_v1_requests(mock);
    auto const anonymous = session.post(json::parse(rpc(2, "tools/call", {{"name", "list_payments"}})));
    BOOST_TEST(anonymous.status == 401);
    BOOST_TEST(anonymous.header("WWW-Authenticate").starts_with("Bearer resource_metadata="));
    BOOST_TEST(total_v1_requests(mock) == before);
    BOOST_TEST(mock.stats().at("token_requests") == 1);
}

BOOST_AUTO_TEST_CASE(client_credential_headers_get_their_own_cached_token)
{
    mock_server mock;
    http_server mcp({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}},
                     .unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"}},
                    product_binary);
    header_list const right{{"X-Client-Id", "test_client_id"}, {"X-Client-Secret", "test_client_secret"}};
    header_list const wrong{{"X-Client-Id", "test_client_id"}, {"X-Client-Secret", "not-the-secret"}};
    auto const session = mcp_session::open(mcp.port, "2025-11-25", right);
    for (int i = 0; i < 3; ++i) {
        auto const r = session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 1}}}}, i, right);
        BOOST_TEST(!r.at("result").as_object().contains("isError"));
    }
    BOOST_TEST(mock.stats().at("token_requests").to_number<int>() == 1);
    // The right secret's token is not reused: JustiFi is asked, refuses, and the request gets 401
    // before its body is looked at.
    auto const body = json::parse(rpc(9, "tools/call", {{"name", "list_payments"}}));
    auto const refused = session.post(body, wrong);
    BOOST_TEST(refused.status == 401);
    BOOST_TEST(refused.header("WWW-Authenticate").find("error=\"invalid_token\"") != std::string::npos);
    BOOST_TEST(refused.json().at("error").at("message").as_string().find("JustiFi refused the client credentials") !=
               std::string::npos);
    BOOST_TEST(mock.stats().at("token_requests").to_number<int>() == 2);
    // Remembered for a while: the same wrong secret again costs JustiFi nothing.
    BOOST_TEST(session.post(body, wrong).status == 401);
    BOOST_TEST(mock.stats().at("token_requests").to_number<int>() == 2);
    BOOST_TEST(total_v1_requests(mock) == 3);
}

BOOST_AUTO_TEST_CASE(an_untrusted_certificate_is_refused)
{
    auto const dir = make_temp_dir();
    {
        child_process keygen("/usr/bin/openssl", {.args = {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                                           dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "1",
                                                           "-subj", "/CN=localhost"}});
        BOOST_REQUIRE(keygen.wait(60s).value_or(-1) == 0);
    }
    child_process tls_server("/usr/bin/openssl", {.args = {"s_server", "-accept", "0", "-cert", dir + "/cert.pem", "-key",
                                                           dir + "/key.pem", "-www", "-naccept", "20"}});
    std::string port;
    for (int i = 0; i < 2000 && port.empty(); ++i) {
        auto const line = tls_server.read_stdout_line(10ms);
        if (line && line->starts_with("ACCEPT")) port = line->substr(line->rfind(':') + 1);
    }
    BOOST_REQUIRE(!port.empty());

    http_server mcp({.env = {{"JUSTIFI_BASE_URL", "https://localhost:" + port}, {"MCP_AUTH", "none"},
                             {"JUSTIFI_CLIENT_ID", "id"}, {"JUSTIFI_CLIENT_SECRET", "secret"},
                             {"JUSTIFI_TIMEOUT", "5s"}}},
                    product_binary);
    auto const session = mcp_session::open(mcp.port);
    auto const r = session.call("tools/call", {{"name", "list_payments"}});
    BOOST_TEST(r.at("result").at("isError") == true);
    BOOST_TEST(std::string(r.at("result").at("content").at(0).at("text").as_string()).find("TLS") != std::string::npos);
    remove_tree(dir);
}

BOOST_AUTO_TEST_CASE(stdio_calls_justifi_with_the_configured_credentials)
{
    mock_server mock;
    child_process p(product_binary, against(mock));
    p.write_stdin(rpc(1, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object{}},
                                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}}) + "\n");
    p.write_stdin(rpc(2, "tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 2}}}}) + "\n");
    std::optional<json::object> answer;
    while (auto line = p.read_stdout_line(15s)) {
        auto message = json::parse(*line).as_object();
        if (message.at("id") == 2) {
            answer = message;
            break;
        }
    }
    BOOST_REQUIRE(answer);
    BOOST_TEST(answer->at("result").at("structuredContent").at("data").as_array().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
