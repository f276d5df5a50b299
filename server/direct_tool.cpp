#include "server/direct_tool.hpp"

#include "server/http_answers.hpp"

#include "client/justifi_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace justifi::server::direct_tool {
namespace {

namespace json = boost::json;

std::string_view kind_name(json::value const& value)
{
    switch (value.kind()) {
    case json::kind::array: return "an array";
    case json::kind::string: return "a string";
    case json::kind::bool_: return "a boolean";
    case json::kind::null: return "null";
    default: return "a number";
    }
}

bool is_client_error(boost::system::error_code const& failure)
{
    return failure.category() == make_error_code(client::client_error::connect_failed).category();
}

std::string text_of(json::object const& result)
{
    std::string out;
    if (auto const* content = result.if_contains("content"); content && content->is_array())
        for (auto const& block : content->get_array())
            if (auto const* text = block.is_object() ? block.get_object().if_contains("text") : nullptr;
                text && text->is_string())
                out += text->get_string();
    return out;
}

answer failed(http::status status, std::string_view code, std::string_view message, json::object extra = {})
{
    return {status, error_object(code, message, std::move(extra))};
}

// A tool result with isError, in HTTP's terms.
answer tool_error(std::string_view tool, mcp::reply const& reply, std::string const& text)
{
    using core::errc;
    if (reply.failure == errc::missing_client_capability)
        return failed(http::status::forbidden, "confirmation_required",
                      std::string(tool) +
                          " needs a person's confirmation before it acts (JUSTIFI_CONFIRM_WRITES), and this endpoint "
                          "cannot ask anyone: call it from an MCP client that can ask for confirmation. The tool "
                          "said: " + text);
    if (auto const& upstream = reply.upstream) {
        json::object justifi{{"status", upstream->status}};
        if (!upstream->code.empty()) justifi["code"] = upstream->code;
        if (!upstream->message.empty()) justifi["message"] = upstream->message;
        return failed(http::status::bad_gateway, "justifi_error", text, {{"justifi", std::move(justifi)}});
    }
    if (is_client_error(reply.failure)) {
        using client::client_error;
        if (reply.failure == client_error::token_budget_exhausted)
            return failed(http::status::service_unavailable, "overloaded", text);
        if (reply.failure == client_error::invalid_header_value)
            return failed(http::status::bad_request, "invalid_arguments", text);
        return failed(http::status::bad_gateway, "justifi_unreachable", text);
    }
    if (reply.failure == errc::invalid_arguments || reply.failure == errc::bad_sub_account)
        return failed(http::status::bad_request, error_name(errc(reply.failure.value())), text);
    // A tool that refused for reasons of its own (read-only mode): its words say why.
    return failed(http::status::unprocessable_entity, "tool_error", text);
}

}  // namespace

core::outcome<mcp::jsonrpc::message> as_tools_call(std::string_view tool, std::string_view body)
{
    auto const expected = "the body must be a JSON object of " + std::string(tool) +
                          "'s arguments (such as {\"limit\": 10}, or {} for none)";
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    auto arguments = json::parse(body, ec, {}, options);
    if (ec) return core::refuse(core::errc::parse_error, expected + "; it is not valid JSON (" + ec.message() + ")");
    if (!arguments.is_object())
        return core::refuse(core::errc::parse_error, expected + "; it is " + std::string(kind_name(arguments)));
    json::object params{{"name", tool}, {"arguments", std::move(arguments)}};
    return mcp::jsonrpc::decode(json::value{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", std::move(params)}});
}

answer answer_of(std::string_view tool, mcp::reply reply)
{
    using core::errc;
    if (auto const* error = reply.message.if_contains("error")) {
        auto const* message = error->is_object() ? error->get_object().if_contains("message") : nullptr;
        std::string_view const text = message && message->is_string() ? std::string_view(message->get_string()) : "";
        if (reply.failure == errc::unknown_tool)
            return failed(http::status::not_found, "unknown_tool",
                          "no tool is named \"" + std::string(tool) + "\"; the tools are listed by tools/list on /mcp");
        if (reply.failure == errc::shutting_down) return failed(http::status::service_unavailable, "shutting_down", text);
        if (reply.failure == errc::invalid_params) return failed(http::status::bad_request, "invalid_arguments", text);
        return failed(http::status::internal_server_error, "internal_error", text);
    }
    auto* result = reply.message.if_contains("result") ? reply.message.at("result").if_object() : nullptr;
    if (!result)  // cannot happen: a tools/call reply is a result or an error
        return failed(http::status::internal_server_error, "internal_error", "the tool gave no result");
    if (auto const* flag = result->if_contains("isError"); flag && flag->is_bool() && flag->get_bool())
        return tool_error(tool, reply, text_of(*result));
    // JustiFi's JSON as it came, not parsed: the passed-on text, else the tool's own structure.
    if (reply.spliced_name == "structuredContent") return {http::status::ok, std::move(reply.spliced_text)};
    if (auto const* structured = result->if_contains("structuredContent")) return {http::status::ok, json::serialize(*structured)};
    return {http::status::ok, json::serialize(*result)};
}

}  // namespace justifi::server::direct_tool
