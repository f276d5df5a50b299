// The modern era's rules without sockets: era classification, the per-request _meta envelope,
// the -32022 answer, the mirrored headers (with the spec's Base64 sentinel examples) and the
// x-mcp-header declarations of a tool's schema. The conformance suite's header and envelope
// cases are here as values.
#include "mcp/envelope.hpp"
#include "mcp/jsonrpc.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;
namespace mcp = justifi::mcp;
namespace tools = justifi::tools;
using justifi::core::errc;

namespace {

json::value params_of(std::string_view text) { return json::parse(text); }

json::object const modern_meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                               {"io.modelcontextprotocol/clientCapabilities", json::object{}}};

json::value with_meta(json::object extra = {}, json::object meta = modern_meta)
{
    extra["_meta"] = std::move(meta);
    return extra;
}

// The refusal's code and words, failing the test when the outcome is a value.
template <class T>
justifi::core::refusal refusal_of(justifi::core::outcome<T> const& outcome)
{
    BOOST_REQUIRE_MESSAGE(!outcome, "expected a refusal");
    return outcome.error();
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

mcp::mirrored_headers headers(std::string_view version, std::string_view method,
                              std::optional<std::string_view> name = std::nullopt)
{
    return {.protocol_version = version, .method = method, .name = name, .params = {}};
}

mcp::envelope envelope_of(std::string version = "2026-07-28")
{
    mcp::envelope e;
    e.protocol_version = std::move(version);
    return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(modern_envelope)

BOOST_AUTO_TEST_CASE(a_protocol_version_in_meta_makes_a_request_modern_even_an_initialize)
{
    BOOST_TEST((mcp::classify(with_meta()) == mcp::era::modern));
    BOOST_TEST((mcp::classify(with_meta({{"protocolVersion", "2025-11-25"}})) == mcp::era::modern));
    // A claim with an unknown version is still modern: it gets -32022, never the legacy path.
    json::object other = modern_meta;
    other["io.modelcontextprotocol/protocolVersion"] = "v999.0.0";
    BOOST_TEST((mcp::classify(with_meta({}, other)) == mcp::era::modern));
}

BOOST_AUTO_TEST_CASE(without_a_claim_the_header_decides_and_no_header_is_legacy)
{
    auto const bare = params_of(R"({"name":"list_payments"})");
    BOOST_TEST((mcp::classify(bare) == mcp::era::legacy));
    BOOST_TEST((mcp::classify(bare, "2025-11-25") == mcp::era::legacy));
    BOOST_TEST((mcp::classify(bare, "2025-03-26") == mcp::era::legacy));
    // The conformance "missing _meta" cases: a modern header, params {} → modern, then -32602.
    BOOST_TEST((mcp::classify(params_of("{}"), "2026-07-28") == mcp::era::modern));
    BOOST_TEST((mcp::classify(params_of("{}"), " 2026-07-28 ") == mcp::era::modern));
    BOOST_TEST((mcp::classify(json::value(nullptr)) == mcp::era::legacy));
    // A _meta with only a progress token is a 2025 request's.
    BOOST_TEST((mcp::classify(params_of(R"({"_meta":{"progressToken":1}})")) == mcp::era::legacy));
}

BOOST_AUTO_TEST_CASE(the_envelope_is_read_from_the_request_alone)
{
    json::object meta = modern_meta;
    meta["io.modelcontextprotocol/clientInfo"] = json::object{{"name", "probe"}, {"version", "1.0"}};
    meta["io.modelcontextprotocol/clientCapabilities"] = json::object{{"elicitation", json::object{}}};
    meta["io.modelcontextprotocol/logLevel"] = "warning";
    meta["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";
    auto const e = mcp::read_envelope(with_meta({}, meta));
    BOOST_REQUIRE(e);
    BOOST_TEST(e->protocol_version == "2026-07-28");
    BOOST_TEST(e->client_info.at("name").as_string() == "probe");
    BOOST_TEST((e->log_level == mcp::log_level_index("warning")));
    BOOST_TEST(mcp::declares(*e, {"elicitation"}));
    BOOST_TEST(mcp::declares(*e, {"elicitation", "form"}));  // {} predates the modes: form
    BOOST_TEST(!mcp::declares(*e, {"sampling"}));
    // clientInfo and logLevel are optional; without logLevel, no log messages.
    auto const plain = mcp::read_envelope(with_meta());
    BOOST_REQUIRE(plain);
    BOOST_TEST(plain->client_info.empty());
    BOOST_TEST(!plain->log_level);
}

BOOST_AUTO_TEST_CASE(a_missing_or_ill_typed_required_key_is_invalid_params_naming_it)
{
    struct case_t {
        char const* params;
        char const* names;
    };
    for (auto const& c : std::initializer_list<case_t>{
             {R"({})", "params._meta"},
             {R"({"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}})", "io.modelcontextprotocol/protocolVersion"},
             {R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}})", "io.modelcontextprotocol/clientCapabilities"},
             {R"({"_meta":{"io.modelcontextprotocol/protocolVersion":20260728,"io.modelcontextprotocol/clientCapabilities":{}}})",
              "must be a string"},
             {R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":[]}})",
              "must be an object"},
             {R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"x"}}})",
              "clientInfo"},
             {R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"loud"}})",
              "Invalid log level"},
         }) {
        auto const r = refusal_of(mcp::read_envelope(params_of(c.params)));
        BOOST_TEST((r.code == errc::invalid_params), c.params);
        BOOST_TEST(contains(r.message, c.names), r.message);
        BOOST_TEST(mcp::jsonrpc::make_error(r).at("error").at("code").as_int64() == -32602);
    }
}

