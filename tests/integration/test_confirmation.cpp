// Who is asked before money moves, against the real binary and the simulator: a 2026-07-28
// client that declared elicitation gets the question (input_required) and nothing is written
// yet; a call JustiFi would refuse is refused before anyone is asked; a legacy client over
// HTTP is never asked (an answer could reach another replica), so JUSTIFI_CONFIRM_WRITES
// decides: auto goes ahead, required refuses and says why, off never asks anyone.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace justifi::test;
namespace json = boost::json;

namespace {

json::object modern_meta(json::object capabilities)
{
    return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
            {"io.modelcontextprotocol/clientCapabilities", std::move(capabilities)},
            {"io.modelcontextprotocol/clientInfo", json::object{{"name", "confirmation-test"}, {"version", "1.0"}}}};
}

json::object const can_elicit{{"elicitation", json::object{{"form", json::object{}}}}};

// One 2026-07-28 tools/call; its JSON-RPC response.
json::object modern_call(std::uint16_t port, std::string_view tool, json::object arguments,
                         json::object capabilities = can_elicit)
{
    auto headers = mcp_post_headers();
    headers.emplace_back("MCP-Protocol-Version", "2026-07-28");
    headers.emplace_back("Mcp-Method", "tools/call");
    headers.emplace_back("Mcp-Name", std::string(tool));
    // sub_account_id is declared x-mcp-header: Sub-Account, so the header mirrors it.
    if (auto const* account = arguments.if_contains("sub_account_id"); account && account->is_string())
        headers.emplace_back("Mcp-Param-Sub-Account", std::string(account->get_string()));
    json::object params{{"name", tool}, {"arguments", std::move(arguments)}, {"_meta", modern_meta(std::move(capabilities))}};
    auto const response = http_request(port, "POST", "/mcp", headers,
                                       json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"},
                                                                    {"params", std::move(params)}}));
    // An error has its own status (-32021 is a 400); the JSON-RPC answer says which.
    BOOST_TEST_REQUIRE((response.status == 200 || response.json().as_object().contains("error")), response.body);
    return response.json().as_object();
}

// A succeeded payment of the simulator with at least $20.00 left to refund.
json::object refundable_payment(std::uint16_t port)
{
    auto const listed = modern_call(port, "list_payments", {{"limit", 100}, {"payment_status", "succeeded"}});
    for (auto const& p : listed.at("result").at("structuredContent").at("data").as_array())
        if (p.at("amount_refundable").to_number<std::int64_t>() >= 2000) return p.as_object();
    BOOST_FAIL("the simulator has no refundable payment");
    return {};
}

json::object refund_of(json::object const& payment, std::int64_t amount)
{
    return {{"payment_id", payment.at("id")}, {"amount", amount}};
}

json::array refund_writes(mock_server const& mock)
{
    json::array out;
    auto const stats = mock.stats();
    for (auto const& w : stats.at("recent_writes").as_array())
        if (w.at("request").as_string() == "POST /v1/payments/{id}/refunds") out.push_back(w);
    return out;
}

bool is_random_uuid(json::string_view key)
{
    return key.size() == 36 && key[8] == '-' && key[14] == '4' && !key.starts_with("justifi-mcp-confirmed-");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(confirmation_policy)

BOOST_AUTO_TEST_CASE(a_client_that_can_elicit_is_asked_with_justifis_facts_and_nothing_is_written_yet)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const payment = refundable_payment(server.port);
    mock.reset_stats();
    auto const answer = modern_call(server.port, "create_refund", refund_of(payment, 1000));
    auto const& result = answer.at("result").as_object();
    BOOST_TEST(result.at("resultType").as_string() == "input_required");
    auto const& request = result.at("inputRequests").at("confirm").as_object();
    BOOST_TEST(request.at("method").as_string() == "elicitation/create");
    auto const message = std::string(request.at("params").at("message").as_string());
    BOOST_TEST(message.starts_with("Refund $10.00 of the "), message);
    BOOST_TEST(message.find(std::string(payment.at("id").as_string())) != std::string::npos, message);
    BOOST_TEST(message.find("will remain refundable") != std::string::npos, message);
    BOOST_TEST(request.at("params").at("requestedSchema").at("required") == json::array{"confirm"});
    BOOST_TEST(result.at("requestState").is_string());
    BOOST_TEST(mock.requests_to("GET /v1/payments/{id}") == 1);  // the one read the question needs
    BOOST_TEST(refund_writes(mock).empty());
}

