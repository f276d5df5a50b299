#include "tests/support/conformance_fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>

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

// 2026-07-28's multi round-trip fixtures ask the client through these three kinds of request.
json::object elicit(std::string_view message, std::string_view field, std::string_view type)
{
    json::object schema{{"type", "object"},
                        {"properties", json::object{{field, json::object{{"type", type}}}}},
                        {"required", json::array{field}}};
    return {{"method", "elicitation/create"},
            {"params", json::object{{"message", message}, {"requestedSchema", std::move(schema)}}}};
}

json::object sample(std::string_view prompt, int max_tokens)
{
    json::object message{{"role", "user"}, {"content", json::object{{"type", "text"}, {"text", prompt}}}};
    return {{"method", "sampling/createMessage"},
            {"params", json::object{{"messages", json::array{std::move(message)}}, {"maxTokens", max_tokens}}}};
}

json::object list_roots() { return {{"method", "roots/list"}, {"params", json::object{}}}; }

// The client's answer to input request `key`, when its retry carries one.
json::object const* answer(tool_context const& ctx, std::string_view key)
{
    auto const* responses = ctx.input_responses();
    auto const* found = responses ? responses->if_contains(key) : nullptr;
    return found ? found->if_object() : nullptr;
}

// An accepted elicitation's string field, or nothing (declined, cancelled, or not a string).
std::optional<std::string> accepted(json::object const& elicit_result, std::string_view field)
{
    auto const* action = elicit_result.if_contains("action");
    auto const* content = elicit_result.if_contains("content");
    if (!action || *action != "accept" || !content || !content->is_object()) return std::nullopt;
    auto const* value = content->get_object().if_contains(field);
    if (!value || !value->is_string()) return std::nullopt;
    return std::string(value->get_string());
}

// A sampling result's text, or "" when it has none.
std::string sampled_text(json::object const& message)
{
    auto const* content = message.if_contains("content");
    auto const* text = content && content->is_object() ? content->get_object().if_contains("text") : nullptr;
    return text && text->is_string() ? std::string(text->get_string()) : std::string();
}

// A harmless tool that takes no arguments.
void without_arguments(tools::tool_registry& registry, std::string name, std::string description, tools::tool_handler handler)
{
    registry.add({.name = std::move(name),
                  .description = std::move(description),
                  .input_schema = no_arguments(),
                  .annotations = harmless,
                  .handler = std::move(handler)});
}

void register_input_required_fixtures(tools::tool_registry& registry)
{
    without_arguments(registry, "test_input_required_result_elicitation", "Asks the person's name (elicitation), then greets them.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               auto const* reply = answer(ctx, "user_name");
               // No answer, or another key only: ask again rather than fail (the spec's SHOULD).
               if (!reply) co_return tool_result::needs_input({{"user_name", elicit("What is your name?", "name", "string")}});
               auto const name = accepted(*reply, "name");
               co_return tool_result::text(name ? "Hello, " + *name + "!" : std::string("No name was given."));
           });
    without_arguments(registry, "test_input_required_result_sampling", "Asks the client's model a question (sampling).",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               auto const* reply = answer(ctx, "capital_question");
               if (!reply)
                   co_return tool_result::needs_input({{"capital_question", sample("What is the capital of France?", 100)}});
               co_return tool_result::text("The model said: " + sampled_text(*reply));
           });
    without_arguments(registry, "test_input_required_result_list_roots", "Asks the client's roots, then names them.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               auto const* reply = answer(ctx, "client_roots");
               if (!reply) co_return tool_result::needs_input({{"client_roots", list_roots()}});
               std::string uris;
               if (auto const* roots = reply->if_contains("roots"); roots && roots->is_array())
                   for (auto const& root : roots->get_array())
                       if (auto const* uri = root.is_object() ? root.get_object().if_contains("uri") : nullptr;
                           uri && uri->is_string())
                           uris += (uris.empty() ? "" : ", ") + std::string(uri->get_string());
               co_return tool_result::text("Roots: " + (uris.empty() ? std::string("none") : uris));
           });
    // Both keep state the client must echo: the retry completes only when it comes back intact.
    for (auto const* name : {"test_input_required_result_request_state", "test_input_required_result_tampered_state"})
        without_arguments(registry, name, "Asks for a confirmation and keeps state across the round trip.",
               [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
                   auto const* reply = answer(ctx, "confirm");
                   if (!reply || ctx.request_state() != "awaiting-confirmation")
                       co_return tool_result::needs_input({{"confirm", elicit("Please confirm", "ok", "boolean")}},
                                                          "awaiting-confirmation");
                   co_return tool_result::text("state-ok: the confirmation came back with its state");
               });
    without_arguments(registry, "test_input_required_result_multiple_inputs", "Asks for a name, a greeting and the roots at once.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               if (!answer(ctx, "user_name") || !answer(ctx, "greeting") || !answer(ctx, "client_roots") ||
                   ctx.request_state() != "three-questions")
                   co_return tool_result::needs_input({{"user_name", elicit("What is your name?", "name", "string")},
                                                       {"greeting", sample("Generate a greeting", 50)},
                                                       {"client_roots", list_roots()}},
                                                      "three-questions");
               co_return tool_result::text("All three answers arrived");
           });
    without_arguments(registry, "test_input_required_result_multi_round", "Asks two questions, one round each.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               auto const state = ctx.request_state();
               if (state && state->starts_with("round-2:"))
                   if (auto const* reply = answer(ctx, "step2"))
                       co_return tool_result::text(std::string(state->substr(8)) + " likes " +
                                                   accepted(*reply, "color").value_or("no colour"));
               if (state == "round-1")
                   if (auto const* reply = answer(ctx, "step1"))
                       co_return tool_result::needs_input(
                           {{"step2", elicit("Step 2: What is your favorite color?", "color", "string")}},
                           "round-2:" + accepted(*reply, "name").value_or("someone"));
               co_return tool_result::needs_input({{"step1", elicit("Step 1: What is your name?", "name", "string")}},
                                                  "round-1");
           });
    without_arguments(registry, "test_input_required_result_capabilities",
           "Asks only through the capabilities the client declared.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               json::object requests;
               if (ctx.client_declares({"elicitation", "form"}) && !answer(ctx, "user_name"))
                   requests["user_name"] = elicit("What is your name?", "name", "string");
               if (ctx.client_declares({"sampling"}) && !answer(ctx, "greeting"))
                   requests["greeting"] = sample("Generate a greeting", 50);
               if (ctx.client_declares({"roots"}) && !answer(ctx, "client_roots")) requests["client_roots"] = list_roots();
               if (!requests.empty()) co_return tool_result::needs_input(std::move(requests));
               co_return tool_result::text("Nothing (more) to ask");
           });
    // Needs the client's model whatever the client declared: a client without sampling gets -32021.
    without_arguments(registry, "test_missing_capability", "Needs sampling; a client that did not declare it is refused.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               if (auto const* reply = answer(ctx, "summary")) co_return tool_result::text(sampled_text(*reply));
               co_return tool_result::needs_input({{"summary", sample("Summarise this conversation", 100)}});
           });
    without_arguments(registry, "test_streaming_elicitation", "Logs, then asks a question on the call's own response stream.",
           [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
               co_await ctx.log("info", json::value("about to ask"));
               if (auto const* reply = answer(ctx, "question"))
                   co_return tool_result::text("Answer: " + accepted(*reply, "answer").value_or("none"));
               co_return tool_result::needs_input({{"question", elicit("Anything to add?", "answer", "string")}});
           });
}

