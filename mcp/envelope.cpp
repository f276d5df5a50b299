#include "mcp/envelope.hpp"

#include "core/encoding.hpp"
#include "mcp/jsonrpc.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace justifi::mcp {
namespace {

using core::encoding::trim_ows;

json::object const* meta_of(json::value const& params)
{
    auto const* object = params.if_object();
    auto const* meta = object ? object->if_contains("_meta") : nullptr;
    return meta ? meta->if_object() : nullptr;
}

core::refusal mismatch(std::string message) { return core::refuse(core::errc::header_mismatch, std::move(message)); }

core::refusal bad_params(std::string message) { return core::refuse(core::errc::invalid_params, std::move(message)); }

// Quoted for a message: at most 64 bytes, valid UTF-8.
std::string quoted(std::string_view text) { return "\"" + core::encoding::utf8_prefix(text, 64) + "\""; }

// The JavaScript safe-integer range the spec bounds x-mcp-header integers to.
constexpr double max_safe_integer = 9007199254740991.0;

std::optional<double> integer_of(json::value const& v)
{
    double d = 0;
    if (v.is_int64()) d = static_cast<double>(v.get_int64());
    else if (v.is_uint64()) d = static_cast<double>(v.get_uint64());
    else if (v.is_double()) d = v.get_double();
    else return std::nullopt;
    if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > max_safe_integer) return std::nullopt;
    return d;
}

// A decimal integer as a header carries it; "42.0" is accepted as 42 (the spec's numeric compare).
std::optional<double> parse_header_integer(std::string_view text)
{
    double d = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d, std::chars_format::fixed);
    if (ec != std::errc{} || end != text.data() + text.size() || d != std::trunc(d)) return std::nullopt;
    return d;
}

json::value const* value_at(json::object const& arguments, std::vector<std::string> const& path)
{
    json::object const* level = &arguments;
    json::value const* found = nullptr;
    for (auto const& key : path) {
        if (!level) return nullptr;
        found = level->if_contains(key);
        if (!found) return nullptr;
        level = found->if_object();
    }
    return found;
}

}  // namespace

std::optional<int> log_level_index(std::string_view name)
{
    auto const it = std::find(log_levels.begin(), log_levels.end(), name);
    if (it == log_levels.end()) return std::nullopt;
    return static_cast<int>(it - log_levels.begin());
}

bool is_modern_version(std::string_view version)
{
    return std::find(modern_versions.begin(), modern_versions.end(), version) != modern_versions.end();
}

bool claims_modern(json::value const& params)
{
    auto const* meta = meta_of(params);
    return meta && meta->contains(meta_key::protocol_version);
}

era classify(json::value const& params, std::optional<std::string_view> version_header)
{
    if (claims_modern(params)) return era::modern;
    if (version_header && is_modern_version(trim_ows(*version_header))) return era::modern;
    return era::legacy;
}

core::outcome<envelope> read_envelope(json::value const& params)
{
    auto const* meta = meta_of(params);
    if (!meta)
        return bad_params("a request of protocol version 2026-07-28 or later carries params._meta with " +
                          std::string(meta_key::protocol_version) + " and " + std::string(meta_key::client_capabilities));
    envelope out;
    auto const* version = meta->if_contains(meta_key::protocol_version);
    if (!version) return bad_params("_meta lacks the required " + std::string(meta_key::protocol_version));
    if (!version->is_string()) return bad_params("_meta " + std::string(meta_key::protocol_version) + " must be a string");
    out.protocol_version = version->get_string();
    auto const* capabilities = meta->if_contains(meta_key::client_capabilities);
    if (!capabilities) return bad_params("_meta lacks the required " + std::string(meta_key::client_capabilities));
    if (!capabilities->is_object())
        return bad_params("_meta " + std::string(meta_key::client_capabilities) + " must be an object");
    out.client_capabilities = capabilities->get_object();
    if (auto const* info = meta->if_contains(meta_key::client_info)) {
        auto const* object = info->if_object();
        auto const* name = object ? object->if_contains("name") : nullptr;
        auto const* client_version = object ? object->if_contains("version") : nullptr;
        if (!name || !name->is_string() || !client_version || !client_version->is_string())
            return bad_params("_meta " + std::string(meta_key::client_info) + " must be an object with string name and version");
        out.client_info = *object;
    }
    if (auto const* level = meta->if_contains(meta_key::log_level)) {
        auto const index = level->is_string() ? log_level_index(level->get_string()) : std::nullopt;
        if (!index)
            return bad_params("Invalid log level: _meta " + std::string(meta_key::log_level) +
                              " must be one of debug, info, notice, warning, error, critical, alert, emergency");
        out.log_level = index;
    }
    return out;
}

