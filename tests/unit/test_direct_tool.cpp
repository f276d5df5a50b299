// The direct tool endpoint, POST /mcp/{tool_name}, without a socket: its route, the body as a
// tools/call, the dispatcher's reply in HTTP's terms, and its refusals with the MCP endpoint's
// statuses and challenges but an error object for a body.
#include "server/direct_tool.hpp"
#include "server/http_answers.hpp"
#include "server/http_rules.hpp"

#include "client/justifi_client.hpp"
#include "tools/endpoint_tool.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

namespace http = boost::beast::http;
namespace json = boost::json;
namespace mcp = justifi::mcp;
namespace rules = justifi::server::http_rules;
namespace direct = justifi::server::direct_tool;
using justifi::core::errc;

namespace {

// A tools/call reply as the dispatcher builds it: `result` is the MCP result.
mcp::reply result_reply(json::object result)
{
    return mcp::reply(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"result", std::move(result)}});
}

mcp::reply tool_error(std::string text, boost::system::error_code failure = {})
{
    auto reply = result_reply({{"content", json::array{{{"type", "text"}, {"text", text}}}}, {"isError", true}});
    reply.failure = failure;
    return reply;
}

json::object error_of(direct::answer const& answer) { return json::parse(answer.body).at("error").as_object(); }

justifi::server::request_message direct_post()
{
    justifi::server::request_message req{http::verb::post, "/mcp/list_payments", 11};
    req.set(http::field::host, "127.0.0.1:8080");
    return req;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(direct_tool)

BOOST_AUTO_TEST_CASE(mcp_slash_a_tool_name_is_the_direct_endpoint_for_post_and_its_preflight)
{
    for (auto target : {"/mcp/list_payments", "/mcp/list_payments?x=1", "/mcp/a", "/mcp/get_balance_2"}) {
        for (auto method : {"POST", "OPTIONS"}) {
            auto const m = rules::match(target, method);
            BOOST_TEST((m.target == rules::route::direct_tool), target);
            BOOST_TEST(m.method_allowed, target << " " << method);
        }
    }
    BOOST_TEST(rules::direct_tool_name("/mcp/list_payments?limit=2") == "list_payments");
    auto const get = rules::match("/mcp/list_payments", "GET");
    BOOST_TEST((get.target == rules::route::direct_tool));
    BOOST_TEST(!get.method_allowed);
    BOOST_TEST(get.allow == "POST, OPTIONS");
}

BOOST_AUTO_TEST_CASE(a_tool_name_is_lowercase_letters_digits_and_underscores_up_to_64_else_the_path_is_unknown)
{
    std::string const longest = "/mcp/" + std::string(64, 'a');
    BOOST_TEST((rules::match(longest, "POST").target == rules::route::direct_tool));
    for (std::string const& target : {"/mcp/" + std::string(65, 'a'), std::string("/mcp/"), std::string("/mcp/List_payments"),
                                     std::string("/mcp/list-payments"), std::string("/mcp/list_payments/"),
                                     std::string("/mcp/a/b"), std::string("/mcp/%61"), std::string("/mcp/a.b"),
                                     std::string("/mcpx/list_payments"), std::string("/mcp//list_payments")}) {
        BOOST_TEST((rules::match(target, "POST").target == rules::route::not_found), target);
        BOOST_TEST(rules::direct_tool_name(target).empty(), target);
    }
}

BOOST_AUTO_TEST_CASE(a_json_object_body_becomes_a_tools_call_with_it_as_the_arguments)
{
    auto const message = direct::as_tools_call("list_payments", R"({"limit": 10})");
    BOOST_REQUIRE(message.has_value());
    auto const* request = std::get_if<mcp::jsonrpc::request>(&*message);
    BOOST_REQUIRE(request);
    BOOST_TEST(request->method == "tools/call");
    BOOST_TEST(request->params == (json::value{{"name", "list_payments"}, {"arguments", {{"limit", 10}}}}));
    BOOST_TEST(direct::as_tools_call("list_payments", "{}").has_value());
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_a_json_object_is_refused_saying_what_it_is)
{
    for (auto const& [body, says] : std::vector<std::pair<std::string, std::string>>{
             {"[]", "it is an array"}, {"\"limit\"", "it is a string"}, {"10", "it is a number"},
             {"null", "it is null"}, {"", "it is not valid JSON"}, {"{\"limit\":", "it is not valid JSON"}}) {
        auto const refused = direct::as_tools_call("list_payments", body);
        BOOST_REQUIRE_MESSAGE(!refused.has_value(), body);
        BOOST_TEST((refused.error().code == errc::parse_error));
        auto const& message = refused.error().message;
        BOOST_TEST(message.starts_with("the body must be a JSON object of list_payments's arguments"), message);
        BOOST_TEST(message.find(says) != std::string::npos, message);
    }
}

BOOST_AUTO_TEST_CASE(a_result_is_answered_200_with_justifis_json_byte_for_byte)
{
    std::string const passed_on = R"({"id":"py_1", "amount" : 1000})";  // spacing kept: never parsed
    mcp::reply spliced(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"result", json::object{}}}, "structuredContent", passed_on);
    spliced.text_twin = true;
    auto const answer = direct::answer_of("retrieve_payment", std::move(spliced));
    BOOST_TEST(answer.status == http::status::ok);
    BOOST_TEST(answer.body == passed_on);

    auto const shaped = direct::answer_of(
        "generate_checkout", result_reply({{"content", json::array{}}, {"structuredContent", {{"files", json::array{}}}}}));
    BOOST_TEST(shaped.status == http::status::ok);
    BOOST_TEST(shaped.body == R"({"files":[]})");
}

