#include "mcp/request_state.hpp"

#include "core/encoding.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace justifi::mcp {
namespace json = boost::json;
namespace {

constexpr char format_version = '1';
constexpr std::size_t nonce_bytes = 16;
constexpr std::size_t header_bytes = 1 + 8 + nonce_bytes;  // version, expiry, nonce
// Replicas' clocks differ a little: a state is not refused for that.
constexpr std::chrono::seconds allowed_clock_skew{30};

void append_canonical(std::string& out, json::value const& value)
{
    switch (value.kind()) {
    case json::kind::object: {
        auto const& object = value.get_object();
        std::vector<json::key_value_pair const*> members;
        members.reserve(object.size());
        for (auto const& member : object) members.push_back(&member);
        std::sort(members.begin(), members.end(), [](auto const* a, auto const* b) { return a->key() < b->key(); });
        out += '{';
        for (auto const* member : members) {
            if (out.back() != '{') out += ',';
            out += json::serialize(json::string_view(member->key()));
            out += ':';
            append_canonical(out, member->value());
        }
        out += '}';
        return;
    }
    case json::kind::array:
        out += '[';
        for (auto const& element : value.get_array()) {
            if (out.back() != '[') out += ',';
            append_canonical(out, element);
        }
        out += ']';
        return;
    default: out += json::serialize(value); return;
    }
}

std::string expiry_bytes(std::int64_t seconds)
{
    std::string bytes(8, '\0');
    for (int i = 7; i >= 0; --i, seconds >>= 8) bytes[i] = static_cast<char>(seconds & 0xff);
    return bytes;
}

std::int64_t expiry_of(std::string_view bytes)
{
    std::uint64_t seconds = 0;
    for (unsigned char const byte : bytes.substr(0, 8)) seconds = (seconds << 8) | byte;
    return static_cast<std::int64_t>(seconds);
}

core::refusal refused(std::string message) { return core::refuse(core::errc::invalid_params, std::move(message)); }

}  // namespace

std::string canonical_json(json::value const& value)
{
    std::string out;
    append_canonical(out, value);
    return out;
}

request_state_codec::request_state_codec(std::string_view secret, std::chrono::seconds time_to_live)
    : key_(std::make_shared<derived_key>()), ttl_(time_to_live)
{
    key_->secret = std::string(secret);
}

std::string const& request_state_codec::key() const
{
    std::call_once(key_->derived, [&state = *key_] {
        // Its own key: a session token's MAC can never pass for a request state's.
        auto const derived = core::encoding::hmac_sha256(state.secret, "justifi-mcp request-state key v1");
        state.key.assign(reinterpret_cast<char const*>(derived.data()), derived.size());
        state.secret.clear();
    });
    return key_->key;
}

std::string request_state_codec::mac_of(std::string_view body, state_binding const& binding) const
{
    auto const digest = core::encoding::sha256(canonical_json(binding.arguments));
    std::string signed_text(body);
    // NUL cannot occur in a principal, a method or a tool name we accept: the fields cannot run together.
    for (auto const part : {binding.principal, binding.method, binding.name}) signed_text.append(1, '\0').append(part);
    signed_text.append(1, '\0').append(reinterpret_cast<char const*>(digest.data()), digest.size());
    auto const mac = core::encoding::hmac_sha256(key(), signed_text);
    return std::string(reinterpret_cast<char const*>(mac.data()), mac.size());
}

std::string request_state_codec::seal(std::string_view payload, state_binding const& binding, clock::time_point now) const
{
    auto const expires = std::chrono::duration_cast<std::chrono::seconds>((now + ttl_).time_since_epoch()).count();
    std::string body;
    body.reserve(header_bytes + payload.size());
    body += format_version;
    body += expiry_bytes(expires);
    body += core::encoding::random_bytes(nonce_bytes);
    body += payload;
    return core::encoding::base64url_encode(body) + "." + core::encoding::base64url_encode(mac_of(body, binding));
}

