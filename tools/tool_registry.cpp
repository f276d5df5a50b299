#include "tools/tool_registry.hpp"

#include <algorithm>

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace justifi::tools {
namespace {

constexpr std::string_view cursor_prefix = "tools-after:";

bool valid_tool_name(std::string_view name)
{
    // MCP 2025-11-25: 1-128 characters of A-Z a-z 0-9 _ - .
    if (name.empty() || name.size() > 128) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    return true;
}

}  // namespace

tool_result tool_result::text(std::string_view text)
{
    tool_result r;
    r.content.push_back(json::object{{"type", "text"}, {"text", text}});
    return r;
}

tool_result tool_result::error(std::string_view message)
{
    auto r = text(message);
    r.is_error = true;
    return r;
}

tool_result tool_result::refused(core::refusal const& why)
{
    auto r = error(why.message);
    r.failure = why.code;
    return r;
}

tool_result tool_result::structured_json(json::value value)
{
    auto r = text(json::serialize(value));
    r.structured = std::move(value);
    return r;
}

tool_result tool_result::structured_json_text(std::string object_text)
{
    tool_result r;
    r.structured_text = std::move(object_text);
    return r;
}

boost::asio::awaitable<core::outcome<json::object>> tool_context::elicit_in_call(json::object)
{
    co_return core::refuse(core::errc::missing_client_capability,
                           "This client cannot be asked a question during a tool call");
}

tool_result tool_result::needs_input(json::object requests, std::string state)
{
    tool_result r;
    r.input_required = input_request_set{std::move(requests), std::move(state)};
    return r;
}

json::object tool_result::to_json() &&
{
    json::object out;
    if (content.empty() && !structured_text.empty())
        out["content"] = json::array{json::object{{"type", "text"}, {"text", structured_text}}};
    else out["content"] = std::move(content);
    if (structured) out["structuredContent"] = std::move(*structured);
    else if (!structured_text.empty()) out["structuredContent"] = json::parse(structured_text);
    if (is_error) out["isError"] = true;
    return out;
}

json::object tool_result::to_json() const&
{
    json::object out;
    if (content.empty() && !structured_text.empty())
        out["content"] = json::array{json::object{{"type", "text"}, {"text", structured_text}}};
    else out["content"] = content;
    if (structured) out["structuredContent"] = *structured;
    else if (!structured_text.empty()) out["structuredContent"] = json::parse(structured_text);
    if (is_error) out["isError"] = true;
    return out;
}

json::object tool_definition::describe() const
{
    json::object out;
    out["name"] = name;
    if (!title.empty()) out["title"] = title;
    out["description"] = description;
    out["inputSchema"] = input_schema;
    if (output_schema) out["outputSchema"] = *output_schema;
    out["annotations"] = json::object{
        {"title", title},
        {"readOnlyHint", annotations.read_only},
        {"destructiveHint", annotations.destructive},
        {"idempotentHint", annotations.idempotent},
        {"openWorldHint", annotations.open_world},
    };
    return out;
}

void tool_registry::add(tool_definition definition)
{
    if (!valid_tool_name(definition.name))
        throw std::invalid_argument("tool name \"" + definition.name + "\" is not 1-128 of [A-Za-z0-9_.-]");
    if (!definition.handler) throw std::invalid_argument("tool \"" + definition.name + "\" has no handler");
    auto const* type = definition.input_schema.if_contains("type");
    if (!type || *type != "object")
        throw std::invalid_argument("tool \"" + definition.name + "\" inputSchema must have type \"object\"");
    if (definition.output_schema) {
        auto const* output_type = definition.output_schema->if_contains("type");
        if (!output_type || *output_type != "object")
            throw std::invalid_argument("tool \"" + definition.name + "\" outputSchema must have type \"object\"");
    }
    if (tools_.contains(definition.name))
        throw std::invalid_argument("tool \"" + definition.name + "\" is registered twice");
    // Worked out once here, not on every call and every tools/list.
    definition.needed_scopes.clear();
    if (!definition.required_scope.empty()) definition.needed_scopes.push_back(definition.required_scope);
    for (auto const& scope : definition.confirmation_scopes)
        if (!scope.empty() && std::find(definition.needed_scopes.begin(), definition.needed_scopes.end(), scope) ==
                                  definition.needed_scopes.end())
            definition.needed_scopes.push_back(scope);
    definition.needed_scopes_text = join_scopes(definition.needed_scopes);
    auto declared = param_headers_of(definition.input_schema);
    if (!declared) throw std::invalid_argument("tool \"" + definition.name + "\": " + declared.error().message);
    definition.param_headers = std::move(*declared);
    auto name = definition.name;
    auto described = json::serialize(definition.describe());
    definition.input_schema = {};  // in `described` now
    definition.output_schema.reset();
    tools_.emplace(std::move(name), entry{std::move(definition), std::move(described)});
}

tool_definition const* tool_registry::find(std::string_view name) const
{
    auto const it = tools_.find(name);
    return it == tools_.end() ? nullptr : &it->second.definition;
}

core::outcome<tool_registry::selection> tool_registry::select(std::optional<std::string_view> cursor,
                                                                                   visibility const& visible) const
{
    auto it = tools_.begin();
    if (cursor) {
        auto const decoded = core::encoding::base64url_decode(*cursor);
        if (!decoded || !decoded->starts_with(cursor_prefix))
            return core::refuse(core::errc::invalid_params, "unknown cursor; call tools/list without a cursor to start over");
        it = tools_.upper_bound(std::string_view(*decoded).substr(cursor_prefix.size()));
    }
    selection out;
    std::string_view last;
    // Stops on the first visible tool that does not fit, so `it != end` means another page exists.
    for (; it != tools_.end(); ++it) {
        auto const& definition = it->second.definition;
        if (definition.hidden || (visible && !visible(definition))) continue;
        if (out.tools.size() == page_size_) break;
        out.tools.push_back(&it->second);
        last = it->first;
    }
    if (it != tools_.end() && !out.tools.empty())
        out.next_cursor = core::encoding::base64url_encode(std::string(cursor_prefix) + std::string(last));
    return out;
}

core::outcome<tool_page> tool_registry::list(std::optional<std::string_view> cursor,
                                                                  visibility const& visible) const
{
    auto selected = select(cursor, visible);
    if (!selected) return selected.error();
    tool_page page;
    for (auto const* tool : selected->tools) page.tools.push_back(json::parse(tool->described));
    page.next_cursor = std::move(selected->next_cursor);
    return page;
}

core::outcome<tool_page_text> tool_registry::list_text(std::optional<std::string_view> cursor,
                                                                            visibility const& visible) const
{
    auto selected = select(cursor, visible);
    if (!selected) return selected.error();
    std::size_t size = 2;
    for (auto const* tool : selected->tools) size += tool->described.size() + 1;
    tool_page_text page;
    page.tools_json.reserve(size);
    page.tools_json += '[';
    for (auto const* tool : selected->tools) {
        if (page.tools_json.size() > 1) page.tools_json += ',';
        page.tools_json += tool->described;
    }
    page.tools_json += ']';
    page.next_cursor = std::move(selected->next_cursor);
    return page;
}

}  // namespace justifi::tools