BOOST_AUTO_TEST_CASE(a_refund_justifi_would_refuse_is_refused_before_anyone_is_asked)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const payment = refundable_payment(server.port);
    mock.reset_stats();
    auto const too_much = payment.at("amount_refundable").to_number<std::int64_t>() + 1;
    auto const answer = modern_call(server.port, "create_refund", refund_of(payment, too_much));
    auto const& result = answer.at("result").as_object();
    BOOST_TEST(result.at("resultType").as_string() == "complete");
    BOOST_TEST(is_error(result));
    BOOST_TEST(text_of(result).find("refund_exceeds_amount_available") != std::string::npos, text_of(result));
    BOOST_TEST(text_of(result).find("nobody was asked") != std::string::npos, text_of(result));
    BOOST_TEST(refund_writes(mock).empty());
}

BOOST_AUTO_TEST_CASE(a_legacy_http_client_is_never_asked_and_auto_goes_ahead)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const payment = refundable_payment(server.port);
    // It declares elicitation, but an answer over HTTP could reach another replica.
    auto const session = mcp_session::open(server.port, "2025-11-25");
    mock.reset_stats();
    auto const response = session.post(json::object{
        {"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"},
        {"params", json::object{{"name", "create_refund"}, {"arguments", refund_of(payment, 500)}}}});
    BOOST_TEST(response.body.find("elicitation/create") == std::string::npos, response.body);
    auto const messages = response.header("Content-Type").starts_with("text/event-stream") ? sse_messages(response.body)
                                                                                          : std::vector{response.json()};
    auto const& result = messages.back().at("result").as_object();
    BOOST_TEST(!is_error(result), text_of(result));
    auto const writes = refund_writes(mock);
    BOOST_TEST_REQUIRE(writes.size() == 1u);
    BOOST_TEST(is_random_uuid(writes[0].at("idempotency_key").as_string()), writes[0]);
}

BOOST_AUTO_TEST_CASE(required_refuses_a_client_that_cannot_be_asked_and_says_why)
{
    mock_server mock;
    auto options = against(mock);
    options.env.emplace_back("JUSTIFI_CONFIRM_WRITES", "required");
    http_server server(std::move(options), product_binary);
    auto const payment = refundable_payment(server.port);
    auto const session = mcp_session::open(server.port, "2025-11-25");
    mock.reset_stats();
    auto const legacy = session.call("tools/call", json::object{{"name", "create_refund"}, {"arguments", refund_of(payment, 500)}});
    auto const& result = legacy.at("result").as_object();
    BOOST_TEST(is_error(result));
    BOOST_TEST(text_of(result).find("JUSTIFI_CONFIRM_WRITES=required") != std::string::npos, text_of(result));
    BOOST_TEST(text_of(result).find("Nothing was sent to JustiFi") != std::string::npos, text_of(result));

    auto const modern = modern_call(server.port, "create_refund", refund_of(payment, 500), json::object{});
    BOOST_TEST(modern.at("error").at("code").as_int64() == -32021);
    BOOST_TEST(modern.at("error").at("data").at("requiredCapabilities").as_object().contains("elicitation"));
    // URL mode only cannot show a form.
    json::object const url_only{{"elicitation", json::object{{"url", json::object{}}}}};
    auto const by_url = modern_call(server.port, "create_refund", refund_of(payment, 500), url_only);
    BOOST_TEST(by_url.at("error").at("code").as_int64() == -32021);
    BOOST_TEST(total_v1_requests(mock) == 0);  // not even the read
}

BOOST_AUTO_TEST_CASE(auto_lets_a_modern_client_without_elicitation_go_ahead_and_off_never_asks)
{
    mock_server mock;
    http_server automatic(against(mock), product_binary);
    auto options = against(mock);
    options.env.emplace_back("JUSTIFI_CONFIRM_WRITES", "off");
    http_server off(std::move(options), product_binary);
    auto const payment = refundable_payment(automatic.port);
    mock.reset_stats();

    auto const unasked = modern_call(automatic.port, "create_refund", refund_of(payment, 300), json::object{});
    BOOST_TEST(unasked.at("result").at("resultType").as_string() == "complete");
    BOOST_TEST(!is_error(unasked.at("result").as_object()), text_of(unasked.at("result").as_object()));
    // A client that could be asked is not, when confirmation is off.
    auto const never = modern_call(off.port, "create_refund", refund_of(payment, 300));
    BOOST_TEST(never.at("result").at("resultType").as_string() == "complete");
    BOOST_TEST(!is_error(never.at("result").as_object()), text_of(never.at("result").as_object()));
    auto const writes = refund_writes(mock);
    BOOST_TEST_REQUIRE(writes.size() == 2u);
    for (auto const& w : writes) BOOST_TEST(is_random_uuid(w.at("idempotency_key").as_string()), w);
}

