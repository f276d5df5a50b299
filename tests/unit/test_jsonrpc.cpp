// JSON-RPC 2.0 framing: what decode() accepts, what it refuses and with which
// error (code, message, echoed id), and the shape of what we send back.
#include "mcp/jsonrpc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <variant>

namespace json = boost::json;
namespace rpc = justifi::mcp::jsonrpc;

namespace {

// The decoded message, failing the test when decode() returned an error.
rpc::message decoded(std::string_view text)
{
    auto out = rpc::decode(text);
    if (!out) BOOST_FAIL("unexpected decode error for " << text << ": " << out.error().message);
    return *out;
}

// The error, failing the test when decode() accepted the text.
// What a refusal becomes on the wire: its JSON-RPC code, message and id.
struct wire_error {
    std::int64_t code;
    std::string message;
    json::value id;
};

wire_error refused(std::string_view text)
{
    auto out = rpc::decode(text);
    if (out) BOOST_FAIL("decode accepted " << text);
    auto const error = rpc::make_error(out.error());
    return {error.at("error").at("code").as_int64(), out.error().message, error.at("id")};
}

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jsonrpc)

BOOST_AUTO_TEST_CASE(decodes_request_with_integer_id)
{
    auto msg = decoded(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}})");
    auto const* req = std::get_if<rpc::request>(&msg);
    BOOST_REQUIRE(req);
    BOOST_TEST(req->id == json::value(7));
    BOOST_TEST(req->method == "tools/list");
    BOOST_TEST(req->params.as_object().at("cursor") == "x");
}

BOOST_AUTO_TEST_CASE(decodes_request_with_string_id)
{
    auto msg = decoded(R"({"jsonrpc":"2.0","id":"abc","method":"ping"})");
    auto const* req = std::get_if<rpc::request>(&msg);
    BOOST_REQUIRE(req);
    BOOST_TEST(req->id == json::value("abc"));
    // Absent params decode to null, not to an empty object.
    BOOST_TEST(req->params.is_null());
}

