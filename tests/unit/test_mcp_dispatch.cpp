// The MCP dispatcher, driven on an io_context with small test tools: lifecycle and
// version negotiation, tools/list and tools/call, progress and log notifications,
// logging/setLevel, and cancellation by the client and by shutdown.
#include "mcp/dispatch.hpp"

#include "core/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace mcp = justifi::mcp;
namespace rpc = justifi::mcp::jsonrpc;
namespace tools = justifi::tools;

using namespace std::chrono_literals;

namespace {

// Records what the dispatcher streams ahead of a response.
class recording_sink final : public mcp::notification_sink {
public:
    asio::awaitable<void> send(json::object notification) override
    {
        sent.push_back(std::move(notification));
        co_return;
    }
    // A subscription's stream ends at once: by the server (a drain) or by the client going.
    asio::awaitable<bool> hold_open() override { co_return ended_by_server; }
    bool ended_by_server = true;

    std::vector<json::object> with_method(std::string_view method) const
    {
        std::vector<json::object> out;
        for (auto const& n : sent)
            if (n.at("method").as_string() == method) out.push_back(n);
        return out;
    }

    std::vector<json::object> sent;
};

rpc::message decoded(json::value const& value)
{
    auto out = rpc::decode(value);
    if (!out) BOOST_FAIL("test message does not decode: " << out.error().message);
    return *out;
}

rpc::message request(json::value id, std::string_view method, json::value params = nullptr)
{
    json::object o{{"jsonrpc", "2.0"}, {"id", std::move(id)}, {"method", method}};
    if (!params.is_null()) o["params"] = std::move(params);
    return decoded(o);
}

rpc::message notification(std::string_view method, json::value params = nullptr)
{
    json::object o{{"jsonrpc", "2.0"}, {"method", method}};
    if (!params.is_null()) o["params"] = std::move(params);
    return decoded(o);
}

rpc::message call(json::value id, std::string_view tool, json::value arguments = nullptr, json::value meta = nullptr)
{
    json::object params{{"name", tool}};
    if (!arguments.is_null()) params["arguments"] = std::move(arguments);
    if (!meta.is_null()) params["_meta"] = std::move(meta);
    return request(std::move(id), "tools/call", std::move(params));
}

// Copies, so callers may bind the result of h.handle(...) directly.
json::object result_of(std::optional<json::object> const& response)
{
    BOOST_REQUIRE_MESSAGE(response, "expected a response, got none");
    BOOST_REQUIRE_MESSAGE(response->contains("result"), "expected a result: " << json::serialize(*response));
    BOOST_TEST(!response->contains("error"));
    return response->at("result").as_object();
}

json::object error_of(std::optional<json::object> const& response)
{
    BOOST_REQUIRE_MESSAGE(response, "expected a response, got none");
    BOOST_REQUIRE_MESSAGE(response->contains("error"), "expected an error: " << json::serialize(*response));
    BOOST_TEST(!response->contains("result"));
    return response->at("error").as_object();
}

std::string message_of(json::object const& error) { return std::string(error.at("message").as_string()); }

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

// A dispatcher over a registry of small test tools, run on a single-threaded io_context.
struct harness {
    explicit harness(std::size_t page_size = 100) : registry(page_size), dispatcher(identity(), registry)
    {
        add("echo", [](json::object const& args, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
            co_return tools::tool_result::structured_json(args);
        });
        add("fail_soft", [](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
            co_return tools::tool_result::error("payment py_404 not found; check the id with list_payments");
        });
        add("explode", [](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
            throw std::runtime_error("boom: internal detail");
            co_return tools::tool_result::text("unreachable");
        });
        add("progress", [](json::object const&, tools::tool_context& ctx) -> asio::awaitable<tools::tool_result> {
            co_await ctx.report_progress(1, 3, "one");
            co_await ctx.report_progress(1, 3, "repeated");   // not an increase: dropped
            co_await ctx.report_progress(0.5, 3, "backward"); // a decrease: dropped
            co_await ctx.report_progress(2, 3, "");
            co_await ctx.report_progress(3, std::nullopt, "done");
            co_return tools::tool_result::text("finished");
        });
        add("chatty", [](json::object const&, tools::tool_context& ctx) -> asio::awaitable<tools::tool_result> {
            // Values are built outside the co_await expressions: GCC 12 miscompiles
            // initializer-list temporaries that live across a suspension point.
            std::vector<std::string> const levels{"debug", "info", "notice", "warning", "error", "emergency", "bogus"};
            for (auto const& level : levels) {
                json::object data;
                data["said"] = level;
                co_await ctx.log(level, std::move(data));
            }
            co_return tools::tool_result::text("talked");
        });
        add("whoami", [](json::object const&, tools::tool_context& ctx) -> asio::awaitable<tools::tool_result> {
            co_return tools::tool_result::text(ctx.auth().principal());
        });
        add("sleep", [this](json::object const& args, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
            ++sleepers_started;
            co_await sleep_for(std::chrono::milliseconds(args.at("ms").as_int64()));
            co_return tools::tool_result::text("woke");
        });
        add(
            "read_payments",
            [this](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
                ++scoped_calls;
                co_return tools::tool_result::text("read");
            },
            "payments:read");
        add(
            "write_payments",
            [this](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
                ++scoped_calls;
                co_return tools::tool_result::text("written");
            },
            "payments:write");
        add(
            "refused_upstream",
            [](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
                auto result = tools::tool_result::error("JustiFi error (HTTP 401): JustiFi rejected the credentials.");
                result.failure = justifi::core::errc::credentials_rejected;
                co_return result;
            },
            "payments:read");
        justifi::core::log::set_threshold(justifi::core::log::level::off);  // the dispatcher's own stderr lines are noise here
    }
    ~harness() { justifi::core::log::set_threshold(saved_threshold); }

    static mcp::server_identity identity()
    {
        return {.name = "justifi-mcp", .title = "JustiFi", .version = "9.8.7", .instructions = "Use the tools."};
    }

    int confirm_runs = 0;

    // Asks the person to confirm (a 2026-07-28 multi round-trip) and keeps the amount in its state.
    void add_confirm()
    {
        // Asks the person to confirm (a 2026-07-28 multi round-trip) and keeps the amount in its state.
        add("confirm", [this](json::object const& args, tools::tool_context& ctx) -> asio::awaitable<tools::tool_result> {
            ++confirm_runs;
            if (!ctx.may_ask_for_input()) co_return tools::tool_result::error("cannot ask this client");
            auto const* answers = ctx.input_responses();
            if (!answers || !answers->contains("confirm") || !ctx.request_state()) {
                json::object form{{"method", "elicitation/create"},
                                  {"params", json::object{{"message", "Refund?"},
                                                          {"requestedSchema", json::object{{"type", "object"}}}}}};
                co_return tools::tool_result::needs_input({{"confirm", std::move(form)}},
                                                          "amount=" + json::serialize(args.at("amount")));
            }
            co_return tools::tool_result::text(std::string(*ctx.request_state()) + " nonce=" +
                                               std::string(ctx.request_state_nonce()));
        });
    }

    void add(std::string name, tools::tool_handler handler, std::string scope = {})
    {
        tools::tool_definition def;
        def.required_scope = std::move(scope);
        def.name = std::move(name);
        def.description = "test tool";
        def.input_schema = json::object{{"type", "object"}};
        def.handler = std::move(handler);
        registry.add(std::move(def));
    }