core::outcome<opened_state> request_state_codec::open(std::string_view state, state_binding const& binding,
                                                      clock::time_point now) const
{
    constexpr std::string_view not_ours = "requestState is not one this server issued; call the tool again without it";
    if (state.size() > max_state_length) return refused(std::string(not_ours));
    auto const dot = state.find('.');
    if (dot == std::string_view::npos) return refused(std::string(not_ours));
    auto const body = core::encoding::base64url_decode(state.substr(0, dot));
    auto const mac = core::encoding::base64url_decode(state.substr(dot + 1));
    if (!body || !mac || body->size() < header_bytes || (*body)[0] != format_version) return refused(std::string(not_ours));
    if (!core::encoding::constant_time_equal(*mac, mac_of(*body, binding)))
        return refused("requestState failed its integrity check: it was changed, or it belongs to another caller, "
                       "tool or set of arguments");
    auto const expires = clock::time_point(std::chrono::seconds(expiry_of(std::string_view(*body).substr(1, 8))));
    if (now > expires + allowed_clock_skew)
        return refused("requestState expired (it lasts " + std::to_string(ttl_.count()) +
                       " s); call the tool again without it");
    return opened_state{body->substr(header_bytes),
                        core::encoding::hex_encode(std::string_view(*body).substr(9, nonce_bytes))};
}

core::outcome<retry_input> read_retry(json::value const& params, request_state_codec const& codec,
                                      state_binding const& binding, request_state_codec::clock::time_point now)
{
    retry_input retry;
    auto const* fields = params.if_object();
    if (!fields) return retry;
    if (auto const* responses = fields->if_contains("inputResponses")) {
        if (!responses->is_object())
            return refused("inputResponses must be an object: the client's answers keyed as the server's inputRequests were");
        for (auto const& [key, answer] : responses->get_object())
            if (!answer.is_object())
                return refused("inputResponses." + std::string(key) +
                               " must be an object (an elicitation, sampling or roots result)");
        retry.input_responses = responses->get_object();
    }
    if (auto const* state = fields->if_contains("requestState")) {
        if (!state->is_string()) return refused("requestState must be the string the server sent");
        auto opened = codec.open(state->get_string(), binding, now);
        if (!opened) return std::move(opened).error();
        retry.state = std::move(*opened);
    }
    return retry;
}

core::outcome<void> check_input_requests(json::object const& input_requests, envelope const& client)
{
    json::object missing;
    for (auto const& [key, request] : input_requests) {
        auto const* fields = request.if_object();
        auto const* method = fields ? fields->if_contains("method") : nullptr;
        auto const name = method && method->is_string() ? std::string_view(method->get_string()) : std::string_view();
        if (name == "elicitation/create") {
            auto const* request_params = fields->if_contains("params");
            auto const* mode = request_params && request_params->is_object() ? request_params->get_object().if_contains("mode")
                                                                              : nullptr;
            bool const url_mode = mode && mode->is_string() && mode->get_string() == "url";
            if (url_mode && !declares(client, {"elicitation", "url"}))
                missing["elicitation"] = json::object{{"url", json::object{}}};
            else if (!url_mode && !declares(client, {"elicitation", "form"}) && !missing.contains("elicitation"))
                missing["elicitation"] = json::object{};
        } else if (name == "sampling/createMessage") {
            if (!declares(client, {"sampling"})) missing["sampling"] = json::object{};
        } else if (name == "roots/list") {
            if (!declares(client, {"roots"})) missing["roots"] = json::object{};
        } else {
            return core::refuse(core::errc::internal_error,
                                "Internal error: input request \"" + std::string(key) + "\" is not one a client can answer");
        }
    }
    if (missing.empty()) return {};
    std::string names;
    for (auto const& [name, ignored] : missing) names += (names.empty() ? "" : ", ") + std::string(name);
    return missing_capability(std::move(missing), "This request needs the client capabilities it did not declare: " + names);
}

}  // namespace justifi::mcp