BOOST_AUTO_TEST_CASE(an_unknown_tool_is_404_and_arguments_the_tool_refused_are_400_in_its_words)
{
    auto unknown = mcp::reply(mcp::jsonrpc::make_error(1, -32602, "Unknown tool: \"nope\""));
    unknown.failure = errc::unknown_tool;
    auto const not_found = direct::answer_of("nope", std::move(unknown));
    BOOST_TEST(not_found.status == http::status::not_found);
    BOOST_TEST(error_of(not_found).at("code") == "unknown_tool");
    BOOST_TEST(error_of(not_found).at("message").as_string().starts_with("no tool is named \"nope\""));

    auto const invalid = direct::answer_of(
        "list_payments", tool_error("Invalid arguments for list_payments: limit: must be at most 100.", errc::invalid_arguments));
    BOOST_TEST(invalid.status == http::status::bad_request);
    BOOST_TEST(error_of(invalid).at("code") == "invalid_arguments");
    BOOST_TEST(error_of(invalid).at("message") == "Invalid arguments for list_payments: limit: must be at most 100.");
}

BOOST_AUTO_TEST_CASE(a_justifi_error_is_502_quoting_justifis_status_code_and_message)
{
    // What the endpoint tool makes of JustiFi's error, through the dispatcher's reply.
    auto const from_justifi = justifi::tools::result_from_upstream(
        404, json::parse(R"({"error":{"code":"not_found","message":"Payment not found"}})"), "payments:read");
    BOOST_REQUIRE(from_justifi.upstream.has_value());
    auto reply = tool_error(std::string(from_justifi.content.at(0).as_object().at("text").as_string()), from_justifi.failure);
    reply.upstream = from_justifi.upstream;
    auto const answer = direct::answer_of("retrieve_payment", std::move(reply));
    BOOST_TEST(answer.status == http::status::bad_gateway);
    auto const error = error_of(answer);
    BOOST_TEST(error.at("code") == "justifi_error");
    BOOST_TEST(error.at("justifi") == (json::value{{"status", 404}, {"code", "not_found"}, {"message", "Payment not found"}}));
    BOOST_TEST(error.at("message").as_string().starts_with("JustiFi error (HTTP 404, code not_found): Payment not found."));
}