    mcp::request_context context(std::string session_key = "session-a")
    {
        mcp::request_context ctx;
        ctx.session_key = std::move(session_key);
        ctx.session = session;
        ctx.sink = &sink;
        ctx.request_id = "test";
        return ctx;
    }

    // Starts handling a message; its outcome lands in *out once the io_context runs.
    void spawn(rpc::message message, mcp::request_context ctx, std::optional<std::optional<json::object>>& out)
    {
        asio::co_spawn(io, dispatcher.handle_to_object(std::move(message), std::move(ctx)),
                       [&out](std::exception_ptr e, std::optional<json::object> response) {
                           if (e) std::rethrow_exception(e);
                           out = std::move(response);
                       });
    }

    // Handles one message to completion.
    // Handles one message to completion, as the transports get it (not turned into a DOM).
    std::optional<mcp::reply> handle_reply(rpc::message message, std::optional<mcp::request_context> ctx = std::nullopt)
    {
        std::optional<std::optional<mcp::reply>> out;
        asio::co_spawn(io, dispatcher.handle(std::move(message), ctx ? std::move(*ctx) : context()),
                       [&out](std::exception_ptr e, std::optional<mcp::reply> response) {
                           if (e) std::rethrow_exception(e);
                           out = std::move(response);
                       });
        run();
        BOOST_REQUIRE_MESSAGE(out, "handle() did not complete");
        return std::move(*out);
    }

    std::optional<json::object> handle(rpc::message message, std::optional<mcp::request_context> ctx = std::nullopt)
    {
        std::optional<std::optional<json::object>> out;
        spawn(std::move(message), ctx ? std::move(*ctx) : context(), out);
        run();
        BOOST_REQUIRE_MESSAGE(out, "handle() did not complete");
        return *out;
    }

    void run()
    {
        io.restart();
        io.run();
    }

    // Waits (on the io_context) until n sleep tools are running.
    asio::awaitable<void> until_sleepers(int n)
    {
        for (int i = 0; i < 5000 && sleepers_started < n; ++i) co_await sleep_for(1ms);
        BOOST_REQUIRE(sleepers_started >= n);
    }

    justifi::core::log::level saved_threshold = justifi::core::log::threshold();
    asio::io_context io;
    tools::tool_registry registry;
    mcp::dispatcher dispatcher;
    recording_sink sink;
    std::shared_ptr<mcp::session_state> session = std::make_shared<mcp::session_state>();
    int sleepers_started = 0;
    int scoped_calls = 0;
};

// A request context as the auth stage makes it for a verified bearer token with these scopes.
void verified(mcp::request_context& ctx, std::initializer_list<std::string> scopes)
{
    ctx.auth.credentials = justifi::auth::bearer_token{"header.payload.signature"};
    ctx.auth.path = justifi::auth::auth_path::bearer_verified;
    ctx.auth.subject = "auth0|user-1";
    ctx.auth.granted_scopes.emplace(scopes.begin(), scopes.end());
}

bool lists(std::vector<std::string> const& names, std::string const& name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// notifications/cancelled for a request id; built outside coroutines (see "chatty").
rpc::message cancel_note(json::value request_id)
{
    return notification("notifications/cancelled", json::object{{"requestId", std::move(request_id)}});
}

// Adds the optional reason field, which the dispatcher must tolerate.
void note_reason(rpc::message& note)
{
    std::get<rpc::notification>(note).params.as_object()["reason"] = "user";
}

json::value init_params(std::string_view version)
{
    return {{"protocolVersion", version},
            {"capabilities", json::object{}},
            {"clientInfo", {{"name", "unit-test"}, {"version", "1"}}}};
}

std::vector<std::string> tool_names(json::object const& result)
{
    std::vector<std::string> names;
    for (auto const& t : result.at("tools").as_array()) names.emplace_back(t.at("name").as_string());
    return names;
}

std::vector<std::string> logged_levels(recording_sink const& sink)
{
    std::vector<std::string> levels;
    for (auto const& n : sink.with_method("notifications/message"))
        levels.emplace_back(n.at("params").at("level").as_string());
    return levels;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mcp_dispatch)

BOOST_AUTO_TEST_CASE(a_result_passed_on_as_text_is_written_in_as_it_came_and_reads_like_one_from_a_dom)
{
    harness h;
    h.add("pass_on", [](json::object const& args, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
        std::string text(args.at("text").as_string());
        co_return tools::tool_result::structured_json_text(std::move(text));
    });
    // As JustiFi may write it: spaces, key order, a number form json::serialize would change.
    std::string const upstream = R"({ "data" : [ {"id":"py_1","amount":1.50E2,"note":"caf\u00e9 \"quoted\""} ], "page_info":{"has_next":false} })";
    auto const args = json::object{{"name", "pass_on"}, {"arguments", json::object{{"text", upstream}}}};
    for (auto const& id : {json::value(7), json::value("req-\"x\"")}) {
        auto reply = h.handle_reply(rpc::request{id, "tools/call", args});
        BOOST_REQUIRE(reply);
        auto const wire = reply->serialize();
        // The upstream text appears byte for byte, as structuredContent.
        BOOST_TEST(wire.find(R"("structuredContent":)" + upstream + "}}") != std::string::npos, wire);
        auto const parsed = json::parse(wire).as_object();
        BOOST_TEST(parsed.at("jsonrpc") == "2.0");
        BOOST_TEST(parsed.at("id") == id);
        auto const& result = parsed.at("result").as_object();
        BOOST_TEST(result.at("structuredContent") == json::parse(upstream));
        BOOST_TEST(result.at("content").at(0).at("type") == "text");
        BOOST_TEST(result.at("content").at(0).at("text").as_string() == upstream);
        BOOST_TEST(!result.contains("isError"));
        // The DOM form (tests, and anything that looks inside) is the same message.
        BOOST_TEST(json::value(std::move(*reply).to_object()) == json::value(parsed));
    }
}

BOOST_AUTO_TEST_CASE(a_reply_without_text_to_splice_is_its_message_serialized)
{
    mcp::reply plain(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"result", json::object{}}});
    BOOST_TEST(plain.serialize() == R"({"jsonrpc":"2.0","id":1,"result":{}})");
    mcp::reply only_spliced(json::object{{"jsonrpc", "2.0"}, {"id", 2}, {"result", json::object{}}}, "tools", R"([{"a":1}])");
    BOOST_TEST(only_spliced.serialize() == R"({"jsonrpc":"2.0","id":2,"result":{"tools":[{"a":1}]}})");
    BOOST_TEST(json::value(std::move(only_spliced).to_object()) == json::parse(R"({"jsonrpc":"2.0","id":2,"result":{"tools":[{"a":1}]}})"));
}

// ---- lifecycle

BOOST_AUTO_TEST_CASE(initialize_echoes_supported_client_version)
{
    harness h;
    for (auto version : mcp::supported_versions) {
        auto const response = h.handle(request(1, "initialize", init_params(version)));
        BOOST_TEST(result_of(response).at("protocolVersion") == json::value(version), version);
    }
}

