// The HTTP rules of the Streamable HTTP transport, sans-io: routing, content
// negotiation, and DNS-rebinding checks. The transport applies them in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::http_rules {

enum class route { mcp, health, not_found };

struct route_match {
    route target;
    bool method_allowed;
    std::string_view allow;  // the Allow header for a 405
};

// "/" and "/mcp" are the MCP endpoint (a user's config may carry no path); query strings are ignored.
route_match match(std::string_view target, std::string_view method);

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

// Empty when the request may proceed; otherwise why it is refused (403).
std::optional<std::string> check_origin_and_host(origin_policy const& policy, std::string_view origin,
                                                 std::string_view host);

// An http(s) URL taken apart, scheme and host lower-cased.
struct web_url {
    std::string scheme;
    std::string host;  // "[::1]" keeps its brackets
    std::string port;  // empty when absent
    std::string path;
    bool has_extras = false;  // user info, query or fragment

    std::string origin() const { return scheme + "://" + host + (port.empty() ? "" : ":" + port); }
};

// Boost.URL 1.81 reads "http://127.0.0.1.evil.example" as host 127.0.0.1 and path
// ".evil.example" (boostorg/url#755); this puts such a host back together, so that an
// attacker's domain can never pass for a loopback address.
std::optional<web_url> parse_web_url(std::string_view text);

// "example.com:8080" → "example.com", "[::1]:80" → "[::1]".
std::string host_without_port(std::string_view host);

}  // namespace justifi::http_rules
