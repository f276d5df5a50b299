// The modern era (MCP 2026-07-28), sans-io: which era a request belongs to, the per-request
// `_meta` envelope that replaces the initialize handshake, and the Streamable HTTP headers
// that mirror the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-*), with their
// Base64 sentinel form. Every check returns a refusal whose code maps to the spec's error:
// invalid_params (-32602), header_mismatch (-32020), protocol_version_unsupported (-32022),
// missing_client_capability (-32021).
#pragma once

#include "core/errors.hpp"
#include "core/trace.hpp"
#include "tools/param_headers.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace justifi::mcp {

namespace json = boost::json;

// Modern revisions this server serves per request, newest first: what server/discover's
// supportedVersions and a -32022's data.supported list.
inline constexpr std::array<std::string_view, 1> modern_versions{"2026-07-28"};
inline constexpr std::string_view modern_version = modern_versions.front();

// The reserved `_meta` keys of 2026-07-28.
namespace meta_key {
inline constexpr std::string_view protocol_version = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view client_capabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view client_info = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view log_level = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view server_info = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view subscription_id = "io.modelcontextprotocol/subscriptionId";
}  // namespace meta_key

// RFC 5424 severities as MCP names them, least severe first.
inline constexpr std::array<std::string_view, 8> log_levels{"debug", "info",     "notice", "warning",
                                                            "error", "critical", "alert",  "emergency"};
std::optional<int> log_level_index(std::string_view name);

enum class era { legacy, modern };

bool is_modern_version(std::string_view version);

// A request claims the modern era when its params' `_meta` names a protocol version (whatever
// the version, and even for initialize): it is then never served as legacy.
bool claims_modern(json::value const& params);

// How a dual-era endpoint reads a request: a claim in the body, or (over HTTP) a
// MCP-Protocol-Version header naming a modern revision, makes it modern; a request with
// neither is legacy (an initialize, or a 2025 client's later requests).
era classify(json::value const& params, std::optional<std::string_view> version_header = std::nullopt);

// What a modern request says about its client, read from its own `_meta` and nothing earlier.
struct envelope {
    std::string protocol_version;
    json::object client_capabilities;
    json::object client_info;   // empty when the client sent none (it SHOULD, but need not)
    std::optional<int> log_level;  // index into mcp::log_levels; none: no notifications/message
};

// Reads params._meta. A missing or ill-typed required key (protocolVersion, clientCapabilities),
// an ill-typed clientInfo or an unknown logLevel is invalid_params, naming the key. The version
// is not judged here: the header comparison comes first (a mismatch is -32020, not -32022).
core::outcome<envelope> read_envelope(json::value const& params);

// The caller's W3C trace context: params._meta's traceparent and tracestate (both eras may send
// them), else the HTTP headers'; nothing when neither holds a valid traceparent.
std::optional<core::trace::context> read_trace(json::value const& params, std::string_view traceparent_header = {},
                                               std::string_view tracestate_header = {});

// protocol_version_unsupported with data {supported, requested} unless `requested` is modern.
core::outcome<void> check_modern_version(std::string_view requested);

// Whether the client declared a capability, by its path: {"elicitation"}, {"elicitation", "form"}.
// An elicitation declared as {} counts as form mode, as the spec's compatibility rule says.
bool declares(envelope const& e, std::initializer_list<std::string_view> path);
// The same for a ClientCapabilities object (a legacy initialize's params.capabilities).
bool declares(json::object const& capabilities, std::initializer_list<std::string_view> path);

// missing_client_capability whose data.requiredCapabilities is `required` (a ClientCapabilities).
core::refusal missing_capability(json::object required, std::string message);

// ---- subscriptions/listen ---------------------------------------------------------------

// The notifications/subscriptions/acknowledged that opens a subscriptions/listen stream, or
// invalid_params naming the filter field that is wrong. Its filter is the subset honoured, and
// that is none of the spec's four: the tool list changes only with a deployment (which ends
// every stream, so a client re-lists on reconnecting), and there are no prompts or resources.
core::outcome<json::object> listen_acknowledgment(json::value const& id, json::value const& params);

// What ends a subscription the server tears down (a drain, the stream's lifetime): the
// notifications/cancelled the spec requires, then the listen request's graceful result.
json::object listen_cancelled(json::value const& id, std::string_view reason);
json::object listen_closed(json::value const& id);

// ---- Streamable HTTP: the headers that mirror the body -----------------------------------

// A header value as the server compares it: optional whitespace trimmed, then, in the exact
// sentinel form `=?base64?...?=`, the padded Base64 of UTF-8 decoded. nullopt: a value with
// characters a header may not carry (controls, bytes above 0x7E) or a sentinel whose payload
// is not canonical Base64 of UTF-8.
std::optional<std::string> decode_header_value(std::string_view raw, bool sentinel_allowed = true);

// What a modern POST carried; absent headers are nullopt. `params` holds every Mcp-Param-*
// header: its name after the prefix, lower-cased, and its raw value.
struct mirrored_headers {
    std::optional<std::string_view> protocol_version;
    std::optional<std::string_view> method;
    std::optional<std::string_view> name;
    std::vector<std::pair<std::string, std::string_view>> params;
};

// MCP-Protocol-Version against the envelope's version (before the version is judged), then
// Mcp-Method against `method`, then Mcp-Name against params.name (tools/call, prompts/get) or
// params.uri (resources/read). Missing, malformed or different: header_mismatch.
core::outcome<void> check_version_header(mirrored_headers const& headers, envelope const& e);
core::outcome<void> check_method_headers(mirrored_headers const& headers, std::string_view method,
                                         json::value const& params);

// A modern request's envelope, judged in the order the spec's errors rank: _meta itself
// (-32602), the MCP-Protocol-Version header against it when the transport has headers (-32020),
// then the version (-32022). Over stdio `headers` is null.
core::outcome<envelope> read_modern(json::value const& params, mirrored_headers const* headers);

// Each declared argument present (and not null) in `arguments` must come with its header, equal
// after decoding (integers compared as numbers); a header for an absent or null argument is a
// mismatch too. Headers no declaration names are ignored.
core::outcome<void> check_param_headers(std::span<tools::param_header const> declared, json::object const& arguments,
                                        mirrored_headers const& headers);

}  // namespace justifi::mcp