BOOST_AUTO_TEST_CASE(initialize_unsupported_version_gets_latest)
{
    harness h;
    for (auto version : {"1999-01-01", "2026-01-01", ""}) {
        auto const response = h.handle(request(1, "initialize", init_params(version)));
        BOOST_TEST(result_of(response).at("protocolVersion") == "2025-11-25", version);
    }
    BOOST_TEST(mcp::latest_version == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(initialize_declares_capabilities_and_identity)
{
    harness h;
    auto const response = h.handle(request("init-1", "initialize", init_params("2025-06-18")));
    BOOST_TEST(response->at("id") == "init-1");
    auto const& result = result_of(response);
    BOOST_TEST(result.at("capabilities") ==
               json::parse(R"({"tools":{"listChanged":false},"logging":{}})"));
    BOOST_TEST(result.at("serverInfo") == json::parse(R"({"name":"justifi-mcp","version":"9.8.7","title":"JustiFi"})"));
    BOOST_TEST(result.at("instructions") == "Use the tools.");
}

BOOST_AUTO_TEST_CASE(initialize_omits_empty_title_and_instructions)
{
    tools::tool_registry registry;
    mcp::dispatcher d({.name = "n", .version = "v"}, registry);
    asio::io_context io;
    std::optional<json::object> out;
    asio::co_spawn(io, d.handle_to_object(request(1, "initialize", init_params("2025-11-25")), {}),
                   [&](std::exception_ptr e, std::optional<json::object> r) {
                       if (e) std::rethrow_exception(e);
                       out = std::move(r);
                   });
    auto const saved = justifi::core::log::threshold();
    justifi::core::log::set_threshold(justifi::core::log::level::off);
    io.run();
    justifi::core::log::set_threshold(saved);
    auto const& result = result_of(out);
    BOOST_TEST(!result.contains("instructions"));
    BOOST_TEST(!result.at("serverInfo").as_object().contains("title"));
}

BOOST_AUTO_TEST_CASE(initialize_without_protocol_version_is_invalid_params)
{
    harness h;
    for (auto params : {json::value(json::object{}), json::parse(R"({"protocolVersion":20250618})"),
                        json::parse(R"(["2025-11-25"])")}) {
        auto const& err = error_of(h.handle(request(1, "initialize", params)));
        BOOST_TEST(err.at("code") == -32602, json::serialize(params));
        BOOST_TEST(contains(message_of(err), "protocolVersion"));
    }
}

BOOST_AUTO_TEST_CASE(version_helpers)
{
    BOOST_TEST(mcp::is_supported_version("2025-06-18"));
    BOOST_TEST(mcp::is_supported_version("2024-11-05"));
    BOOST_TEST(!mcp::is_supported_version("2025-06-19"));
    BOOST_TEST(!mcp::is_supported_version(""));
    BOOST_TEST(mcp::negotiate_version("2025-03-26") == "2025-03-26");
    BOOST_TEST(mcp::negotiate_version("garbage") == "2025-11-25");
    BOOST_TEST(mcp::log_level_index("debug").value_or(-1) == 0);
    BOOST_TEST(mcp::log_level_index("emergency").value_or(-1) == 7);
    BOOST_TEST(!mcp::log_level_index("warn"));  // MCP uses RFC 5424 names only
    BOOST_TEST(!mcp::log_level_index("INFO"));
}

BOOST_AUTO_TEST_CASE(ping_returns_empty_result)
{
    harness h;
    auto const response = h.handle(request(42, "ping"));
    BOOST_REQUIRE(response);
    // Exactly {}: nothing else in the result, nothing else in the envelope.
    BOOST_TEST(json::value(*response) == json::parse(R"({"jsonrpc":"2.0","id":42,"result":{}})"));
}

BOOST_AUTO_TEST_CASE(unknown_method_is_method_not_found)
{
    harness h;
    auto const response = h.handle(request(3, "resources/list"));
    auto const& err = error_of(response);
    BOOST_TEST(err.at("code") == -32601);
    BOOST_TEST(message_of(err) == "Method not found: resources/list");
    BOOST_TEST(response->at("id") == 3);
}

BOOST_AUTO_TEST_CASE(notifications_return_nullopt)
{
    harness h;
    BOOST_TEST(!h.handle(notification("notifications/initialized")));
    BOOST_TEST(!h.handle(notification("notifications/unknown", json::object{{"x", 1}})));
    // Cancelling a request that is not running is harmless.
    BOOST_TEST(!h.handle(notification("notifications/cancelled", json::object{{"requestId", 99}})));
    BOOST_TEST(!h.handle(notification("notifications/cancelled", json::object{{"requestId", json::object{}}})));
    BOOST_TEST(!h.handle(notification("notifications/cancelled")));
    // A client's response to a server request needs no answer either.
    BOOST_TEST(!h.handle(decoded(json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})"))));
    BOOST_TEST(h.sink.sent.empty());
}

// ---- tools/list

BOOST_AUTO_TEST_CASE(tools_list_returns_every_tool)
{
    harness h;
    auto const& result = result_of(h.handle(request(1, "tools/list")));
    std::vector<std::string> const expected{"chatty",           "echo",  "explode",        "fail_soft", "progress",
                                            "read_payments",    "refused_upstream", "sleep", "whoami", "write_payments"};
    BOOST_TEST(tool_names(result) == expected, boost::test_tools::per_element());
    BOOST_TEST(!result.contains("nextCursor"));
    // Each entry is a full description a client can call with.
    auto const& first = result.at("tools").as_array().at(0).as_object();
    BOOST_TEST(first.at("inputSchema").at("type") == "object");
    BOOST_TEST(first.contains("annotations"));
}

BOOST_AUTO_TEST_CASE(tools_list_paginates)
{
    harness h(2);
    std::vector<std::string> seen;
    json::value cursor = nullptr;
    int pages = 0;
    do {
        json::object params;
        if (!cursor.is_null()) params["cursor"] = cursor;
        auto const response = h.handle(request(pages, "tools/list", params));
        auto const& result = result_of(response);
        auto const names = tool_names(result);
        BOOST_TEST(names.size() <= 2u);
        seen.insert(seen.end(), names.begin(), names.end());
        cursor = result.contains("nextCursor") ? result.at("nextCursor") : json::value(nullptr);
        BOOST_TEST((cursor.is_null() || cursor.is_string()));
        BOOST_REQUIRE(++pages <= 10);
    } while (!cursor.is_null());
    BOOST_TEST(pages == 5);  // 10 tools in pages of 2
    std::vector<std::string> const expected{"chatty",           "echo",  "explode",        "fail_soft", "progress",
                                            "read_payments",    "refused_upstream", "sleep", "whoami", "write_payments"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tools_list_null_cursor_means_first_page)
{
    harness h(2);
    auto const& result = result_of(h.handle(request(1, "tools/list", json::parse(R"({"cursor":null})"))));
    BOOST_TEST(tool_names(result) == (std::vector<std::string>{"chatty", "echo"}), boost::test_tools::per_element());
    BOOST_TEST(result.contains("nextCursor"));
}

BOOST_AUTO_TEST_CASE(tools_list_invalid_cursor_is_invalid_params)
{
    harness h(2);
    auto const& err = error_of(h.handle(request(1, "tools/list", json::parse(R"({"cursor":"not-a-cursor!"})"))));
    BOOST_TEST(err.at("code") == -32602);
    BOOST_TEST(contains(message_of(err), "cursor"));

    auto const& wrong_type = error_of(h.handle(request(2, "tools/list", json::parse(R"({"cursor":7})"))));
    BOOST_TEST(wrong_type.at("code") == -32602);
    BOOST_TEST(message_of(wrong_type) == "Invalid params: cursor must be a string");
}

// ---- tools/call

BOOST_AUTO_TEST_CASE(tools_call_passes_arguments_and_returns_result)
{
    harness h;
    auto const response = h.handle(call("c1", "echo", json::parse(R"({"amount":1000,"currency":"usd"})")));
    BOOST_TEST(response->at("id") == "c1");
    auto const& result = result_of(response);
    BOOST_TEST(result.at("structuredContent") == json::parse(R"({"amount":1000,"currency":"usd"})"));
    BOOST_TEST(!result.contains("isError"));
}

BOOST_AUTO_TEST_CASE(tools_call_absent_or_null_arguments_are_empty_object)
{
    harness h;
    BOOST_TEST(result_of(h.handle(call(1, "echo"))).at("structuredContent") == json::object{});
    auto const explicit_null = request(2, "tools/call", json::parse(R"({"name":"echo","arguments":null})"));
    BOOST_TEST(result_of(h.handle(explicit_null)).at("structuredContent") == json::object{});
}

BOOST_AUTO_TEST_CASE(tools_call_unknown_tool_is_invalid_params)
{
    harness h;
    auto const& err = error_of(h.handle(call(1, "no_such_tool")));
    BOOST_TEST(err.at("code") == -32602);
    BOOST_TEST(contains(message_of(err), "\"no_such_tool\""));
    BOOST_TEST(contains(message_of(err), "tools/list"));
}

BOOST_AUTO_TEST_CASE(tools_call_without_name_is_invalid_params)
{
    harness h;
    for (auto params : {json::parse("{}"), json::parse(R"({"name":5})"), json::parse(R"({"name":null})")}) {
        auto const& err = error_of(h.handle(request(1, "tools/call", params)));
        BOOST_TEST(err.at("code") == -32602, json::serialize(params));
        BOOST_TEST(contains(message_of(err), "name"));
    }
    BOOST_TEST(error_of(h.handle(request(2, "tools/call"))).at("code") == -32602);
}

BOOST_AUTO_TEST_CASE(tools_call_non_object_arguments_are_invalid_params)
{
    harness h;
    for (auto args : {json::parse("[1,2]"), json::value("text"), json::value(3), json::value(true)}) {
        auto const& err = error_of(h.handle(call(1, "echo", args)));
        BOOST_TEST(err.at("code") == -32602, json::serialize(args));
        BOOST_TEST(message_of(err) == "Invalid params: arguments must be an object");
    }
    BOOST_TEST(h.dispatcher.calls_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(tool_error_result_is_a_successful_response)
{
    // A tool-level failure is data for the model (isError), not a protocol error.
    harness h;
    auto const& result = result_of(h.handle(call(1, "fail_soft")));
    BOOST_TEST(result.at("isError") == true);
    BOOST_TEST(result.at("content").at(0).at("text") == "payment py_404 not found; check the id with list_payments");
}

BOOST_AUTO_TEST_CASE(tool_that_throws_is_internal_error)
{
    harness h;
    auto const& err = error_of(h.handle(call(1, "explode")));
    BOOST_TEST(err.at("code") == -32603);
    BOOST_TEST(message_of(err) == "Internal error while running tool \"explode\"");
    // The exception's text is internal detail: logged, not sent to the client.
    BOOST_TEST(!contains(message_of(err), "boom"));
    BOOST_TEST(h.dispatcher.calls_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(tool_sees_the_request_auth_context)
{
    harness h;
    auto ctx = h.context();
    ctx.auth.credentials = justifi::auth::client_credentials{"client-7", "secret"};
    auto const& result = result_of(h.handle(call(1, "whoami"), std::move(ctx)));
    BOOST_TEST(result.at("content").at(0).at("text") == "client:client-7");
}

// ---- scopes and auth denials

BOOST_AUTO_TEST_CASE(without_verified_scopes_every_tool_is_listed_and_callable)
{
    harness h;
    auto ctx = h.context();
    ctx.auth.credentials = justifi::auth::bearer_token{"unverified"};  // JUSTIFI_OAUTH_VALIDATION=none
    auto const names = tool_names(result_of(h.handle(request(1, "tools/list"), std::move(ctx))));
    BOOST_TEST(lists(names, "read_payments"));
    BOOST_TEST(lists(names, "write_payments"));
    auto written = h.handle_reply(call(2, "write_payments"));
    BOOST_REQUIRE(written);
    BOOST_TEST(!written->refusal);
    BOOST_TEST(result_of(std::optional(std::move(*written).to_object())).at("content").at(0).at("text") == "written");
}

BOOST_AUTO_TEST_CASE(a_verified_token_sees_only_the_tools_its_scopes_allow_and_those_that_need_none)
{
    harness h;
    auto ctx = h.context();
    verified(ctx, {"openid", "payments:read"});
    auto const names = tool_names(result_of(h.handle(request(1, "tools/list"), std::move(ctx))));
    BOOST_TEST(lists(names, "read_payments"));
    BOOST_TEST(lists(names, "echo"));  // no scope needed
    BOOST_TEST(!lists(names, "write_payments"));
}

BOOST_AUTO_TEST_CASE(scope_filtering_keeps_pagination_consistent)
{
    harness h(2);
    std::vector<std::string> seen;
    json::value cursor = nullptr;
    for (int page = 0; page < 20; ++page) {
        auto ctx = h.context();
        verified(ctx, {"payments:read"});
        json::object params;
        if (!cursor.is_null()) params["cursor"] = cursor;
        auto const result = result_of(h.handle(request(page, "tools/list", params), std::move(ctx)));
        for (auto const& n : tool_names(result)) seen.push_back(n);
        if (!result.contains("nextCursor")) break;
        cursor = result.at("nextCursor");
    }
    BOOST_TEST(lists(seen, "read_payments"));
    BOOST_TEST(!lists(seen, "write_payments"));
    BOOST_TEST(std::set<std::string>(seen.begin(), seen.end()).size() == seen.size());  // no tool twice
}

BOOST_AUTO_TEST_CASE(calling_a_tool_without_its_scope_is_denied_before_it_runs)
{
    harness h;
    auto ctx = h.context();
    verified(ctx, {"payments:read"});
    auto denied = h.handle_reply(call(1, "write_payments"), std::move(ctx));
    BOOST_REQUIRE(denied);
    BOOST_REQUIRE(denied->refusal);
    BOOST_TEST((denied->refusal->code == justifi::core::errc::insufficient_scope));
    BOOST_TEST(denied->refusal->scope == "payments:write");
    BOOST_TEST(denied->refusal->description ==
               "write_payments needs the payments:write scope, which the access token does not have");
    BOOST_TEST(denied->refusal->id == 1);
    auto const err = error_of(std::optional(std::move(*denied).to_object()));
    BOOST_TEST(err.at("code").as_int64() == rpc::server_error);
    BOOST_TEST(message_of(err) ==
               "Forbidden: write_payments needs the payments:write scope, which the access token does not have; sign "
               "in again granting it");
    BOOST_TEST(h.scoped_calls == 0);

    auto reader = h.context();
    verified(reader, {"payments:read"});
    auto const read = h.handle_reply(call(2, "read_payments"), std::move(reader));
    BOOST_REQUIRE(read);
    BOOST_TEST(!read->refusal);
    BOOST_TEST(h.scoped_calls == 1);
}

BOOST_AUTO_TEST_CASE(justifi_refusing_a_bearer_token_is_a_denial_where_the_transport_can_answer_401)
{
    harness h;
    auto ctx = h.context();
    verified(ctx, {"payments:read"});
    auto const answer = h.handle_reply(call(1, "refused_upstream"), std::move(ctx));
    BOOST_REQUIRE(answer);
    BOOST_REQUIRE(answer->refusal);
    BOOST_TEST((answer->refusal->code == justifi::core::errc::credentials_rejected));
    BOOST_TEST(justifi::core::refusal_text(*answer->refusal) ==
               "Unauthorized: JustiFi rejected the access token; refresh it or sign in again");
    // What stdio sends instead: the tool's own error.
    BOOST_TEST(answer->message.at("result").at("isError").as_bool());
}

BOOST_AUTO_TEST_CASE(justifi_refusing_client_credentials_stays_a_tool_error)
{
    harness h;
    auto ctx = h.context();
    ctx.auth.credentials = justifi::auth::client_credentials{"client-7", "wrong"};
    auto answer = h.handle_reply(call(1, "refused_upstream"), std::move(ctx));
    BOOST_REQUIRE(answer);
    BOOST_TEST(!answer->refusal);  // the server's own credentials: nothing the client can refresh
    auto const result = result_of(std::optional(std::move(*answer).to_object()));
    BOOST_TEST(result.at("isError").as_bool());
    BOOST_TEST(contains(result.at("content").at(0).at("text").as_string(), "rejected the credentials"));
}

// ---- progress

BOOST_AUTO_TEST_CASE(no_progress_without_progress_token)
{
    harness h;
    result_of(h.handle(call(1, "progress")));
    BOOST_TEST(h.sink.with_method("notifications/progress").empty());
    // A _meta without a usable token is the same as none.
    result_of(h.handle(call(2, "progress", nullptr, json::object{{"progressToken", json::object{}}})));
    result_of(h.handle(call(3, "progress", nullptr, json::object{{"other", 1}})));
    BOOST_TEST(h.sink.sent.empty());
}

BOOST_AUTO_TEST_CASE(progress_is_sent_with_token_and_monotonic)
{
    harness h;
    auto const& result = result_of(h.handle(call(1, "progress", nullptr, json::object{{"progressToken", "tok-1"}})));
    BOOST_TEST(result.at("content").at(0).at("text") == "finished");

    auto const notes = h.sink.with_method("notifications/progress");
    BOOST_REQUIRE(notes.size() == 3u);
    BOOST_TEST(h.sink.sent.size() == 3u);
    std::vector<double> progress;
    for (auto const& n : notes) {
        BOOST_TEST(n.at("jsonrpc") == "2.0");
        BOOST_TEST(!n.contains("id"));
        auto const& p = n.at("params").as_object();
        BOOST_TEST(p.at("progressToken") == "tok-1");
        progress.push_back(p.at("progress").to_number<double>());
    }
    BOOST_TEST(progress == (std::vector<double>{1, 2, 3}), boost::test_tools::per_element());

    auto const& first = notes[0].at("params").as_object();
    BOOST_TEST(first.at("total").to_number<double>() == 3);
    BOOST_TEST(first.at("message") == "one");
    BOOST_TEST(!notes[1].at("params").as_object().contains("message"));  // empty message omitted
    BOOST_TEST(!notes[2].at("params").as_object().contains("total"));    // unknown total omitted
    BOOST_TEST(notes[2].at("params").at("message") == "done");
}

BOOST_AUTO_TEST_CASE(integer_progress_token_is_echoed)
{
    harness h;
    result_of(h.handle(call(1, "progress", nullptr, json::object{{"progressToken", 77}})));
    auto const notes = h.sink.with_method("notifications/progress");
    BOOST_REQUIRE(!notes.empty());
    BOOST_TEST(notes[0].at("params").at("progressToken") == 77);
}

BOOST_AUTO_TEST_CASE(progress_without_sink_is_dropped)
{
    harness h;
    auto ctx = h.context();
    ctx.sink = nullptr;
    auto const& result = result_of(h.handle(call(1, "progress", nullptr, json::object{{"progressToken", "t"}}), ctx));
    BOOST_TEST(result.at("content").at(0).at("text") == "finished");
    BOOST_TEST(h.sink.sent.empty());
}

// ---- logging

BOOST_AUTO_TEST_CASE(logging_set_level_valid)
{
    harness h;
    BOOST_TEST(h.session->client_log_level.load() == 1);  // "info" until told otherwise
    auto const response = h.handle(request(1, "logging/setLevel", json::object{{"level", "warning"}}));
    BOOST_TEST(json::value(*response) == json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})"));
    BOOST_TEST(h.session->client_log_level.load() == 3);
    result_of(h.handle(request(2, "logging/setLevel", json::object{{"level", "emergency"}})));
    BOOST_TEST(h.session->client_log_level.load() == 7);
}

BOOST_AUTO_TEST_CASE(logging_set_level_invalid)
{
    harness h;
    h.session->client_log_level = 4;
    for (auto params : {json::parse(R"({"level":"verbose"})"), json::parse(R"({"level":"WARNING"})"),
                        json::parse(R"({"level":3})"), json::parse("{}")}) {
        auto const& err = error_of(h.handle(request(1, "logging/setLevel", params)));
        BOOST_TEST(err.at("code") == -32602, json::serialize(params));
        // The message lists what would have been accepted.
        BOOST_TEST(contains(message_of(err), "debug, info, notice, warning, error, critical, alert, emergency"));
    }
    BOOST_TEST(error_of(h.handle(request(2, "logging/setLevel"))).at("code") == -32602);
    // A refused request leaves the level alone.
    BOOST_TEST(h.session->client_log_level.load() == 4);
}

BOOST_AUTO_TEST_CASE(tool_log_messages_filtered_by_level)
{
    harness h;
    // Default "info": debug is dropped, and so is a level MCP does not define.
    result_of(h.handle(call(1, "chatty")));
    BOOST_TEST(logged_levels(h.sink) == (std::vector<std::string>{"info", "notice", "warning", "error", "emergency"}),
               boost::test_tools::per_element());
    auto const first = h.sink.with_method("notifications/message").at(0);
    BOOST_TEST(first.at("params") == json::parse(R"({"level":"info","logger":"justifi-mcp","data":{"said":"info"}})"));

    h.sink.sent.clear();
    result_of(h.handle(request(2, "logging/setLevel", json::object{{"level", "error"}})));
    result_of(h.handle(call(3, "chatty")));
    BOOST_TEST(logged_levels(h.sink) == (std::vector<std::string>{"error", "emergency"}),
               boost::test_tools::per_element());

    h.sink.sent.clear();
    result_of(h.handle(request(4, "logging/setLevel", json::object{{"level", "debug"}})));
    result_of(h.handle(call(5, "chatty")));
    BOOST_TEST(logged_levels(h.sink) ==
                   (std::vector<std::string>{"debug", "info", "notice", "warning", "error", "emergency"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(log_level_is_per_session)
{
    harness h;
    auto other = std::make_shared<mcp::session_state>();
    auto ctx = h.context("session-b");
    ctx.session = other;
    result_of(h.handle(request(1, "logging/setLevel", json::object{{"level", "emergency"}}), ctx));
    BOOST_TEST(other->client_log_level.load() == 7);
    BOOST_TEST(h.session->client_log_level.load() == 1);
}

// ---- cancellation

BOOST_AUTO_TEST_CASE(cancelled_notification_cancels_running_tool)
{
    harness h;
    std::optional<std::optional<json::object>> call_out;
    h.spawn(call(5, "sleep", json::object{{"ms", 5000}}), h.context(), call_out);

    std::optional<std::optional<json::object>> cancel_out;
    asio::co_spawn(
        h.io,
        [&]() -> asio::awaitable<void> {
            co_await h.until_sleepers(1);
            BOOST_TEST(h.dispatcher.calls_in_flight() == 1u);
            auto note = cancel_note(5);
            note_reason(note);
            cancel_out = co_await h.dispatcher.handle_to_object(std::move(note), h.context());
        },
        asio::detached);

    auto const started = std::chrono::steady_clock::now();
    h.run();
    auto const elapsed = std::chrono::steady_clock::now() - started;

    BOOST_REQUIRE(cancel_out);
    BOOST_TEST(!*cancel_out);  // the notification itself gets no answer
    BOOST_REQUIRE_MESSAGE(call_out, "the call never finished");
    // A cancelled request gets no response at all.
    BOOST_TEST(!*call_out);
    BOOST_TEST(elapsed < 4s);  // it did not simply run to the end of its 5s sleep
    BOOST_TEST(h.dispatcher.calls_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(with_no_configured_limit_running_calls_still_stop_at_the_process_ceiling)
{
    harness h;  // max_calls_in_flight 0, as over stdio or with MCP_MAX_TOOL_CALLS=0
    std::vector<std::optional<std::optional<json::object>>> outs(mcp::max_running + 1);
    for (std::size_t i = 0; i < outs.size(); ++i)
        h.spawn(call(static_cast<std::int64_t>(i), "sleep", json::object{{"ms", 300}}), h.context(), outs[i]);
    h.run();
    std::size_t woke = 0, refused = 0;
    for (auto const& out : outs) {
        BOOST_REQUIRE(out);
        BOOST_REQUIRE(*out);
        if ((*out)->contains("result")) ++woke;
        else if ((*out)->at("error").at("message").as_string().find("too many tool calls") != std::string_view::npos) ++refused;
    }
    BOOST_TEST(woke == mcp::max_running);
    BOOST_TEST(refused == 1u);
    BOOST_TEST(h.dispatcher.calls_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(cancellation_is_scoped_to_session_and_id)
{
    // Another session's cancellation, or one naming a different id (including the
    // string "5" for the number 5), must not touch this call.
    harness h;
    std::optional<std::optional<json::object>> call_out;
    h.spawn(call(5, "sleep", json::object{{"ms", 1000}}), h.context("session-a"), call_out);
    asio::co_spawn(
        h.io,
        [&]() -> asio::awaitable<void> {
            co_await h.until_sleepers(1);
            auto other_session = cancel_note(5);
            co_await h.dispatcher.handle(std::move(other_session), h.context("session-b"));
            auto string_id = cancel_note("5");
            co_await h.dispatcher.handle(std::move(string_id), h.context("session-a"));
            auto other_id = cancel_note(6);
            co_await h.dispatcher.handle(std::move(other_id), h.context("session-a"));
            // Give any (wrongly) posted cancellation time to land: the call must still be running.
            co_await sleep_for(50ms);
            BOOST_TEST(h.dispatcher.calls_in_flight() == 1u);
        },
        asio::detached);
    h.run();
    BOOST_REQUIRE(call_out);
    BOOST_TEST(result_of(*call_out).at("content").at(0).at("text") == "woke");
}

BOOST_AUTO_TEST_CASE(cancelling_one_call_leaves_others_running)
{
    harness h;
    std::optional<std::optional<json::object>> first, second;
    h.spawn(call("a", "sleep", json::object{{"ms", 5000}}), h.context(), first);
    h.spawn(call("b", "sleep", json::object{{"ms", 100}}), h.context(), second);
    asio::co_spawn(
        h.io,
        [&]() -> asio::awaitable<void> {
            co_await h.until_sleepers(2);
            BOOST_TEST(h.dispatcher.calls_in_flight() == 2u);
            auto note = cancel_note("a");
            co_await h.dispatcher.handle(std::move(note), h.context());
        },
        asio::detached);
    h.run();
    BOOST_REQUIRE(first);
    BOOST_TEST(!*first);
    BOOST_REQUIRE(second);
    BOOST_TEST(result_of(*second).at("content").at(0).at("text") == "woke");
}

BOOST_AUTO_TEST_CASE(cancel_all_calls_answers_with_internal_error)
{
    harness h;
    std::optional<std::optional<json::object>> first, second;
    h.spawn(call(1, "sleep", json::object{{"ms", 5000}}), h.context("session-a"), first);
    h.spawn(call(2, "sleep", json::object{{"ms", 5000}}), h.context("session-b"), second);
    asio::co_spawn(
        h.io,
        [&]() -> asio::awaitable<void> {
            co_await h.until_sleepers(2);
            BOOST_TEST(h.dispatcher.calls_in_flight() == 2u);
            h.dispatcher.cancel_all_calls();
        },
        asio::detached);

    auto const started = std::chrono::steady_clock::now();
    h.run();
    BOOST_TEST((std::chrono::steady_clock::now() - started < 4s));

    for (auto const* out : {&first, &second}) {
        BOOST_REQUIRE(*out);
        auto const& err = error_of(**out);
        BOOST_TEST(err.at("code") == -32603);
        BOOST_TEST(contains(message_of(err), "shutting down"));
    }
    BOOST_TEST(first->value().at("id") == 1);
    BOOST_TEST(second->value().at("id") == 2);
    BOOST_TEST(h.dispatcher.calls_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_all_calls_with_nothing_running_is_harmless)
{
    harness h;
    h.dispatcher.cancel_all_calls();
    h.run();
    // Calls made afterwards run normally: cancellation is not a sticky state.
    BOOST_TEST(result_of(h.handle(call(1, "echo"))).contains("structuredContent"));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- The modern era (2026-07-28): a request served on its own _meta -----------------------

namespace {

// A context as the transport makes it for a modern request that said `meta_extra` besides the
// required keys.
mcp::request_context modern(harness& h, json::object meta_extra = {})
{
    json::object meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                      {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
    for (auto const& [key, value] : meta_extra) meta[key] = value;
    auto ctx = h.context();
    auto envelope = mcp::read_envelope(json::object{{"_meta", std::move(meta)}});
    BOOST_REQUIRE(envelope);
    ctx.modern = std::move(*envelope);
    return ctx;
}

void is_complete_from_us(json::object const& result)
{
    BOOST_TEST(result.at("resultType").as_string() == "complete");
    BOOST_TEST(result.at("_meta").at("io.modelcontextprotocol/serverInfo") ==
               json::parse(R"({"name":"justifi-mcp","version":"9.8.7","title":"JustiFi"})"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(modern_dispatch)

BOOST_AUTO_TEST_CASE(server_discover_names_versions_capabilities_and_caching)
{
    harness h;
    auto const result = result_of(h.handle(request(1, "server/discover", json::object{}), modern(h)));
    is_complete_from_us(result);
    BOOST_TEST(result.at("supportedVersions") == json::parse(R"(["2026-07-28"])"));
    BOOST_TEST(result.at("capabilities").at("tools").is_object());
    BOOST_TEST(result.at("instructions").as_string() == "Use the tools.");
    BOOST_TEST(result.at("ttlMs").is_int64());
    BOOST_TEST(result.at("ttlMs").as_int64() >= 0);
    BOOST_TEST(result.at("cacheScope").as_string() == "public");
    BOOST_TEST(!result.contains("serverInfo"));  // identity lives in _meta alone
    BOOST_TEST(!result.contains("protocolVersion"));
}

BOOST_AUTO_TEST_CASE(tools_list_and_tools_call_results_are_marked_complete)
{
    harness h;
    auto const list = result_of(h.handle(request(1, "tools/list", json::object{}), modern(h)));
    is_complete_from_us(list);
    BOOST_TEST(list.at("tools").as_array().size() > 3u);
    BOOST_TEST(list.at("cacheScope").as_string() == "public");
    BOOST_TEST(list.at("ttlMs").as_int64() == mcp::list_ttl_ms);
    auto const called = result_of(h.handle(call(2, "echo", json::object{{"x", 1}}), modern(h)));
    is_complete_from_us(called);
    BOOST_TEST(called.at("structuredContent") == json::parse(R"({"x":1})"));
    // A tool error is still a result, and complete.
    auto const failed = result_of(h.handle(call(3, "fail_soft"), modern(h)));
    is_complete_from_us(failed);
    BOOST_TEST(failed.at("isError").as_bool());
    // The legacy era's answers are as they were: no resultType, no caching hints.
    auto const legacy = result_of(h.handle(request(4, "tools/list", json::object{})));
    BOOST_TEST(!legacy.contains("resultType"));
    BOOST_TEST(!legacy.contains("ttlMs"));
}

BOOST_AUTO_TEST_CASE(a_subscription_is_acknowledged_first_and_closed_gracefully_only_when_the_server_ends_it)
{
    harness h;
    json::object const params{{"notifications", json::object{{"toolsListChanged", true}}}};
    // Ended by the server (a drain): acknowledged, then cancelled, then the listen's own result.
    auto const closed = result_of(h.handle(request(7, "subscriptions/listen", params), modern(h)));
    is_complete_from_us(closed);
    BOOST_TEST(closed.at("_meta").at("io.modelcontextprotocol/subscriptionId") == 7);
    BOOST_REQUIRE(h.sink.sent.size() == 2u);
    BOOST_TEST(h.sink.sent[0].at("method") == "notifications/subscriptions/acknowledged");
    BOOST_TEST(h.sink.sent[0].at("params").at("notifications") == json::object{});
    BOOST_TEST(h.sink.sent[1].at("method") == "notifications/cancelled");
    BOOST_TEST(h.sink.sent[1].at("params").at("requestId") == 7);
    // Ended by the client going: no answer at all.
    h.sink.sent.clear();
    h.sink.ended_by_server = false;
    BOOST_TEST(!h.handle(request(8, "subscriptions/listen", params), modern(h)));
    BOOST_TEST(h.sink.sent.size() == 1u);
    // Legacy sessions have their GET stream instead: there, the method is unknown.
    BOOST_TEST(h.handle(request(9, "subscriptions/listen", params))->at("error").at("code") == -32601);
}

BOOST_AUTO_TEST_CASE(a_list_that_depends_on_the_tokens_scopes_is_private)
{
    harness h;
    auto ctx = modern(h);
    verified(ctx, {"payments:read"});
    auto const list = result_of(h.handle(request(1, "tools/list", json::object{}), std::move(ctx)));
    BOOST_TEST(list.at("cacheScope").as_string() == "private");
}

BOOST_AUTO_TEST_CASE(methods_the_modern_era_removed_are_not_found_as_refusals)
{
    harness h;
    for (auto const* method : {"initialize", "ping", "logging/setLevel", "resources/list", "no/such"}) {
        auto const answer = h.handle_reply(request(7, method, json::object{}), modern(h));
        BOOST_REQUIRE(answer);
        BOOST_REQUIRE(answer->refusal);  // HTTP answers it with 404
        BOOST_TEST((answer->refusal->code == justifi::core::errc::method_not_found), method);
        auto const error = answer->message.at("error").as_object();
        BOOST_TEST(error.at("code").as_int64() == -32601);
        BOOST_TEST(message_of(error) == "Method not found: " + std::string(method));
        BOOST_TEST(answer->message.at("id").as_int64() == 7);
    }
    // server/discover is the modern era's alone.
    BOOST_TEST(error_of(h.handle(request(8, "server/discover", json::object{}))).at("code").as_int64() == -32601);
}

BOOST_AUTO_TEST_CASE(log_messages_follow_the_requests_own_log_level_and_none_without_it)
{
    harness h;
    result_of(h.handle(call(1, "chatty"), modern(h)));
    BOOST_TEST(h.sink.with_method("notifications/message").empty());
    result_of(h.handle(call(2, "chatty"), modern(h, {{"io.modelcontextprotocol/logLevel", "error"}})));
    BOOST_TEST(logged_levels(h.sink) == (std::vector<std::string>{"error", "emergency"}), boost::test_tools::per_element());
    // An earlier legacy logging/setLevel on the session changes nothing for a modern request.
    h.sink.sent.clear();
    result_of(h.handle(request(3, "logging/setLevel", json::object{{"level", "debug"}})));
    result_of(h.handle(call(4, "chatty"), modern(h)));
    BOOST_TEST(h.sink.with_method("notifications/message").empty());
}

BOOST_AUTO_TEST_CASE(mcp_param_headers_are_checked_against_the_tools_declarations)
{
    harness h;
    tools::tool_definition def;
    def.name = "routed";
    def.description = "a tool with a mirrored argument";
    def.input_schema = json::parse(R"({"type":"object","properties":{
        "sub_account_id":{"type":"string","x-mcp-header":"Sub-Account"}}})").as_object();
    def.handler = [](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
        co_return tools::tool_result::text("routed");
    };
    h.registry.add(std::move(def));
    auto const with_header = [&](std::optional<std::string_view> value) {
        mcp::mirrored_headers headers{.protocol_version = "2026-07-28", .method = "tools/call", .name = "routed", .params = {}};
        if (value) headers.params.emplace_back("sub-account", *value);
        return headers;
    };
    auto const arguments = json::object{{"sub_account_id", "acc_123"}};
    auto const matching = with_header("acc_123");
    auto ctx = modern(h);
    ctx.headers = &matching;
    is_complete_from_us(result_of(h.handle(call(1, "routed", arguments), std::move(ctx))));
    for (auto const& sent : {with_header(std::nullopt), with_header("acc_999")}) {
        auto refused_ctx = modern(h);
        refused_ctx.headers = &sent;
        auto const answer = h.handle_reply(call(2, "routed", arguments), std::move(refused_ctx));
        BOOST_REQUIRE(answer && answer->refusal);
        BOOST_TEST((answer->refusal->code == justifi::core::errc::header_mismatch));
        BOOST_TEST(answer->message.at("error").at("code").as_int64() == -32020);
    }
    // Over stdio there are no headers to check.
    is_complete_from_us(result_of(h.handle(call(3, "routed", arguments), modern(h))));
}

BOOST_AUTO_TEST_CASE(a_tool_asks_for_input_and_its_sealed_state_comes_back_verified_on_the_retry)
{
    harness h;
    h.add_confirm();
    json::object const elicitation{{"io.modelcontextprotocol/clientCapabilities", json::object{{"elicitation", json::object{}}}}};
    auto const asked = result_of(h.handle(call(1, "confirm", json::object{{"amount", 5000}}), modern(h, elicitation)));
    BOOST_TEST(asked.at("resultType").as_string() == "input_required");
    BOOST_TEST(asked.at("inputRequests").at("confirm").at("method") == "elicitation/create");
    BOOST_TEST(asked.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name") == "justifi-mcp");
    auto const state = std::string(asked.at("requestState").as_string());
    BOOST_TEST(state.find("amount") == std::string::npos);  // not the tool's words in clear

    auto retry = [&](int id, json::object arguments, std::string const& request_state) {
        json::object params{{"name", "confirm"},
                            {"arguments", std::move(arguments)},
                            {"inputResponses", json::parse(R"({"confirm":{"action":"accept","content":{}}})")},
                            {"requestState", request_state}};
        return h.handle(request(id, "tools/call", std::move(params)), modern(h, elicitation));
    };
    auto const done = result_of(retry(2, {{"amount", 5000}}, state));
    BOOST_TEST(done.at("resultType").as_string() == "complete");
    auto const text = std::string(done.at("content").at(0).at("text").as_string());
    BOOST_TEST(text.starts_with("amount=5000 nonce="));
    BOOST_TEST(text.size() == std::string("amount=5000 nonce=").size() + 32);
    BOOST_TEST(h.confirm_runs == 2);

    // Changed, or presented for other arguments: refused before the tool runs.
    auto tampered = state;
    tampered[3] = tampered[3] == 'x' ? 'y' : 'x';
    for (auto const& [arguments, presented] : {std::pair{json::object{{"amount", 5000}}, tampered},
                                               std::pair{json::object{{"amount", 9999}}, state}}) {
        auto const error = error_of(retry(3, arguments, presented));
        BOOST_TEST(error.at("code") == -32602);
        BOOST_TEST(contains(message_of(error), "requestState"));
    }
    BOOST_TEST(h.confirm_runs == 2);
}

BOOST_AUTO_TEST_CASE(asking_what_the_client_did_not_declare_is_32021_and_legacy_clients_are_never_asked)
{
    harness h;
    h.add_confirm();
    auto reply = h.handle_reply(call(1, "confirm", json::object{{"amount", 1}}), modern(h));
    BOOST_REQUIRE(reply);
    BOOST_REQUIRE(reply->refusal);
    BOOST_TEST((reply->refusal->code == justifi::core::errc::missing_client_capability));
    auto const response = std::move(*reply).to_object();
    BOOST_TEST(response.at("id") == 1);
    auto const& error = response.at("error").as_object();
    BOOST_TEST(error.at("code") == -32021);
    BOOST_TEST(error.at("data") == json::parse(R"({"requiredCapabilities":{"elicitation":{}}})"));
    // A legacy request's inputResponses and requestState are not 2025 fields: not read, not judged.
    json::object params{{"name", "confirm"}, {"arguments", json::object{{"amount", 1}}}, {"requestState", "junk"}};
    auto const legacy = result_of(h.handle(request(2, "tools/call", std::move(params))));
    BOOST_TEST(legacy.at("isError").as_bool());
    BOOST_TEST(legacy.at("content").at(0).at("text") == "cannot ask this client");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A transport's channel that answers every question at once, and remembers what it was asked.
class answering_channel final : public mcp::client_channel {
public:
    asio::awaitable<justifi::core::outcome<json::object>> request(std::string_view method, json::object params) override
    {
        asked.push_back(json::object{{"method", method}, {"params", std::move(params)}});
        co_return json::object{{"action", "accept"}, {"content", json::object{{"ok", true}}}};
    }
    std::vector<json::object> asked;
};

// A harness with the tool "ask", which asks the person inside its call when it may.
struct asking_harness : harness {
    asking_harness()
    {
        add("ask", [](json::object const&, tools::tool_context& ctx) -> asio::awaitable<tools::tool_result> {
            if (!ctx.can_elicit_in_call()) {
                auto tried = ctx.elicit_in_call(json::object{{"message", "?"}});  // refused when tried anyway
                auto const why = co_await std::move(tried);
                co_return tools::tool_result::error("cannot ask: " + why.error().message);
            }
            auto asked = ctx.elicit_in_call(json::object{{"message", "Refund $5?"}});
            auto const said = co_await std::move(asked);
            co_return tools::tool_result::text(json::serialize(said.value()));
        });
    }
    void initialize(std::string_view version, std::string_view capabilities)
    {
        auto const params = json::parse(R"({"protocolVersion":")" + std::string(version) + R"(","capabilities":)" +
                                        std::string(capabilities) + R"(,"clientInfo":{"name":"t","version":"1"}})");
        result_of(handle(request(0, "initialize", params)));
    }
    // The text "ask" answered with, over a transport with a channel (stdio) or without (HTTP).
    std::string ask(bool with_channel, std::optional<mcp::envelope> modern = std::nullopt)
    {
        auto ctx = context();
        ctx.client = with_channel ? &channel : nullptr;
        ctx.modern = std::move(modern);
        auto const result = result_of(handle(call(1, "ask"), std::move(ctx)));
        return std::string(result.at("content").at(0).at("text").as_string());
    }
    answering_channel channel;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(legacy_elicitation)

BOOST_AUTO_TEST_CASE(a_declaring_legacy_client_is_asked_through_the_channel)
{
    asking_harness h;
    h.initialize("2025-11-25", R"({"elicitation":{}})");
    BOOST_TEST(h.ask(true) == R"({"action":"accept","content":{"ok":true}})");
    BOOST_REQUIRE(h.channel.asked.size() == 1u);
    BOOST_TEST(h.channel.asked[0].at("method") == "elicitation/create");
    BOOST_TEST(h.channel.asked[0].at("params").at("message") == "Refund $5?");
}

BOOST_AUTO_TEST_CASE(form_mode_is_needed_and_2025_06_18_is_enough)
{
    asking_harness h;
    h.initialize("2025-06-18", R"({"elicitation":{"form":{}}})");
    BOOST_TEST(!contains(h.ask(true), "cannot ask"));
    h.initialize("2025-11-25", R"({"elicitation":{"url":{}}})");  // URL mode only: no form to fill in
    BOOST_TEST(contains(h.ask(true), "cannot ask"));
}

BOOST_AUTO_TEST_CASE(no_declaration_an_older_version_no_channel_or_a_modern_request_cannot_ask)
{
    asking_harness h;
    h.initialize("2025-11-25", R"({})");
    BOOST_TEST(contains(h.ask(true), "cannot ask: this client cannot be asked a question during a tool call"));
    h.initialize("2025-03-26", R"({"elicitation":{}})");  // before elicitation existed
    BOOST_TEST(contains(h.ask(true), "cannot ask"));
    h.initialize("2025-11-25", R"({"elicitation":{}})");
    BOOST_TEST(contains(h.ask(false), "cannot ask"));  // HTTP: no channel
    mcp::envelope const modern{.protocol_version = "2026-07-28",
                               .client_capabilities = json::object{{"elicitation", json::object{}}}};
    BOOST_TEST(contains(h.ask(true, modern), "cannot ask"));  // modern: it asks through its result instead
    BOOST_TEST(h.channel.asked.empty());
}

BOOST_AUTO_TEST_SUITE_END()