BOOST_AUTO_TEST_CASE(an_unsupported_version_is_32022_listing_what_is_supported_and_echoing_the_request)
{
    BOOST_TEST(!!mcp::check_modern_version("2026-07-28"));
    for (auto const* requested : {"v999.0.0", "2025-11-25", "1900-01-01", ""}) {
        auto r = refusal_of(mcp::check_modern_version(requested));
        BOOST_TEST((r.code == errc::protocol_version_unsupported));
        r.id = 7;
        auto const wire = mcp::jsonrpc::make_error(r);
        BOOST_TEST(wire.at("id").as_int64() == 7);
        BOOST_TEST(wire.at("error").at("code").as_int64() == -32022);
        BOOST_TEST(wire.at("error").at("data").at("requested").as_string() == requested);
        BOOST_TEST((wire.at("error").at("data").at("supported") == json::array{"2026-07-28"}));
    }
}

BOOST_AUTO_TEST_CASE(a_missing_capability_is_32021_with_the_capabilities_as_an_object)
{
    auto r = mcp::missing_capability({{"elicitation", json::object{}}}, "confirming a refund needs elicitation");
    auto const wire = mcp::jsonrpc::make_error(r);
    BOOST_TEST(wire.at("error").at("code").as_int64() == -32021);
    BOOST_TEST((wire.at("error").at("data") == json::parse(R"({"requiredCapabilities":{"elicitation":{}}})")));
}