std::optional<core::trace::context> read_trace(json::value const& params, std::string_view traceparent_header,
                                               std::string_view tracestate_header)
{
    auto const* fields = params.if_object();
    auto const* meta = fields ? fields->if_contains("_meta") : nullptr;
    auto const* meta_fields = meta ? meta->if_object() : nullptr;
    auto const* parent = meta_fields ? meta_fields->if_contains("traceparent") : nullptr;
    if (parent && parent->is_string()) {
        auto const* state = meta_fields->if_contains("tracestate");
        auto const state_text = state && state->is_string() ? std::string_view(state->get_string()) : std::string_view();
        if (auto trace = core::trace::parse(parent->get_string(), state_text)) return trace;
    }
    return core::trace::parse(traceparent_header, tracestate_header);
}

core::outcome<void> check_modern_version(std::string_view requested)
{
    if (is_modern_version(requested)) return {};
    json::array supported;
    for (auto const v : modern_versions) supported.emplace_back(v);
    auto r = core::refuse(core::errc::protocol_version_unsupported,
                          "Unsupported protocol version " + quoted(requested) + "; this server supports " +
                              std::string(modern_version) + " per request, and 2025-11-25, 2025-06-18 and 2025-03-26 "
                              "through initialize");
    r.data = json::object{{"supported", std::move(supported)}, {"requested", requested}};
    return r;
}

bool declares(envelope const& e, std::initializer_list<std::string_view> path)
{
    return declares(e.client_capabilities, path);
}

bool declares(json::object const& capabilities, std::initializer_list<std::string_view> path)
{
    json::object const* level = &capabilities;
    for (auto const key : path) {
        auto const* next = level ? level->if_contains(key) : nullptr;
        if (!next || !next->is_object()) {
            // "elicitation": {} predates the modes and means form.
            bool const bare_elicitation = path.size() == 2 && *path.begin() == "elicitation" && key == "form" &&
                                          level && level->empty();
            return bare_elicitation;
        }
        level = &next->get_object();
    }
    return true;
}

core::refusal missing_capability(json::object required, std::string message)
{
    auto r = core::refuse(core::errc::missing_client_capability, std::move(message));
    r.data = json::object{{"requiredCapabilities", std::move(required)}};
    return r;
}

namespace {

json::object subscription_meta(json::value const& id)
{
    return json::object{{meta_key::subscription_id, id}};
}

}  // namespace

core::outcome<json::object> listen_acknowledgment(json::value const& id, json::value const& params)
{
    auto const* object = params.if_object();
    auto const* filter = object ? object->if_contains("notifications") : nullptr;
    if (!filter || !filter->is_object())
        return bad_params("subscriptions/listen needs params.notifications, an object naming the notifications wanted");
    for (auto const field : {"toolsListChanged", "promptsListChanged", "resourcesListChanged"})
        if (auto const* flag = filter->get_object().if_contains(field); flag && !flag->is_bool())
            return bad_params("notifications." + std::string(field) + " must be a boolean");
    if (auto const* uris = filter->get_object().if_contains("resourceSubscriptions")) {
        auto const* list = uris->if_array();
        if (!list || !std::all_of(list->begin(), list->end(), [](json::value const& u) { return u.is_string(); }))
            return bad_params("notifications.resourceSubscriptions must be an array of URI strings");
    }
    return jsonrpc::make_notification("notifications/subscriptions/acknowledged",
                                      json::object{{"_meta", subscription_meta(id)}, {"notifications", json::object{}}});
}

json::object listen_cancelled(json::value const& id, std::string_view reason)
{
    return jsonrpc::make_notification("notifications/cancelled",
                                      json::object{{"_meta", subscription_meta(id)}, {"requestId", id}, {"reason", reason}});
}

json::object listen_closed(json::value const& id) { return json::object{{"_meta", subscription_meta(id)}}; }

std::optional<std::string> decode_header_value(std::string_view raw, bool sentinel_allowed)
{
    auto const value = trim_ows(raw);
    for (unsigned char c : value)
        if ((c < 0x20 && c != '\t') || c > 0x7E) return std::nullopt;
    constexpr std::string_view prefix = "=?base64?";
    constexpr std::string_view suffix = "?=";
    if (!sentinel_allowed || value.size() < prefix.size() + suffix.size() || !value.starts_with(prefix) ||
        !value.ends_with(suffix))
        return std::string(value);
    auto decoded = core::encoding::base64_decode_padded(value.substr(prefix.size(), value.size() - prefix.size() - suffix.size()));
    if (!decoded || !core::encoding::is_utf8(*decoded)) return std::nullopt;
    return decoded;
}

