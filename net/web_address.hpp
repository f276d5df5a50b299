// Host names and web URLs, sans-io: the one place that decides what "loopback" means and how
// an http(s) URL is taken apart, for every layer that checks a URL or a bind address.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace justifi::net {

// True for the exact name "localhost" and for IP address literals in 127.0.0.0/8 or ::1
// (IPv6 with or without brackets), decided on the parsed address: "127.evil.example" is a
// domain like any other, and "[::1]:80" is not a host.
bool is_loopback_host(std::string_view host);

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

}  // namespace justifi::net