BOOST_AUTO_TEST_CASE(the_base64_sentinel_decodes_the_specs_examples_and_leaves_lookalikes_literal)
{
    BOOST_TEST(mcp::decode_header_value("us-west1").value_or("?") == "us-west1");
    BOOST_TEST(mcp::decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=").value_or("?") == "Hello, \xe4\xb8\x96\xe7\x95\x8c");
    BOOST_TEST(mcp::decode_header_value("=?base64?IHBhZGRlZCA=?=").value_or("?") == " padded ");
    BOOST_TEST(mcp::decode_header_value("=?base64?bGluZTEKbGluZTI=?=").value_or("?") == "line1\nline2");
    BOOST_TEST(mcp::decode_header_value("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=").value_or("?") == "=?base64?literal?=");
    // Optional whitespace around a value is not part of it; inside it is.
    BOOST_TEST(mcp::decode_header_value("  foo \t").value_or("?") == "foo");
    BOOST_TEST(mcp::decode_header_value("us west 1").value_or("?") == "us west 1");
    BOOST_TEST(mcp::decode_header_value("").value_or("?") == "");
    // Not the exact lowercase sentinel: literal.
    BOOST_TEST(mcp::decode_header_value("SGVsbG8=").value_or("?") == "SGVsbG8=");
    BOOST_TEST(mcp::decode_header_value("=?base64?SGVsbG8=").value_or("?") == "=?base64?SGVsbG8=");
    BOOST_TEST(mcp::decode_header_value("=?BASE64?SGVsbG8=?=").value_or("?") == "=?BASE64?SGVsbG8=?=");
    // A sentinel that does not decode, or bytes a header may not carry: malformed.
    for (auto const* bad : {"=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?=", "=?base64?/w==?=", "caf\xc3\xa9", "a\x01z"})
        BOOST_TEST(!mcp::decode_header_value(bad), bad);
    // Where the sentinel is not allowed (MCP-Protocol-Version, Mcp-Method) it is just text.
    BOOST_TEST(mcp::decode_header_value("=?base64?SGVsbG8=?=", false).value_or("?") == "=?base64?SGVsbG8=?=");
}

BOOST_AUTO_TEST_CASE(the_version_header_must_be_there_and_equal_the_body_before_the_version_is_judged)
{
    auto const e = envelope_of();
    BOOST_TEST(!!mcp::check_version_header(headers("2026-07-28", "tools/list"), e));
    BOOST_TEST((refusal_of(mcp::check_version_header({}, e)).code == errc::header_mismatch));
    BOOST_TEST(contains(refusal_of(mcp::check_version_header({}, e)).message, "MCP-Protocol-Version"));
    BOOST_TEST((refusal_of(mcp::check_version_header(headers("2025-11-25", "tools/list"), e)).code == errc::header_mismatch));
    // Conformance: header 2026-07-28, body v999.0.0 → -32020, not -32022.
    auto const r = refusal_of(mcp::check_version_header(headers("2026-07-28", "tools/list"), envelope_of("v999.0.0")));
    BOOST_TEST(mcp::jsonrpc::make_error(r).at("error").at("code").as_int64() == -32020);
}

BOOST_AUTO_TEST_CASE(mcp_method_and_mcp_name_mirror_the_body_exactly)
{
    auto const call = params_of(R"({"name":"list_payments","arguments":{}})");
    BOOST_TEST(!!mcp::check_method_headers(headers("2026-07-28", "tools/call", "list_payments"), "tools/call", call));
    BOOST_TEST(!!mcp::check_method_headers(headers("2026-07-28", "tools/call", "  list_payments  "), "tools/call", call));
    BOOST_TEST(!!mcp::check_method_headers(headers("2026-07-28", "tools/call", "=?base64?bGlzdF9wYXltZW50cw==?="),
                                           "tools/call", call));
    BOOST_TEST(!!mcp::check_method_headers(headers("2026-07-28", "tools/list"), "tools/list", params_of("{}")));
    for (auto const& sent : std::initializer_list<mcp::mirrored_headers>{
             {.protocol_version = "2026-07-28", .method = std::nullopt, .name = "list_payments", .params = {}},
             headers("2026-07-28", "TOOLS/CALL", "list_payments"),
             headers("2026-07-28", "tools/list", "list_payments"),
             headers("2026-07-28", "tools/call"),
             headers("2026-07-28", "tools/call", "get_payment"),
             headers("2026-07-28", "tools/call", "List_Payments"),
             headers("2026-07-28", "tools/call", "=?base64?bGlzdF9wYXltZW50cw?="),
         })
        BOOST_TEST((refusal_of(mcp::check_method_headers(sent, "tools/call", call)).code == errc::header_mismatch));
    // resources/read mirrors params.uri.
    auto const read = params_of(R"({"uri":"file:///a b"})");
    BOOST_TEST(!!mcp::check_method_headers(headers("2026-07-28", "resources/read", "file:///a b"), "resources/read", read));
    // A call without a name is the params check's to refuse, with its own words.
    BOOST_TEST(!!mcp::check_method_headers(headers("2026-07-28", "tools/call"), "tools/call", params_of("{}")));
}

BOOST_AUTO_TEST_CASE(x_mcp_header_declarations_are_read_and_forbidden_ones_refused)
{
    auto const schema = json::parse(R"({"type":"object","properties":{
        "sub_account_id":{"type":"string","x-mcp-header":"Sub-Account"},
        "limit":{"type":"integer","x-mcp-header":"Limit"},
        "options":{"type":"object","properties":{"live":{"type":"boolean","x-mcp-header":"Live"}}},
        "plain":{"type":"string"}}})").as_object();
    auto const declared = tools::param_headers_of(schema);
    BOOST_REQUIRE(declared);
    BOOST_REQUIRE(declared->size() == 3u);
    auto const live = std::find_if(declared->begin(), declared->end(), [](auto const& h) { return h.name == "Live"; });
    BOOST_REQUIRE(live != declared->end());
    BOOST_TEST((live->path == std::vector<std::string>{"options", "live"}));
    BOOST_TEST((live->type == tools::param_header::kind::boolean));
    for (auto const* bad : {
             R"({"type":"object","properties":{"a":{"type":"number","x-mcp-header":"A"}}})",
             R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":""}}})",
             R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"Sub Account"}}})",
             R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"Région"}}})",
             R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"Dup"},"b":{"type":"string","x-mcp-header":"dup"}}})",
             R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"string","x-mcp-header":"A"}}}})",
             R"({"type":"object","properties":{"a":{"oneOf":[{"type":"string","x-mcp-header":"A"}]}}})",
         }) {
        auto const refused = tools::param_headers_of(json::parse(bad).as_object());
        BOOST_TEST(!refused, bad);
        if (!refused) BOOST_TEST((refused.error().code == errc::invalid_config));
    }
}