BOOST_AUTO_TEST_CASE(accepts_array_params)
{
    auto msg = decoded(R"({"jsonrpc":"2.0","id":1,"method":"m","params":[1,2]})");
    BOOST_TEST(std::get<rpc::request>(msg).params.as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(decodes_notification_without_id)
{
    auto msg = decoded(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    auto const* note = std::get_if<rpc::notification>(&msg);
    BOOST_REQUIRE(note);
    BOOST_TEST(note->method == "notifications/initialized");
    BOOST_TEST(note->params.is_null());
}

BOOST_AUTO_TEST_CASE(decodes_client_responses)
{
    // Answers to server-to-client requests: both result and error forms.
    auto ok = decoded(R"({"jsonrpc":"2.0","id":3,"result":{}})");
    BOOST_REQUIRE(std::holds_alternative<rpc::response>(ok));
    BOOST_TEST(std::get<rpc::response>(ok).id == json::value(3));

    auto failed = decoded(R"({"jsonrpc":"2.0","id":"s","error":{"code":-1,"message":"no"}})");
    BOOST_REQUIRE(std::holds_alternative<rpc::response>(failed));
    BOOST_TEST(std::get<rpc::response>(failed).id == json::value("s"));

    // JSON-RPC lets an error response carry a null id (the request was unparseable).
    auto null_id = decoded(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})");
    BOOST_TEST(std::holds_alternative<rpc::response>(null_id));
}

BOOST_AUTO_TEST_CASE(response_without_id_is_invalid)
{
    auto err = refused(R"({"jsonrpc":"2.0","result":{}})");
    BOOST_TEST(err.code == rpc::invalid_request);
    BOOST_TEST(contains(err.message, "\"id\""));
}

BOOST_AUTO_TEST_CASE(rejects_batch_array)
{
    auto err = refused(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
    BOOST_TEST(err.code == rpc::invalid_request);
    BOOST_TEST(contains(err.message, "batch"));
    BOOST_TEST(err.id.is_null());
}

BOOST_AUTO_TEST_CASE(rejects_invalid_json_with_parse_error)
{
    auto err = refused(R"({"jsonrpc":"2.0",)");
    BOOST_TEST(err.code == rpc::parse_error);
    BOOST_TEST(err.code == -32700);
    BOOST_TEST(contains(err.message, "not valid JSON"));
    BOOST_TEST(err.id.is_null());
}

BOOST_AUTO_TEST_CASE(rejects_empty_body_with_parse_error)
{
    BOOST_TEST(refused("").code == rpc::parse_error);
    BOOST_TEST(refused("   ").code == rpc::parse_error);
}

BOOST_AUTO_TEST_CASE(rejects_nesting_deeper_than_limit)
{
    // max_depth 64 keeps a hostile body from exhausting the parser's stack.
    std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"m","params":)";
    for (int i = 0; i < 100; ++i) deep += "[";
    for (int i = 0; i < 100; ++i) deep += "]";
    deep += "}";
    BOOST_TEST(refused(deep).code == rpc::parse_error);

    std::string shallow = R"({"jsonrpc":"2.0","id":1,"method":"m","params":)";
    for (int i = 0; i < 10; ++i) shallow += "[";
    for (int i = 0; i < 10; ++i) shallow += "]";
    shallow += "}";
    BOOST_TEST(std::holds_alternative<rpc::request>(decoded(shallow)));
}

BOOST_AUTO_TEST_CASE(rejects_non_object_values)
{
    for (auto text : {"42", R"("text")", "null", "true"}) {
        auto err = refused(text);
        BOOST_TEST(err.code == rpc::invalid_request, text);
        BOOST_TEST(contains(err.message, "JSON object"), text);
    }
}

BOOST_AUTO_TEST_CASE(rejects_missing_or_wrong_jsonrpc_version)
{
    for (auto text : {R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
                      R"({"jsonrpc":2.0,"id":1,"method":"ping"})"}) {
        auto err = refused(text);
        BOOST_TEST(err.code == rpc::invalid_request, text);
        BOOST_TEST(contains(err.message, "\"jsonrpc\""), text);
        // The id was valid, so the error can be correlated with the request.
        BOOST_TEST(err.id == json::value(1), text);
    }
}

BOOST_AUTO_TEST_CASE(error_echoes_valid_id_only)
{
    // A string id is echoed; an invalid id (object, fraction) is not.
    BOOST_TEST(refused(R"({"jsonrpc":"1.0","id":"r-1","method":"ping"})").id == json::value("r-1"));
    BOOST_TEST(refused(R"({"jsonrpc":"1.0","id":{"a":1},"method":"ping"})").id.is_null());
    BOOST_TEST(refused(R"({"jsonrpc":"1.0","id":1.5,"method":"ping"})").id.is_null());
}

BOOST_AUTO_TEST_CASE(rejects_null_id_on_request)
{
    // MCP: a request id MUST NOT be null.
    auto err = refused(R"({"jsonrpc":"2.0","id":null,"method":"ping"})");
    BOOST_TEST(err.code == rpc::invalid_request);
    BOOST_TEST(contains(err.message, "\"id\""));
    BOOST_TEST(err.id.is_null());
}

BOOST_AUTO_TEST_CASE(rejects_fractional_and_structured_ids)
{
    for (auto text : {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", R"({"jsonrpc":"2.0","id":[1],"method":"ping"})",
                      R"({"jsonrpc":"2.0","id":true,"method":"ping"})"}) {
        auto err = refused(text);
        BOOST_TEST(err.code == rpc::invalid_request, text);
        BOOST_TEST(contains(err.message, "string or an integer"), text);
    }
}

BOOST_AUTO_TEST_CASE(accepts_negative_and_large_unsigned_ids)
{
    BOOST_TEST(std::get<rpc::request>(decoded(R"({"jsonrpc":"2.0","id":-5,"method":"m"})")).id == json::value(-5));
    auto big = std::get<rpc::request>(decoded(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"m"})"));
    BOOST_TEST(big.id.is_uint64());
}

BOOST_AUTO_TEST_CASE(rejects_bad_method)
{
    for (auto text : {R"({"jsonrpc":"2.0","id":1,"method":""})", R"({"jsonrpc":"2.0","id":1,"method":5})",
                      R"({"jsonrpc":"2.0","method":null})"}) {
        auto err = refused(text);
        BOOST_TEST(err.code == rpc::invalid_request, text);
        BOOST_TEST(contains(err.message, "\"method\""), text);
    }
}

BOOST_AUTO_TEST_CASE(rejects_scalar_params)
{
    for (auto text : {R"({"jsonrpc":"2.0","id":2,"method":"m","params":"x"})",
                      R"({"jsonrpc":"2.0","id":2,"method":"m","params":3})",
                      R"({"jsonrpc":"2.0","id":2,"method":"m","params":null})"}) {
        auto err = refused(text);
        BOOST_TEST(err.code == rpc::invalid_request, text);
        BOOST_TEST(contains(err.message, "\"params\""), text);
        BOOST_TEST(err.id == json::value(2), text);
    }
}

BOOST_AUTO_TEST_CASE(rejects_object_without_method_or_result)
{
    auto err = refused(R"({"jsonrpc":"2.0","id":9})");
    BOOST_TEST(err.code == rpc::invalid_request);
    BOOST_TEST(contains(err.message, "\"method\""));
    BOOST_TEST(err.id == json::value(9));
}

BOOST_AUTO_TEST_CASE(decodes_from_parsed_value_too)
{
    auto value = json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    auto out = rpc::decode(value);
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(std::holds_alternative<rpc::request>(*out));
}

BOOST_AUTO_TEST_CASE(error_codes_match_spec)
{
    BOOST_TEST(rpc::parse_error == -32700);
    BOOST_TEST(rpc::invalid_request == -32600);
    BOOST_TEST(rpc::method_not_found == -32601);
    BOOST_TEST(rpc::invalid_params == -32602);
    BOOST_TEST(rpc::internal_error == -32603);
}

BOOST_AUTO_TEST_CASE(make_result_shape)
{
    auto out = rpc::make_result(json::value("a"), json::object{{"k", 1}});
    BOOST_TEST(json::value(out) == json::parse(R"({"jsonrpc":"2.0","id":"a","result":{"k":1}})"));
}

BOOST_AUTO_TEST_CASE(make_error_shape_with_and_without_data)
{
    auto plain = rpc::make_error(json::value(4), rpc::method_not_found, "Method not found: x");
    BOOST_TEST(json::value(plain) ==
               json::parse(R"({"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"Method not found: x"}})"));

    auto with_data = rpc::make_error(nullptr, rpc::parse_error, "bad", json::value{{"why", "eof"}});
    BOOST_TEST(with_data.at("id").is_null());
    BOOST_TEST(with_data.at("error").as_object().at("data").as_object().at("why") == "eof");
}

BOOST_AUTO_TEST_CASE(make_notification_omits_null_params)
{
    auto bare = rpc::make_notification("notifications/initialized", nullptr);
    BOOST_TEST(json::value(bare) == json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    BOOST_TEST(!bare.contains("id"));

    auto with = rpc::make_notification("notifications/progress", json::object{{"progress", 1}});
    BOOST_TEST(with.at("params").as_object().at("progress") == 1);
}

BOOST_AUTO_TEST_CASE(made_messages_decode_back)
{
    // What we produce is what we accept: a round trip through text.
    auto text = json::serialize(rpc::make_notification("notifications/message", json::object{{"level", "info"}}));
    auto msg = decoded(text);
    BOOST_TEST(std::get<rpc::notification>(msg).method == "notifications/message");

    auto reply = decoded(json::serialize(rpc::make_result(json::value(12), json::object{})));
    BOOST_TEST(std::get<rpc::response>(reply).id == json::value(12));
}

BOOST_AUTO_TEST_CASE(id_key_keeps_string_and_number_distinct)
{
    BOOST_TEST(rpc::id_key(json::value("42")) == "s:42");
    BOOST_TEST(rpc::id_key(json::value(42)) == "n:42");
    BOOST_TEST(rpc::id_key(json::value("42")) != rpc::id_key(json::value(42)));
    // Signed and unsigned spellings of one number are the same request.
    BOOST_TEST(rpc::id_key(json::value(std::int64_t{7})) == rpc::id_key(json::value(std::uint64_t{7})));
}

BOOST_AUTO_TEST_CASE(a_response_carries_its_result_or_its_error_for_the_request_it_answers)
{
    auto ok = std::get<rpc::response>(decoded(R"({"jsonrpc":"2.0","id":"justifi-mcp-3","result":{"action":"accept"}})"));
    BOOST_TEST(ok.result.at("action") == "accept");
    BOOST_TEST(ok.error.is_null());
    auto failed = std::get<rpc::response>(decoded(R"({"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"no"}})"));
    BOOST_TEST(failed.result.is_null());
    BOOST_TEST(failed.error.at("message") == "no");

    auto both = refused(R"({"jsonrpc":"2.0","id":5,"result":{},"error":{"code":-1,"message":"no"}})");
    BOOST_TEST(both.code == rpc::invalid_request);
    BOOST_TEST(contains(both.message, "not both"));
}

BOOST_AUTO_TEST_CASE(made_requests_decode_back)
{
    auto const text = json::serialize(rpc::make_request(json::value("justifi-mcp-9"), "elicitation/create",
                                                        json::object{{"message", "Refund?"}}));
    auto const message = decoded(text);
    auto const* sent = std::get_if<rpc::request>(&message);
    BOOST_REQUIRE(sent);
    BOOST_TEST(sent->id == json::value("justifi-mcp-9"));
    BOOST_TEST(sent->method == "elicitation/create");
    BOOST_TEST(sent->params.at("message") == "Refund?");
}

BOOST_AUTO_TEST_SUITE_END()