core::outcome<void> check_version_header(mirrored_headers const& headers, envelope const& e)
{
    if (!headers.protocol_version) return mismatch("Header mismatch: the MCP-Protocol-Version header is required");
    auto const value = decode_header_value(*headers.protocol_version, false);
    if (!value) return mismatch("Header mismatch: the MCP-Protocol-Version header carries characters a header may not");
    if (*value != e.protocol_version)
        return mismatch("Header mismatch: MCP-Protocol-Version header " + quoted(*value) + " does not match _meta " +
                        std::string(meta_key::protocol_version) + " " + quoted(e.protocol_version));
    return {};
}

core::outcome<void> check_method_headers(mirrored_headers const& headers, std::string_view method,
                                         json::value const& params)
{
    if (!headers.method) return mismatch("Header mismatch: the Mcp-Method header is required");
    auto const sent_method = decode_header_value(*headers.method, false);
    if (!sent_method) return mismatch("Header mismatch: the Mcp-Method header carries characters a header may not");
    if (*sent_method != method)
        return mismatch("Header mismatch: Mcp-Method header " + quoted(*sent_method) + " does not match method " +
                        quoted(method));
    std::string_view field;
    if (method == "tools/call" || method == "prompts/get") field = "name";
    else if (method == "resources/read") field = "uri";
    else return {};
    auto const* object = params.if_object();
    auto const* body = object ? object->if_contains(field) : nullptr;
    // A body without the name is the params check's to refuse (-32602), not a header mismatch.
    if (!body || !body->is_string()) return {};
    if (!headers.name) return mismatch("Header mismatch: the Mcp-Name header is required for " + std::string(method));
    auto const sent_name = decode_header_value(*headers.name);
    if (!sent_name) return mismatch("Header mismatch: the Mcp-Name header is malformed (characters a header may not carry, or a Base64 sentinel that does not decode)");
    if (*sent_name != body->get_string())
        return mismatch("Header mismatch: Mcp-Name header " + quoted(*sent_name) + " does not match params." +
                        std::string(field) + " " + quoted(body->get_string()));
    return {};
}

core::outcome<envelope> read_modern(json::value const& params, mirrored_headers const* headers)
{
    auto e = read_envelope(params);
    if (!e) return e;
    if (headers)
        if (auto same = check_version_header(*headers, *e); !same) return std::move(same).error();
    if (auto served = check_modern_version(e->protocol_version); !served) return std::move(served).error();
    return e;
}

core::outcome<void> check_param_headers(std::span<tools::param_header const> declared, json::object const& arguments,
                                        mirrored_headers const& headers)
{
    for (auto const& h : declared) {
        auto const header_name = "Mcp-Param-" + h.name;
        auto const sent = std::find_if(headers.params.begin(), headers.params.end(),
                                       [&](auto const& p) { return p.first == h.folded_name; });
        auto const* value = value_at(arguments, h.path);
        bool const present = value && !value->is_null();
        if (!present) {
            if (sent != headers.params.end())
                return mismatch("Header mismatch: " + header_name + " was sent, but the argument it mirrors is absent");
            continue;
        }
        if (sent == headers.params.end())
            return mismatch("Header mismatch: the " + header_name + " header is required when the argument is given");
        auto const decoded = decode_header_value(sent->second);
        if (!decoded)
            return mismatch("Header mismatch: the " + header_name + " header is malformed (characters a header may not carry, or a Base64 sentinel that does not decode)");
        bool same = false;
        switch (h.type) {
        case tools::param_header::kind::string: same = value->is_string() && value->get_string() == *decoded; break;
        case tools::param_header::kind::boolean:
            same = value->is_bool() && *decoded == (value->get_bool() ? "true" : "false");
            break;
        case tools::param_header::kind::integer: {
            auto const body = integer_of(*value);
            auto const header = parse_header_integer(*decoded);
            same = body && header && *body == *header;
            break;
        }
        }
        // A body value of the wrong type is the schema check's to refuse, with its own words.
        bool const typed = h.type == tools::param_header::kind::string    ? value->is_string()
                           : h.type == tools::param_header::kind::boolean ? value->is_bool()
                                                                   : integer_of(*value).has_value();
        if (!same && typed)
            return mismatch("Header mismatch: " + header_name + " header " + quoted(*decoded) +
                            " does not match the argument's value");
    }
    return {};
}

}  // namespace justifi::mcp