BOOST_AUTO_TEST_CASE(mcp_param_headers_must_accompany_present_arguments_and_match_them)
{
    auto const declared = tools::param_headers_of(json::parse(R"({"type":"object","properties":{
        "sub_account_id":{"type":"string","x-mcp-header":"Sub-Account"},
        "limit":{"type":"integer","x-mcp-header":"Limit"},
        "live":{"type":"boolean","x-mcp-header":"Live"}}})").as_object());
    BOOST_REQUIRE(declared);
    auto const with = [](std::vector<std::pair<std::string, std::string_view>> params) {
        mcp::mirrored_headers h = headers("2026-07-28", "tools/call", "t");
        h.params = std::move(params);
        return h;
    };
    auto const args = json::parse(R"({"sub_account_id":"acc_123","limit":42,"live":true})").as_object();
    BOOST_TEST(!!mcp::check_param_headers(*declared, args, with({{"sub-account", "acc_123"}, {"limit", "42"}, {"live", "true"}})));
    // Integers compare as numbers; unknown Mcp-Param-* headers are ignored.
    BOOST_TEST(!!mcp::check_param_headers(*declared, args,
                                          with({{"sub-account", "=?base64?YWNjXzEyMw==?="}, {"limit", "42.0"}, {"live", "true"}, {"other", "x"}})));
    // Absent and null arguments need no header.
    BOOST_TEST(!!mcp::check_param_headers(*declared, json::parse(R"({"sub_account_id":null})").as_object(), with({})));
    for (auto const& sent : std::vector<std::vector<std::pair<std::string, std::string_view>>>{
             {{"limit", "42"}, {"live", "true"}},                             // Sub-Account missing
             {{"sub-account", "acc_999"}, {"limit", "42"}, {"live", "true"}},  // differs
             {{"sub-account", "acc_123"}, {"limit", "41"}, {"live", "true"}},
             {{"sub-account", "acc_123"}, {"limit", "42"}, {"live", "True"}},
             {{"sub-account", "acc_123"}, {"limit", "4x"}, {"live", "true"}},
             {{"sub-account", "=?base64?YWNjXzEyMw?="}, {"limit", "42"}, {"live", "true"}},  // bad padding
         }) {
        auto const r = refusal_of(mcp::check_param_headers(*declared, args, with(sent)));
        BOOST_TEST((r.code == errc::header_mismatch), r.message);
        BOOST_TEST(contains(r.message, "Mcp-Param-"), r.message);
    }
    // A header for an argument the body does not carry is a mismatch too.
    BOOST_TEST(!mcp::check_param_headers(*declared, json::object{}, with({{"sub-account", "acc_123"}})));
}

