#include "mcp/jsonrpc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace justifi::mcp::jsonrpc {
namespace {

bool valid_id(json::value const& id)
{
    // MCP: "the ID MUST NOT be null"; fractional numbers are not ids either.
    return id.is_string() || id.is_int64() || id.is_uint64();
}

}  // namespace

namespace {

core::refusal invalid(std::string message, json::value id)
{
    return core::refusal{.code = core::errc::invalid_message, .message = std::move(message), .id = std::move(id)};
}

}  // namespace

decoded decode(std::string_view text)
{
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    auto value = json::parse(text, ec, {}, options);
    if (ec)
        return core::refusal{.code = core::errc::parse_error,
                             .message = "Parse error: body is not valid JSON (" + ec.message() + ")"};
    return decode(std::move(value));
}

decoded decode(json::value const& value) { return decode(json::value(value)); }

// The message's parts are moved out of the parsed document, which nobody else holds.
decoded decode(json::value&& value)
{
    if (value.is_array())
        return invalid("Invalid Request: JSON-RPC batches are not supported; send one message per request", nullptr);
    auto* obj = value.if_object();
    if (!obj) return invalid("Invalid Request: a JSON-RPC message must be a JSON object", nullptr);

    auto const* version = obj->if_contains("jsonrpc");
    auto const* id = obj->if_contains("id");
    json::value const echo_id = (id && valid_id(*id)) ? *id : json::value(nullptr);
    if (!version || *version != "2.0")
        return invalid("Invalid Request: \"jsonrpc\" must be \"2.0\"", echo_id);

    auto const* method = obj->if_contains("method");
    json::value params = nullptr;
    if (auto* p = obj->if_contains("params")) {
        if (!p->is_object() && !p->is_array())
            return invalid("Invalid Request: \"params\" must be an object or an array", echo_id);
        params = std::move(*p);
    }

    if (method) {
        if (!method->is_string() || method->as_string().empty())
            return invalid("Invalid Request: \"method\" must be a non-empty string", echo_id);
        std::string name(method->as_string());
        if (!id) return notification{std::move(name), std::move(params)};
        if (!valid_id(*id))
            return invalid("Invalid Request: \"id\" must be a string or an integer", nullptr);
        return request{*id, std::move(name), std::move(params)};
    }

    auto* result = obj->if_contains("result");
    auto* error = obj->if_contains("error");
    if (result || error) {
        if (!id || (!valid_id(*id) && !id->is_null()))
            return invalid("Invalid Request: a response needs an \"id\"", nullptr);
        if (result && error) return invalid("Invalid Request: a response has \"result\" or \"error\", not both", echo_id);
        return response{*id, result ? std::move(*result) : json::value(nullptr), error ? std::move(*error) : json::value(nullptr)};
    }
    return invalid("Invalid Request: a message needs \"method\", or \"result\"/\"error\"", echo_id);
}

json::value const& params_of(message const& m)
{
    static json::value const none;
    if (auto const* r = std::get_if<request>(&m)) return r->params;
    if (auto const* n = std::get_if<notification>(&m)) return n->params;
    return none;
}

std::string_view method_of(message const& m)
{
    if (auto const* r = std::get_if<request>(&m)) return r->method;
    if (auto const* n = std::get_if<notification>(&m)) return n->method;
    return {};
}

json::value id_of(message const& m)
{
    auto const* r = std::get_if<request>(&m);
    return r ? r->id : json::value(nullptr);
}

json::object make_result(json::value const& id, json::value result)
{
    json::object out;
    out["jsonrpc"] = "2.0";
    out["id"] = id;
    out["result"] = std::move(result);
    return out;
}

json::object make_error(json::value const& id, int code, std::string_view message, std::optional<json::value> data)
{
    json::object err;
    err["code"] = code;
    err["message"] = message;
    if (data) err["data"] = std::move(*data);
    json::object out;
    out["jsonrpc"] = "2.0";
    out["id"] = id;
    out["error"] = std::move(err);
    return out;
}

json::object make_notification(std::string_view method, json::value params)
{
    json::object out;
    out["jsonrpc"] = "2.0";
    out["method"] = method;
    if (!params.is_null()) out["params"] = std::move(params);
    return out;
}

json::object make_request(json::value const& id, std::string_view method, json::value params)
{
    auto out = make_notification(method, std::move(params));
    out["id"] = id;
    return out;
}

std::string id_key(json::value const& id)
{
    if (id.is_string()) return "s:" + std::string(id.as_string());
    return "n:" + json::serialize(id);
}

json::object make_error(core::refusal const& refusal)
{
    auto const code = [&] {
        switch (refusal.code) {
        case core::errc::parse_error: return parse_error;
        case core::errc::invalid_message: return invalid_request;
        case core::errc::invalid_params:
        case core::errc::unknown_tool: return invalid_params;
        case core::errc::method_not_found: return method_not_found;
        case core::errc::internal_error:
        case core::errc::shutting_down: return internal_error;
        case core::errc::header_mismatch: return header_mismatch;
        case core::errc::missing_client_capability: return missing_required_client_capability;
        case core::errc::protocol_version_unsupported: return unsupported_protocol_version;
        default: return server_error;
        }
    }();
    return make_error(refusal.id, code, core::refusal_text(refusal),
                      refusal.data.is_null() ? std::nullopt : std::optional<json::value>(refusal.data));
}

}  // namespace justifi::mcp::jsonrpc
