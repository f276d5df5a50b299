// Requests this server sends the client inside a call (legacy elicitation/create): the table of
// those awaiting an answer, sans-io. Who may ask is the dispatcher's (test_mcp_dispatch.cpp,
// suite legacy_elicitation).
#include "mcp/client_requests.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;
namespace mcp = justifi::mcp;
namespace rpc = justifi::mcp::jsonrpc;
using justifi::core::errc;

namespace {

rpc::response answer(json::value id, std::string_view body)
{
    auto decoded = rpc::decode(R"({"jsonrpc":"2.0","id":)" + json::serialize(id) + "," + std::string(body) + "}");
    BOOST_REQUIRE_MESSAGE(decoded, "test answer does not decode");
    BOOST_REQUIRE(std::holds_alternative<rpc::response>(*decoded));
    return std::get<rpc::response>(*decoded);
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(client_requests)

BOOST_AUTO_TEST_CASE(an_answer_settles_its_request_and_wakes_its_waiter)
{
    mcp::client_request_table table;
    int woken = 0;
    auto opened = table.open("elicitation/create", [&woken] { ++woken; });
    BOOST_REQUIRE(opened);
    BOOST_TEST(opened->id.is_string());
    BOOST_TEST(!table.take(opened->ticket).has_value());  // still awaited

    BOOST_TEST(table.settle(answer(opened->id, R"("result":{"action":"accept","content":{"ok":true}})")));
    BOOST_TEST(woken == 1);
    auto taken = table.take(opened->ticket);
    BOOST_REQUIRE(taken.has_value());
    BOOST_REQUIRE(taken->has_value());
    BOOST_TEST((taken->value() == json::parse(R"({"action":"accept","content":{"ok":true}})").as_object()));
    BOOST_TEST(table.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(ids_are_never_reused_and_never_look_like_a_clients_number)
{
    mcp::client_request_table first;
    mcp::client_request_table second;
    auto a = first.open("elicitation/create", {});
    auto b = second.open("elicitation/create", {});
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    BOOST_TEST(a->id != b->id);
    BOOST_TEST(a->id.as_string().starts_with("justifi-mcp-"));
    // The same number as a client would write it, or our prefix with junk: no match.
    BOOST_TEST(!first.settle(answer(json::value(a->ticket), R"("result":{})")));
    BOOST_TEST(!first.settle(answer(json::value(std::string(a->id.as_string()) + "x"), R"("result":{})")));
    BOOST_TEST(!first.settle(answer(b->id, R"("result":{})")));  // the other table's
    BOOST_TEST(first.settle(answer(a->id, R"("result":{})")));
}

BOOST_AUTO_TEST_CASE(an_error_answer_is_a_refusal_quoting_the_client)
{
    mcp::client_request_table table;
    auto opened = table.open("elicitation/create", {});
    BOOST_REQUIRE(opened);
    BOOST_TEST(table.settle(answer(opened->id, R"("error":{"code":-32601,"message":"no UI to ask with"})")));
    auto taken = table.take(opened->ticket);
    BOOST_REQUIRE(taken.has_value());
    BOOST_REQUIRE(!taken->has_value());
    BOOST_TEST((taken->error().code == errc::client_request_failed));
    BOOST_TEST(contains(taken->error().message, "-32601"));
    BOOST_TEST(contains(taken->error().message, "\"no UI to ask with\""));
    BOOST_TEST(contains(taken->error().message, "elicitation/create"));
}

BOOST_AUTO_TEST_CASE(a_result_that_is_not_an_object_is_refused)
{
    auto const read = mcp::read_answer(answer(json::value("justifi-mcp-1"), R"("result":"accept")"), "elicitation/create");
    BOOST_REQUIRE(!read);
    BOOST_TEST((read.error().code == errc::client_request_failed));
    BOOST_TEST(contains(read.error().message, "not a result object"));
}

BOOST_AUTO_TEST_CASE(unknown_answered_and_abandoned_ids_are_ignored)
{
    mcp::client_request_table table;
    int woken = 0;
    auto opened = table.open("elicitation/create", [&woken] { ++woken; });
    BOOST_REQUIRE(opened);
    BOOST_TEST(!table.settle(answer(json::value("justifi-mcp-0"), R"("result":{})")));
    BOOST_TEST(!table.settle(answer(json::value(7), R"("result":{})")));
    BOOST_TEST(!table.settle(answer(nullptr, R"("error":{"code":-32700,"message":"x"})")));
    BOOST_TEST(woken == 0);

    BOOST_TEST(table.settle(answer(opened->id, R"("result":{"action":"decline"})")));
    BOOST_TEST(!table.settle(answer(opened->id, R"("result":{"action":"accept"})")));  // answered already
    BOOST_TEST(woken == 1);
    BOOST_TEST(table.take(opened->ticket)->value().at("action") == "decline");  // the first answer stands

    auto later = table.open("elicitation/create", [&woken] { ++woken; });
    BOOST_REQUIRE(later);
    table.abandon(later->ticket);  // its deadline passed
    BOOST_TEST(!table.settle(answer(later->id, R"("result":{})")));
    BOOST_TEST(woken == 1);
    BOOST_TEST(table.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(the_table_is_bounded)
{
    mcp::client_request_table table(2);
    auto a = table.open("elicitation/create", {});
    auto b = table.open("elicitation/create", {});
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    auto c = table.open("elicitation/create", {});
    BOOST_REQUIRE(!c);
    BOOST_TEST((c.error().code == errc::overloaded));
    BOOST_TEST(contains(c.error().message, "2 questions"));
    // An answered, taken request frees its place.
    BOOST_TEST(table.settle(answer(a->id, R"("result":{})")));
    BOOST_TEST(table.take(a->ticket).has_value());
    BOOST_TEST(table.open("elicitation/create", {}).has_value());
}

BOOST_AUTO_TEST_CASE(fail_all_wakes_every_waiter_with_the_reason)
{
    mcp::client_request_table table;
    int woken = 0;
    auto a = table.open("elicitation/create", [&woken] { ++woken; });
    auto b = table.open("elicitation/create", [&woken] { ++woken; });
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    BOOST_TEST(table.settle(answer(a->id, R"("result":{"action":"cancel"})")));
    table.fail_all(justifi::core::refuse(errc::client_gone, "the client closed its input"));
    BOOST_TEST(woken == 2);  // a once (its answer), b once (the failure)
    BOOST_TEST(table.take(a->ticket)->has_value());  // an answer already in stands
    auto failed = table.take(b->ticket);
    BOOST_REQUIRE(failed.has_value());
    BOOST_TEST((failed->error().code == errc::client_gone));
}

BOOST_AUTO_TEST_SUITE_END()