BOOST_AUTO_TEST_CASE(a_listen_filter_is_checked_field_by_field_and_nothing_is_promised)
{
    auto const ack = mcp::listen_acknowledgment(json::value("sub-1"), json::parse(R"({"notifications":{
        "toolsListChanged":true,"promptsListChanged":false,"resourceSubscriptions":["file:///a"],"somethingNew":1}})"));
    BOOST_REQUIRE(ack);
    BOOST_TEST(ack->at("method") == "notifications/subscriptions/acknowledged");
    BOOST_TEST(ack->at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == "sub-1");
    BOOST_TEST(ack->at("params").at("notifications") == json::object{});
    struct case_t {
        char const* params;
        char const* named;
    };
    for (auto const& [params, named] : {case_t{R"({})", "params.notifications"},
                                        case_t{R"({"notifications":[]})", "params.notifications"},
                                        case_t{R"({"notifications":{"resourcesListChanged":1}})", "resourcesListChanged"},
                                        case_t{R"({"notifications":{"resourceSubscriptions":"file:///a"}})", "resourceSubscriptions"},
                                        case_t{R"({"notifications":{"resourceSubscriptions":[1]}})", "resourceSubscriptions"}}) {
        auto const refused = mcp::listen_acknowledgment(json::value(1), json::parse(params));
        BOOST_REQUIRE(!refused);
        BOOST_TEST((refused.error().code == errc::invalid_params), params);
        BOOST_TEST(refused.error().message.find(named) != std::string::npos, params << ": " << refused.error().message);
    }
    auto const closed = mcp::listen_closed(json::value(4));
    BOOST_TEST(closed.at("_meta").at("io.modelcontextprotocol/subscriptionId") == 4);
    auto const cancelled = mcp::listen_cancelled(json::value(4), "draining");
    BOOST_TEST(cancelled.at("params").at("requestId") == 4);
    BOOST_TEST(cancelled.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == 4);
}

BOOST_AUTO_TEST_CASE(w3c_traceparent_is_read_strictly_and_a_child_keeps_the_trace)
{
    namespace trace = justifi::core::trace;
    auto const t = trace::parse("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01", "vendor=a1,other=b2");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->trace_id == "0af7651916cd43dd8448eb211c80319c");
    BOOST_TEST(t->parent_id == "00f067aa0ba902b7");
    BOOST_TEST(t->flags == "01");
    BOOST_TEST(t->tracestate == "vendor=a1,other=b2");
    BOOST_TEST(trace::child_traceparent(*t, "1111222233334444") == "00-0af7651916cd43dd8448eb211c80319c-1111222233334444-01");
    auto const span = trace::new_span_id();
    BOOST_TEST(span.size() == 16u);
    BOOST_TEST(span != trace::new_span_id());
    // A later version is read by its first four fields; ff, uppercase, zeros and bad lengths are not traces.
    BOOST_TEST(trace::parse("01-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01-future").has_value());
    for (auto const* bad : {"ff-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01",
                            "00-0AF7651916CD43DD8448EB211C80319C-00f067aa0ba902b7-01",
                            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
                            "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01-extra",
                            "01-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01x",
                            "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7", ""})
        BOOST_TEST(!trace::parse(bad).has_value(), bad);
    // A tracestate no header could carry, or over 512 characters, is dropped; the trace stays.
    BOOST_TEST(trace::parse("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01", "a=1\r\nX: y")->tracestate.empty());
    BOOST_TEST(trace::parse("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01", std::string(513, 'a'))
                   ->tracestate.empty());
}

BOOST_AUTO_TEST_CASE(the_trace_comes_from_meta_else_from_the_headers)
{
    constexpr auto from_meta = "00-11111111111111111111111111111111-2222222222222222-01";
    constexpr auto from_header = "00-33333333333333333333333333333333-4444444444444444-00";
    json::object meta{{"traceparent", from_meta}, {"tracestate", "m=1"}};
    auto const both = mcp::read_trace(json::object{{"_meta", meta}}, from_header, "h=1");
    BOOST_REQUIRE(both);
    BOOST_TEST(both->trace_id == "11111111111111111111111111111111");
    BOOST_TEST(both->tracestate == "m=1");
    auto const header_only = mcp::read_trace(json::object{}, from_header, "h=1");
    BOOST_REQUIRE(header_only);
    BOOST_TEST(header_only->trace_id == "33333333333333333333333333333333");
    BOOST_TEST(header_only->tracestate == "h=1");
    // An invalid one in _meta does not hide a valid header; neither: no trace.
    meta["traceparent"] = "junk";
    BOOST_TEST(mcp::read_trace(json::object{{"_meta", meta}}, from_header)->trace_id == "33333333333333333333333333333333");
    BOOST_TEST(!mcp::read_trace(json::object{{"_meta", meta}}).has_value());
    BOOST_TEST(!mcp::read_trace(nullptr).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
