// requestState of 2026-07-28's multi round-trip requests: what open() accepts (our own state,
// unexpired, for the same caller, tool and arguments, on any replica with the same secret) and
// how it refuses everything else; reading a retry's fields; the capabilities input requests need.
#include "mcp/request_state.hpp"

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <string>

using namespace std::chrono_literals;
namespace json = boost::json;
using justifi::core::errc;
using justifi::mcp::request_state_codec;
using justifi::mcp::state_binding;

namespace {

constexpr std::string_view secret = "an-operator-secret-of-at-least-32-chars!";
request_state_codec::clock::time_point const t0{std::chrono::seconds(1'750'000'000)};

json::object const arguments = json::parse(R"({"payment_id":"py_1","amount":5000,"meta":{"b":1,"a":[1,{"y":2,"x":1}]}})").as_object();
state_binding const alice_refund{"sub:alice", "tools/call", "create_refund", arguments};

std::string message_of(justifi::core::outcome<justifi::mcp::opened_state> const& r)
{
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == errc::invalid_params));
    return r.error().message;
}

json::object envelope_declaring(std::string_view capabilities_json)
{
    return json::parse(capabilities_json).as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_state)

BOOST_AUTO_TEST_CASE(a_sealed_state_opens_with_its_payload_and_nonce_on_any_replica_with_the_secret)
{
    request_state_codec const one(secret), other_replica(secret);
    auto const state = one.seal("awaiting-confirmation", alice_refund, t0);
    auto const opened = other_replica.open(state, alice_refund, t0 + 10s);
    BOOST_REQUIRE(opened.has_value());
    BOOST_TEST(opened->payload == "awaiting-confirmation");
    BOOST_TEST(opened->nonce.size() == 32u);
    // Every seal draws a new nonce: two questions never share an idempotency key.
    std::set<std::string> nonces;
    for (int i = 0; i < 50; ++i) nonces.insert(one.open(one.seal("", alice_refund, t0), alice_refund, t0)->nonce);
    BOOST_TEST(nonces.size() == 50u);
}

BOOST_AUTO_TEST_CASE(copies_made_before_or_after_the_key_is_derived_agree_and_another_secret_does_not)
{
    // The key is derived by the first seal or open: a copy taken before then, one taken after,
    // and the original must all seal and open alike.
    request_state_codec const original(secret);
    auto const copied_before = original;
    auto const state = copied_before.seal("p", alice_refund, t0);
    auto const copied_after = original;
    BOOST_TEST(original.open(state, alice_refund, t0).has_value());
    BOOST_TEST(copied_after.open(state, alice_refund, t0).has_value());
    BOOST_TEST(copied_after.open(original.seal("q", alice_refund, t0), alice_refund, t0)->payload == "q");
    request_state_codec const other_secret("another-operator-secret-of-32-chars-or-more");
    BOOST_TEST(!other_secret.open(state, alice_refund, t0).has_value());
}

BOOST_AUTO_TEST_CASE(arguments_bind_by_content_not_by_key_order)
{
    request_state_codec const codec(secret);
    auto const state = codec.seal("x", alice_refund, t0);
    auto const reordered =
        json::parse(R"({"meta":{"a":[1,{"x":1,"y":2}],"b":1},"amount":5000,"payment_id":"py_1"})").as_object();
    BOOST_TEST(codec.open(state, {"sub:alice", "tools/call", "create_refund", reordered}, t0).has_value());
    BOOST_TEST(justifi::mcp::canonical_json(json::parse(R"({"b":[2,1],"a":"\u00e9"})")) == R"({"a":"é","b":[2,1]})");
}

BOOST_AUTO_TEST_CASE(another_caller_tool_or_arguments_is_refused_as_failing_integrity)
{
    request_state_codec const codec(secret);
    auto const state = codec.seal("x", alice_refund, t0);
    auto const more = json::parse(R"({"payment_id":"py_1","amount":5001,"meta":{"b":1,"a":[1,{"y":2,"x":1}]}})").as_object();
    for (auto const& binding : {state_binding{"sub:mallory", "tools/call", "create_refund", arguments},
                                state_binding{"sub:alice", "tools/call", "void_payment", arguments},
                                state_binding{"sub:alice", "prompts/get", "create_refund", arguments},
                                state_binding{"sub:alice", "tools/call", "create_refund", more}})
        BOOST_TEST(message_of(codec.open(state, binding, t0)).find("integrity") != std::string::npos);
    // Nor does a replica with another secret accept it.
    request_state_codec const stranger("a-different-secret-of-at-least-32-chars!");
    BOOST_TEST(message_of(stranger.open(state, alice_refund, t0)).find("integrity") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_changed_byte_anywhere_is_refused)
{
    request_state_codec const codec(secret);
    auto const state = codec.seal("awaiting-confirmation", alice_refund, t0);
    for (std::size_t i = 0; i < state.size(); ++i) {
        if (state[i] == '.') continue;
        auto tampered = state;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        BOOST_TEST(!codec.open(tampered, alice_refund, t0).has_value(), "byte " << i);
    }
    BOOST_TEST(!codec.open(state + "-TAMPERED", alice_refund, t0).has_value());
}

BOOST_AUTO_TEST_CASE(what_is_not_a_state_of_ours_is_refused_saying_so)
{
    request_state_codec const codec(secret);
    for (std::string const& junk : std::initializer_list<std::string>{"", "no-dot", ".", "AAAA.AAAA", "!!!.???",
                                                                      std::string(20'000, 'A') + ".A"})
        BOOST_TEST(message_of(codec.open(junk, alice_refund, t0)).find("not one this server issued") != std::string::npos,
                   junk.substr(0, 20));
}

BOOST_AUTO_TEST_CASE(a_state_expires_after_its_lifetime_with_a_little_skew_allowed)
{
    request_state_codec const codec(secret, 300s);
    auto const state = codec.seal("x", alice_refund, t0);
    BOOST_TEST(codec.open(state, alice_refund, t0 + 300s).has_value());
    BOOST_TEST(codec.open(state, alice_refund, t0 + 320s).has_value());  // within the clock skew
    BOOST_TEST(message_of(codec.open(state, alice_refund, t0 + 331s)).find("expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_retry_reads_input_responses_and_opens_the_state_refusing_ill_typed_fields)
{
    request_state_codec const codec(secret);
    auto const first = justifi::mcp::read_retry(json::parse(R"({"name":"create_refund","arguments":{}})"), codec,
                                                alice_refund, t0);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(!first->input_responses.has_value());
    BOOST_TEST(!first->state.has_value());

    json::object params{{"inputResponses", json::parse(R"({"confirm":{"action":"accept","content":{"ok":true}}})")},
                        {"requestState", codec.seal("kept", alice_refund, t0)}};
    auto const retry = justifi::mcp::read_retry(params, codec, alice_refund, t0);
    BOOST_REQUIRE(retry.has_value());
    BOOST_TEST(retry->input_responses->contains("confirm"));
    BOOST_TEST(retry->state->payload == "kept");

    auto refusal = [&](std::string_view params_json) {
        auto const r = justifi::mcp::read_retry(json::parse(params_json), codec, alice_refund, t0);
        BOOST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error().code == errc::invalid_params));
        return r.error().message;
    };
    BOOST_TEST(refusal(R"({"inputResponses":null})").find("inputResponses must be an object") != std::string::npos);
    BOOST_TEST(refusal(R"({"inputResponses":{"user_name":12345}})").find("inputResponses.user_name") != std::string::npos);
    BOOST_TEST(refusal(R"({"requestState":7})").find("requestState must be") != std::string::npos);
    BOOST_TEST(refusal(R"({"requestState":"forged.state"})").find("requestState") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(input_requests_need_the_capabilities_the_client_declared_and_32021_names_every_missing_one)
{
    justifi::mcp::envelope client;
    auto const requests = json::parse(R"({
        "name": {"method": "elicitation/create", "params": {"message": "?", "requestedSchema": {"type": "object"}}},
        "link": {"method": "elicitation/create", "params": {"mode": "url", "message": "?", "url": "https://x"}},
        "model": {"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 5}},
        "roots": {"method": "roots/list", "params": {}}})").as_object();

    client.client_capabilities = envelope_declaring("{}");
    auto const none = justifi::mcp::check_input_requests(requests, client);
    BOOST_REQUIRE(!none.has_value());
    BOOST_TEST((none.error().code == errc::missing_client_capability));
    BOOST_TEST(json::serialize(none.error().data) ==
               R"({"requiredCapabilities":{"elicitation":{"url":{}},"sampling":{},"roots":{}}})");

    // "elicitation": {} is form mode only: the url request still needs elicitation.url.
    client.client_capabilities = envelope_declaring(R"({"elicitation":{},"sampling":{},"roots":{}})");
    auto const form_only = justifi::mcp::check_input_requests(requests, client);
    BOOST_REQUIRE(!form_only.has_value());
    BOOST_TEST(json::serialize(form_only.error().data) == R"({"requiredCapabilities":{"elicitation":{"url":{}}}})");

    client.client_capabilities = envelope_declaring(R"({"elicitation":{"form":{},"url":{}},"sampling":{},"roots":{}})");
    BOOST_TEST(justifi::mcp::check_input_requests(requests, client).has_value());

    // A request of another kind is the tool's bug.
    auto const odd = justifi::mcp::check_input_requests(json::parse(R"({"x":{"method":"tools/call"}})").as_object(), client);
    BOOST_REQUIRE(!odd.has_value());
    BOOST_TEST((odd.error().code == errc::internal_error));
}

BOOST_AUTO_TEST_SUITE_END()
