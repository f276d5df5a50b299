// justifi-mcp with test-only tools (and the conformance suite's fixtures) registered on top of
// the product's (empty, for now) catalog. Integration tests use it to exercise tools/call, progress, logging,
// cancellation and draining through the real transports.
#include "server/app.hpp"
#include "tests/support/conformance_fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>

namespace asio = boost::asio;
namespace json = boost::json;
using justifi::tools::tool_context;
using justifi::tools::tool_result;

namespace {

json::object object_schema(json::object properties, json::array required = {})
{
    json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) schema["required"] = std::move(required);
    return schema;
}

std::int64_t int_arg(json::object const& args, std::string_view name, std::int64_t fallback)
{
    auto const* v = args.if_contains(name);
    return v && v->is_int64() ? v->as_int64() : fallback;
}

void register_test_tools(justifi::tools::tool_registry& registry)
{
    registry.add({
        .name = "test_echo",
        .title = "Echo",
        .description = "Returns its arguments, and who called (the auth context's principal).",
        .input_schema = object_schema({{"text", {{"type", "string"}}}}),
        .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
        .handler = [](json::object const& args, tool_context& ctx) -> asio::awaitable<tool_result> {
            co_return tool_result::structured_json(json::object{{"arguments", args}, {"principal", ctx.auth().principal()}});
        },
    });
    registry.add({
        .name = "test_sleep",
        .title = "Sleep",
        .description = "Waits milliseconds (cancellable), then answers \"slept\".",
        .input_schema = object_schema({{"milliseconds", {{"type", "integer"}}}}, {"milliseconds"}),
        .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
        .handler = [](json::object const& args, tool_context&) -> asio::awaitable<tool_result> {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            timer.expires_after(std::chrono::milliseconds(int_arg(args, "milliseconds", 0)));
            co_await timer.async_wait(asio::use_awaitable);  // throws when cancelled
            co_return tool_result::text("slept");
        },
    });
    registry.add({
        .name = "test_progress",
        .title = "Progress",
        .description = "Sends `steps` progress notifications and log messages at info and debug, then answers.",
        .input_schema = object_schema({{"steps", {{"type", "integer"}}}, {"delay_ms", {{"type", "integer"}}}}),
        .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
        .handler = [](json::object const& args, tool_context& ctx) -> asio::awaitable<tool_result> {
            auto const steps = int_arg(args, "steps", 3);
            asio::steady_timer timer(co_await asio::this_coro::executor);
            for (std::int64_t i = 1; i <= steps; ++i) {
                json::value const info(std::string("step ") + std::to_string(i));  // named: see GCC 12 note in http_transport
                json::value const detail(std::string("debug detail ") + std::to_string(i));
                co_await ctx.log("info", info);
                co_await ctx.log("debug", detail);
                co_await ctx.report_progress(static_cast<double>(i), static_cast<double>(steps), "step");
                timer.expires_after(std::chrono::milliseconds(int_arg(args, "delay_ms", 10)));
                co_await timer.async_wait(asio::use_awaitable);
            }
            co_return tool_result::text("done after " + std::to_string(steps) + " steps");
        },
    });
    registry.add({
        .name = "test_fail",
        .title = "Fail",
        .description = "Always answers with a tool error.",
        .input_schema = object_schema({}),
        .annotations = {},
        .handler = [](json::object const&, tool_context&) -> asio::awaitable<tool_result> {
            co_return tool_result::error("test_fail always fails: nothing to fix, it is a test tool");
        },
    });
    registry.add({
        .name = "test_confirm",
        .title = "Confirm",
        .description = "Refuses as JUSTIFI_CONFIRM_WRITES does when nobody can be asked for confirmation.",
        .input_schema = object_schema({}),
        .annotations = {},
        .handler = [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
            if (ctx.may_ask_for_input() || ctx.client_declares({"elicitation"})) co_return tool_result::text("could ask");
            co_return tool_result::refused(justifi::core::refuse(justifi::core::errc::missing_client_capability,
                                                                 "test_confirm needs confirmation; nobody can be asked"));
        },
    });
    registry.add({
        .name = "test_throw",
        .title = "Throw",
        .description = "Throws an exception, as a bug in a tool would.",
        .input_schema = object_schema({}),
        .annotations = {},
        .handler = [](json::object const&, tool_context&) -> asio::awaitable<tool_result> {
            throw std::runtime_error("bug in test_throw");
            co_return tool_result::text("unreachable");
        },
    });
}

}  // namespace

int main(int argc, char** argv)
{
    justifi::server::catalog_installer test_tools;
    test_tools.install = [](justifi::tools::tool_registry& registry, justifi::client::justifi_client&,
                            justifi::server::config::settings const&) -> justifi::core::outcome<void> {
        register_test_tools(registry);
        justifi::test::register_conformance_fixtures(registry);
        return {};
    };
    test_tools.needs_justifi_credentials = false;
    return justifi::server::run(argc, argv, test_tools);
}