// The 2025 era's tools-call-elicitation: the question is asked inside the call, which this server
// does only over stdio (over HTTP the answer might reach another replica), so over HTTP it fails.
void register_legacy_elicitation_fixture(tools::tool_registry& registry)
{
    registry.add({
        .name = "test_elicitation",
        .description = "Asks the person for a username and an email (elicitation/create during the call), then "
                       "says what they answered.",
        .input_schema = {{"type", "object"},
                         {"properties", json::object{{"message", json::object{{"type", "string"}}}}},
                         {"required", json::array{"message"}}},
        .annotations = harmless,
        .handler = [](json::object const& args, tool_context& ctx) -> asio::awaitable<tool_result> {
            if (!ctx.can_elicit_in_call())
                co_return tool_result::error("Elicitation is not available to this client: it needs a 2025-06-18 or "
                                             "later client over stdio that declared the elicitation capability");
            auto const* message = args.if_contains("message");
            if (!message || !message->is_string()) co_return tool_result::error("message must be a string");
            auto const field = [](std::string_view description) {
                return json::object{{"type", "string"}, {"description", description}};
            };
            json::object schema{{"type", "object"},
                                {"properties", json::object{{"username", field("User's response")},
                                                            {"email", field("User's email address")}}},
                                {"required", json::array{"username", "email"}}};
            auto asked = ctx.elicit_in_call({{"message", *message}, {"requestedSchema", std::move(schema)}});
            auto const answer = co_await std::move(asked);
            if (!answer) co_return tool_result::error("The question was not answered: " + answer.error().message);
            auto const* action = answer->if_contains("action");
            std::string said = "User response: action=" +
                               (action && action->is_string() ? std::string(action->get_string()) : std::string("none"));
            if (auto const* content = answer->if_contains("content")) said += ", content=" + json::serialize(*content);
            co_return tool_result::text(said);
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

    without_arguments(registry, "test_tool_with_progress",
                      "Reports progress 0, 50 and 100 of 100, 50 ms apart, then answers.",
                      [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
                          for (double progress : {0.0, 50.0, 100.0}) {
                              co_await ctx.report_progress(progress, 100.0, "step");
                              co_await pause(std::chrono::milliseconds(50));
                          }
                          co_return tool_result::text("Progress test completed");
                      });
    without_arguments(registry, "test_logging_tool",
                      "Logs at info and answers: the log reaches only a request that asked for a log level.",
                      [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
                          co_await ctx.log("info", json::value("Tool execution started"));
                          co_return tool_result::text("Logging test completed");
                      });
    without_arguments(registry, "test_tool_with_logging", "Sends three info log messages 50 ms apart, then answers.",
                      [](json::object const&, tool_context& ctx) -> asio::awaitable<tool_result> {
                          for (auto const* said : {"Tool execution started", "Tool processing data"}) {
                              co_await ctx.log("info", json::value(said));
                              co_await pause(std::chrono::milliseconds(50));
                          }
                          co_await ctx.log("info", json::value("Tool execution completed"));
                          co_return tool_result::text("Logging test completed");
                      });
    register_input_required_fixtures(registry);
    register_legacy_elicitation_fixture(registry);
    // Its schema uses 2020-12's wider vocabulary, which tools/list must pass on untouched.
    registry.add({
        .name = "json_schema_2020_12_tool",
        .description = "Tool with JSON Schema 2020-12 features",
        .input_schema = json::parse(R"({
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "$defs": {"address": {"$anchor": "addressDef", "type": "object",
                                  "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
            "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"},
                           "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                           "phone": {"type": "string"}, "email": {"type": "string"}},
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]}, "else": {"required": ["email"]},
            "additionalProperties": false})").as_object(),
        .annotations = harmless,
        .handler = [](json::object const&, tool_context&) -> asio::awaitable<tool_result> {
            co_return tool_result::text("schema preserved");
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