BOOST_AUTO_TEST_CASE(justifi_out_of_reach_is_502_and_a_token_budget_spent_is_503)
{
    using justifi::client::client_error;
    auto const unreachable = justifi::tools::result_from_failure(client_error::connect_failed, false);
    BOOST_TEST((unreachable.failure == client_error::connect_failed));
    auto const answer = direct::answer_of("list_payments", tool_error("Could not reach JustiFi", unreachable.failure));
    BOOST_TEST(answer.status == http::status::bad_gateway);
    BOOST_TEST(error_of(answer).at("code") == "justifi_unreachable");
    auto const busy = direct::answer_of("list_payments", tool_error("Server busy", client_error::token_budget_exhausted));
    BOOST_TEST(busy.status == http::status::service_unavailable);
}

BOOST_AUTO_TEST_CASE(a_write_that_needs_a_persons_confirmation_is_403_saying_this_endpoint_cannot_ask)
{
    auto const answer = direct::answer_of(
        "refund_payment", tool_error("refund_payment needs confirmation", errc::missing_client_capability));
    BOOST_TEST(answer.status == http::status::forbidden);
    auto const error = error_of(answer);
    BOOST_TEST(error.at("code") == "confirmation_required");
    auto const message = std::string(error.at("message").as_string());
    BOOST_TEST(message.find("refund_payment needs a person's confirmation") != std::string::npos, message);
    BOOST_TEST(message.find("cannot ask") != std::string::npos, message);
    BOOST_TEST(message.find("MCP client") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(shutdown_is_503_a_bug_is_500_and_a_tool_refusing_for_its_own_reasons_is_422)
{
    auto stopping = mcp::reply(mcp::jsonrpc::make_error(1, -32603, "The server is shutting down"));
    stopping.failure = errc::shutting_down;
    BOOST_TEST(direct::answer_of("list_payments", std::move(stopping)).status == http::status::service_unavailable);
    auto bug = mcp::reply(mcp::jsonrpc::make_error(1, -32603, "Internal error"));
    bug.failure = errc::internal_error;
    BOOST_TEST(direct::answer_of("list_payments", std::move(bug)).status == http::status::internal_server_error);
    auto const read_only = direct::answer_of("create_payment", tool_error("This server runs read-only"));
    BOOST_TEST(read_only.status == http::status::unprocessable_entity);
    BOOST_TEST(error_of(read_only).at("message") == "This server runs read-only");
}

BOOST_AUTO_TEST_CASE(refusals_keep_the_mcp_endpoints_status_challenge_and_retry_after_with_an_error_object)
{
    using justifi::server::error_format;
    using justifi::server::refusal_response;
    justifi::server::endpoint_settings settings;
    settings.oauth_scopes = {"payments:read"};
    mcp::session_codec sessions{"unit-test-session-secret-0123456789abcdef", std::chrono::hours(24)};
    justifi::server::mcp_stages stages{settings, sessions};
    justifi::core::refusal const anonymous{.code = errc::authentication_required, .message = "authentication is required"};

    auto const jsonrpc = refusal_response(direct_post(), anonymous, stages);
    auto const res = refusal_response(direct_post(), anonymous, stages, error_format::error_object);
    BOOST_TEST(res.result_int() == 401);
    BOOST_TEST(res[http::field::www_authenticate] == jsonrpc[http::field::www_authenticate]);
    BOOST_TEST(std::string(res[http::field::www_authenticate]).starts_with("Bearer resource_metadata="));
    BOOST_TEST(json::parse(res.body()) ==
               (json::value{{"error", {{"code", "authentication_required"},
                                       {"message", "Unauthorized: authentication is required"}}}}));

    auto const limited = refusal_response(direct_post(), {.code = errc::rate_limited, .message = "slow down",
                                                          .retry_after = std::chrono::seconds(3)},
                                          stages, error_format::error_object);
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "3");
    BOOST_TEST(json::parse(limited.body()).at("error").at("code") == "rate_limited");
}

BOOST_AUTO_TEST_SUITE_END()