// Each money-moving tool reads what it needs from the simulator, asks, and on yes does its work.
BOOST_AUTO_TEST_CASE(every_confirmed_tool_asks_with_justifis_facts_then_acts_on_yes)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto options = against(mock);
    options.env.emplace_back("JUSTIFI_CONFIRM_WRITES", "off");
    http_server setup(std::move(options), product_binary);  // makes what the calls act on, unasked

    auto require = [&](std::string_view tool, json::object arguments) {
        auto const answer = modern_call(setup.port, tool, std::move(arguments));
        auto const& result = answer.at("result").as_object();
        BOOST_TEST_REQUIRE(!is_error(result), tool << ": " << text_of(result));
        return result.at("structuredContent").as_object();
    };
    auto id_of = [](json::object const& envelope) { return std::string(envelope.at("data").at("id").as_string()); };
    auto const accounts = require("list_sub_accounts", {{"limit", 1}});
    auto const account = std::string(accounts.at("data").at(0).at("id").as_string());
    auto authorized = [&](std::int64_t amount) {
        return id_of(require("create_payment", {{"amount", amount}, {"currency", "usd"}, {"capture_strategy", "manual"},
                                                {"payment_method", {{"token", "pm_test_visa"}}},
                                                {"description", "Halter"}, {"sub_account_id", account}}));
    };
    auto checkout = [&](std::int64_t amount) {
        return id_of(require("create_checkout", {{"amount", amount}, {"description", "Saddle"}, {"sub_account_id", account}}));
    };
    auto const completed = checkout(4500);
    require("complete_checkout", {{"checkout_id", completed}, {"payment_token", "pm_test_visa"}});
    auto const intent = id_of(require("create_payment_intent", {{"amount", 3100}, {"currency", "usd"},
                                                                {"description", "Lesson"}, {"sub_account_id", account}}));

    struct row {
        std::string tool;
        json::object arguments;
        std::string question;  // how the message starts
    };
    std::vector<row> const rows{
        {"create_payment",
         {{"amount", 2599}, {"currency", "usd"}, {"capture_strategy", "automatic"},
          {"payment_method", {{"token", "pm_test_visa"}}}, {"description", "Hay"}, {"sub_account_id", account}},
         "Charge $25.99 to Visa •••• 4242 (pm_test_visa) for 'Hay'?"},
        {"capture_payment", {{"payment_id", authorized(1234)}}, "Capture the $12.34 payment py_"},
        {"void_payment", {{"payment_id", authorized(1234)}}, "Void the $12.34 payment py_"},
        {"complete_checkout", {{"checkout_id", checkout(4500)}, {"payment_token", "pm_test_visa"}},
         "Charge $45.00 to Visa •••• 4242 (pm_test_visa) to complete checkout cho_"},
        {"refund_checkout", {{"checkout_id", completed}, {"amount", 100}}, "Refund $1.00 of checkout " + completed + "'s $45.00 payment py_"},
        {"capture_payment_intent", {{"intent_id", intent}, {"payment_method", {{"token", "pm_test_visa"}}}},
         "Charge $31.00 to Visa •••• 4242 (pm_test_visa) for payment intent " + intent},
    };
    for (auto const& r : rows) {
        BOOST_TEST_CONTEXT(r.tool)
        {
            mock.reset_stats();
            auto const asked = modern_call(server.port, r.tool, r.arguments);
            auto const& first = asked.at("result").as_object();
            BOOST_TEST_REQUIRE(first.at("resultType").as_string() == "input_required", asked);
            auto const message = std::string(first.at("inputRequests").at("confirm").at("params").at("message").as_string());
            BOOST_TEST(message.starts_with(r.question), message);
            BOOST_TEST(mock.stats().at("recent_writes").as_array().empty());

            auto params = json::object{{"name", r.tool},
                                       {"arguments", r.arguments},
                                       {"inputResponses", json::object{{"confirm", json::object{{"action", "accept"},
                                                                                                {"content", json::object{{"confirm", true}}}}}}},
                                       {"requestState", first.at("requestState")},
                                       {"_meta", modern_meta(can_elicit)}};
            auto headers = mcp_post_headers();
            headers.emplace_back("MCP-Protocol-Version", "2026-07-28");
            headers.emplace_back("Mcp-Method", "tools/call");
            headers.emplace_back("Mcp-Name", r.tool);
            if (r.arguments.contains("sub_account_id")) headers.emplace_back("Mcp-Param-Sub-Account", account);
            auto const done = http_request(server.port, "POST", "/mcp", headers,
                                           json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", 6}, {"method", "tools/call"},
                                                                        {"params", std::move(params)}}));
            auto const answer = done.json();  // named: a reference into a temporary would dangle
            auto const& result = answer.at("result").as_object();
            BOOST_TEST(!is_error(result), text_of(result));
            auto const writes = mock.stats().at("recent_writes").as_array();
            BOOST_TEST_REQUIRE(writes.size() == 1u, writes);
            BOOST_TEST(writes[0].at("idempotency_key").as_string().starts_with("justifi-mcp-confirmed-"));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
