#include "tests/support/conformance_fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>

namespace justifi::test {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using tools::tool_context;
using tools::tool_result;

// A 1x1 PNG and a silent WAV, as the suite's own fixture sends them.
constexpr std::string_view png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr std::string_view wav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

// Every fixture reads nothing outside this process and changes nothing.
constexpr tools::tool_annotations harmless{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};

json::object no_arguments() { return {{"type", "object"}, {"properties", json::object{}}}; }

json::object text_block(std::string_view text) { return {{"type", "text"}, {"text", text}}; }
json::object image_block() { return {{"type", "image"}, {"data", png}, {"mimeType", "image/png"}}; }

tool_result blocks(json::array content)
{
    tool_result r;
    r.content = std::move(content);
    return r;
}

// A tool with no arguments whose answer is always `answer`.
void fixed(tools::tool_registry& registry, std::string name, std::string description, tool_result answer)
{
    registry.add({
        .name = std::move(name),
        .description = std::move(description),
        .input_schema = no_arguments(),
        .annotations = harmless,
        .handler = [answer = std::move(answer)](json::object const&, tool_context&) -> asio::awaitable<tool_result> {
            co_return answer;
        },
    });
}

asio::awaitable<void> pause(std::chrono::milliseconds how_long)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

void register_conformance_fixtures(tools::tool_registry& registry)
{
    fixed(registry, "test_simple_text", "Returns one text block.",
          blocks({text_block("This is a simple text response for testing.")}));
    fixed(registry, "test_image_content", "Returns one image block (a 1x1 PNG).", blocks({image_block()}));
    fixed(registry, "test_audio_content", "Returns one audio block (a silent WAV).",
          blocks({json::object{{"type", "audio"}, {"data", wav}, {"mimeType", "audio/wav"}}}));
    fixed(registry, "test_embedded_resource", "Returns one embedded text resource.",
          blocks({json::object{{"type", "resource"},
                               {"resource", json::object{{"uri", "test://embedded-resource"},
                                                         {"mimeType", "text/plain"},
                                                         {"text", "This is an embedded resource content."}}}}}));
    fixed(registry, "test_multiple_content_types", "Returns text, an image and an embedded resource.",
          blocks({text_block("Multiple content types test:"), image_block(),
                  json::object{{"type", "resource"},
                               {"resource", json::object{{"uri", "test://mixed-content-resource"},
                                                         {"mimeType", "application/json"},
                                                         {"text", R"({"test":"data","value":123})"}}}}}));
    auto failing = tool_result::error("This tool intentionally returns an error for testing");
    fixed(registry, "test_error_handling", "Always answers with a tool error (isError).", std::move(failing));

    registry.add({
        .name = "test_tool_with_progress",
        .description = "Reports progress 0, 50 and 100 of 100, 50 ms apart, then answers.",
        .input_schema = no_arguments(),
        .annotations = harmless,
        .handler = [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
            for (double progress : {0.0, 50.0, 100.0}) {
                co_await ctx.report_progress(progress, 100.0, "step");
                co_await pause(std::chrono::milliseconds(50));
            }
            co_return tool_result::text("Progress test completed");
        },
    });
    registry.add({
        .name = "test_logging_tool",
        .description = "Logs at info and answers: the log reaches only a request that asked for a log level.",
        .input_schema = no_arguments(),
        .annotations = harmless,
        .handler = [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
            co_await ctx.log("info", json::value("Tool execution started"));
            co_return tool_result::text("Logging test completed");
        },
    });
    registry.add({
        .name = "test_header_param",
        .description = "Echoes its region, which clients mirror as the Mcp-Param-Region header.",
        .input_schema = {{"type", "object"},
                         {"properties", json::object{{"region", json::object{{"type", "string"}, {"x-mcp-header", "Region"}}}}},
                         {"required", json::array{"region"}}},
        .annotations = harmless,
        .handler = [](json::object const& args, tool_context&) -> asio::awaitable<tool_result> {
            co_return tool_result::text("region: " + std::string(args.at("region").as_string()));
        },
    });
}

}  // namespace justifi::test
