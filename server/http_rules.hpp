// The HTTP rules of the Streamable HTTP transport, sans-io: routing, content
// negotiation, DNS-rebinding checks, CORS, and the public base URL a request was
// addressed to. The transport applies them in order.
#pragma once

#include "core/errors.hpp"

#include "net/web_address.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace justifi::server::http_rules {

enum class route { mcp, direct_tool, health, resource_metadata, not_found };

struct route_match {
    route target;
    bool method_allowed;
    std::string_view allow;          // the Allow header for a 405
    std::string_view resource_path;  // resource_metadata: the endpoint path it describes ("" or "/mcp")
};

// "/" and "/mcp" are the MCP endpoint (a user's config may carry no path); query strings are ignored.
// "/mcp/{tool_name}" is the direct tool endpoint (POST). The RFC 9728 documents live at
// /.well-known/oauth-protected-resource (describing "/") and at
// /.well-known/oauth-protected-resource/mcp (describing "/mcp"). OPTIONS is the CORS preflight.
route_match match(std::string_view target, std::string_view method);

// The tool a "/mcp/{tool_name}" target names, or empty: a name is [a-z0-9_]{1,64}, so anything
// else is an unknown path (404) before any work.
std::string_view direct_tool_name(std::string_view target);

// True when the Accept header admits every listed media type (wildcards count).
bool accepts(std::string_view accept_header, std::initializer_list<std::string_view> media_types);
bool is_json_content_type(std::string_view content_type);

struct origin_policy {
    bool localhost_origins = true;             // http(s)://localhost|127.0.0.1|[::1] on any port
    std::vector<std::string> allowed_origins;  // normalised "scheme://host[:port]", or "*"
    bool check_host = true;
    std::vector<std::string> allowed_hosts;    // lowercase names without port, or "*"
};

// The default for a server bound to `bind_address`: localhost names and origins when
// it is a loopback address (the DNS-rebinding case), plus the public URL's host.
origin_policy default_policy(std::string_view bind_address, std::string_view public_url,
                             std::vector<std::string> configured_origins, std::vector<std::string> configured_hosts);

// Nothing when the request may proceed; otherwise an origin_forbidden refusal saying why (a 403's words). `forwarded_host` is
// X-Forwarded-Host when MCP_TRUST_PROXY is on (else empty): the name a trusted proxy was
// reached by is accepted as Host, so a loopback server works under ngrok with no other setting.
core::outcome<void> check_origin_and_host(origin_policy const& policy, std::string_view origin, std::string_view host,
                                          std::string_view forwarded_host = {});

// True when Origin is present and the policy lets a browser page from it call us.
bool origin_allowed(origin_policy const& policy, std::string_view origin);

// CORS. An allowed Origin is echoed (never "*": responses vary with it, hence Vary: Origin).
inline constexpr std::string_view cors_allow_methods = "GET, POST, DELETE, OPTIONS";
// 2026-07-28's mirrored headers too: Mcp-Param-Sub-Account is the only x-mcp-header our tools
// declare (a preflight cannot allow a prefix).
inline constexpr std::string_view cors_allow_headers =
    "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, "
    "Mcp-Param-Sub-Account, Last-Event-ID, X-Client-Id, X-Client-Secret, Sub-Account, traceparent, tracestate";
inline constexpr std::string_view cors_expose_headers = "Mcp-Session-Id, WWW-Authenticate";
inline constexpr std::string_view cors_max_age = "86400";

using header_fields = std::vector<std::pair<std::string_view, std::string>>;
enum class cors_kind { actual, preflight };
// The Access-Control-* headers for a response to `origin`; none when it is absent or not allowed.
header_fields cors_headers(origin_policy const& policy, std::string_view origin, cors_kind kind);

// "Example.com:8080" → "example.com:8080"; nullopt unless it is a host name, an IPv4
// address or a bracketed IPv6 address, with an optional port 1-65535.
std::optional<std::string> parse_host_and_port(std::string_view text);

// The last value of a comma-separated header, trimmed: in X-Forwarded-* ("client, proxy1,
// proxy2") the one our trusted proxy appended; anything before it is the client's to write.
std::string_view last_list_value(std::string_view header);

// The base URL clients reach this server by: MCP_PUBLIC_URL when set, else "http://" + Host
// (the server itself speaks plain HTTP); with trust_proxy, X-Forwarded-Proto (http or https)
// and X-Forwarded-Host take over. nullopt (answer 400) when the host is not a valid host[:port]
// or the forwarded scheme is neither http nor https.
std::optional<std::string> public_base_url(std::string_view public_url, bool trust_proxy, std::string_view host,
                                           std::string_view forwarded_proto, std::string_view forwarded_host);

// URLs are parsed in one place (server/web_address).
using net::parse_web_url;
using net::web_url;

// A header value as an error message may quote it: HTTP allows any byte above 0x7F there,
// but a JSON body must be UTF-8. At most 200 bytes, whole characters only, '?' for the rest.
std::string quotable(std::string_view header_value);

// "example.com:8080" → "example.com", "[::1]:80" → "[::1]".
std::string host_without_port(std::string_view host);

}  // namespace justifi::server::http_rules
