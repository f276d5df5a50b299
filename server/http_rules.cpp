#include "server/http_rules.hpp"

#include "core/encoding.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace justifi::server::http_rules {
namespace {

using core::encoding::ascii_lower;
using core::encoding::trim_ows;

constexpr std::array<std::string_view, 3> localhost_names{"localhost", "127.0.0.1", "[::1]"};
constexpr std::string_view resource_metadata_path = "/.well-known/oauth-protected-resource";

bool is_localhost_name(std::string_view host)
{
    return std::find(localhost_names.begin(), localhost_names.end(), host) != localhost_names.end();
}

bool contains(std::vector<std::string> const& list, std::string_view item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace


std::string quotable(std::string_view header_value)
{
    constexpr std::size_t most = 200;
    auto out = core::encoding::utf8_prefix(header_value, most);
    if (out.size() < header_value.size() && header_value.size() > most) out += "...";
    return out;
}

std::string_view direct_tool_name(std::string_view target)
{
    constexpr std::string_view prefix = "/mcp/";
    auto const path = target.substr(0, target.find('?'));
    if (!path.starts_with(prefix)) return {};
    auto const name = path.substr(prefix.size());
    bool const well_formed = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    return well_formed ? name : std::string_view{};
}

route_match match(std::string_view target, std::string_view method)
{
    auto const path = target.substr(0, target.find('?'));
    if (path == "/" || path == "/mcp")
        return {route::mcp, method == "POST" || method == "GET" || method == "OPTIONS", "GET, POST, OPTIONS", {}};
    if (!direct_tool_name(path).empty()) return {route::direct_tool, method == "POST" || method == "OPTIONS", "POST, OPTIONS", {}};
    if (path == "/health") return {route::health, method == "GET" || method == "HEAD", "GET, HEAD", {}};
    if (path.starts_with(resource_metadata_path)) {
        auto const suffix = path.substr(resource_metadata_path.size());
        if (suffix.empty() || suffix == "/mcp")
            return {route::resource_metadata, method == "GET" || method == "HEAD" || method == "OPTIONS",
                    "GET, HEAD, OPTIONS", suffix};
    }
    return {route::not_found, false, "", {}};
}

bool accepts(std::string_view accept_header, std::initializer_list<std::string_view> media_types)
{
    // Media ranges with their parameters; a range with q=0 is an explicit "not acceptable".
    std::vector<std::string> ranges;
    std::size_t start = 0;
    while (start <= accept_header.size()) {
        auto const comma = accept_header.find(',', start);
        auto const item = accept_header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        auto const semicolon = item.find(';');
        auto const range = trim_ows(item.substr(0, semicolon));
        bool refused = false;
        for (auto params = semicolon == std::string_view::npos ? std::string_view{} : item.substr(semicolon + 1);
             !params.empty();) {
            auto const next = params.find(';');
            auto const param = trim_ows(params.substr(0, next));
            if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
                auto const value = param.substr(2);
                refused = value.find_first_not_of("0.") == std::string_view::npos;
            }
            params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
        }
        if (!range.empty() && !refused) ranges.push_back(ascii_lower(range));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    for (auto const type : media_types) {
        auto const slash = type.find('/');
        std::string const family = std::string(type.substr(0, slash)) + "/*";
        bool const ok = std::any_of(ranges.begin(), ranges.end(),
                                    [&](std::string const& r) { return r == type || r == family || r == "*/*"; });
        if (!ok) return false;
    }
    return true;
}

bool is_json_content_type(std::string_view content_type)
{
    return ascii_lower(trim_ows(content_type.substr(0, content_type.find(';')))) == "application/json";
}

origin_policy default_policy(std::string_view bind_address, std::string_view public_url,
                             std::vector<std::string> configured_origins, std::vector<std::string> configured_hosts)
{
    origin_policy policy;
    policy.localhost_origins = configured_origins.empty();
    policy.allowed_origins = std::move(configured_origins);

    bool const loopback = net::is_loopback_host(bind_address);
    if (!configured_hosts.empty()) {
        policy.allowed_hosts = std::move(configured_hosts);
    } else if (loopback) {
        policy.allowed_hosts.assign(localhost_names.begin(), localhost_names.end());
    } else {
        // Bound to a routable address behind a load balancer: the names it is reached by
        // are not ours to guess, so Host is only checked when a list is configured.
        policy.check_host = false;
    }

    if (auto const url = parse_web_url(public_url)) {
        auto origin = url->origin();
        if (!contains(policy.allowed_origins, origin)) policy.allowed_origins.push_back(std::move(origin));
        if (policy.check_host && !contains(policy.allowed_hosts, url->host)) policy.allowed_hosts.push_back(url->host);
    }
    return policy;
}

std::string host_without_port(std::string_view host)
{
    host = trim_ows(host);
    if (!host.empty() && host.front() == '[') {
        auto const close = host.find(']');
        return ascii_lower(close == std::string_view::npos ? host : host.substr(0, close + 1));
    }
    return ascii_lower(host.substr(0, host.find(':')));
}

bool origin_allowed(origin_policy const& policy, std::string_view origin)
{
    if (origin.empty()) return false;
    if (contains(policy.allowed_origins, "*")) return true;
    // A real Origin is scheme://host[:port] and nothing else.
    auto const url = parse_web_url(origin);
    if (!url || !url->path.empty() || url->has_extras) return false;
    if (contains(policy.allowed_origins, url->origin())) return true;
    return policy.localhost_origins && is_localhost_name(url->host);
}

core::outcome<void> check_origin_and_host(origin_policy const& policy, std::string_view origin, std::string_view host,
                                          std::string_view forwarded_host)
{
    auto const forbidden = [](std::string why) { return core::refuse(core::errc::origin_forbidden, std::move(why)); };
    if (policy.check_host && !contains(policy.allowed_hosts, "*")) {
        if (host.empty()) return forbidden("a Host header is required");
        auto const name = host_without_port(host);
        // A proxy that passes the Host through (ngrok's default) also reports it in X-Forwarded-Host.
        auto const proxied_name = host_without_port(last_list_value(forwarded_host));
        bool const named_by_proxy = !proxied_name.empty() && name == proxied_name;
        if (!contains(policy.allowed_hosts, name) && !named_by_proxy)
            return forbidden("Host \"" + quotable(host) + "\" is not allowed (see MCP_ALLOWED_HOSTS)");
    }
    if (origin.empty() || origin_allowed(policy, origin)) return {};
    return forbidden("Origin \"" + quotable(origin) + "\" is not allowed (see MCP_ALLOWED_ORIGINS)");
}

header_fields cors_headers(origin_policy const& policy, std::string_view origin, cors_kind kind)
{
    header_fields out;
    if (!origin_allowed(policy, origin)) return out;
    out.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    out.emplace_back("Vary", "Origin");
    if (kind == cors_kind::preflight) {
        out.emplace_back("Access-Control-Allow-Methods", std::string(cors_allow_methods));
        out.emplace_back("Access-Control-Allow-Headers", std::string(cors_allow_headers));
        out.emplace_back("Access-Control-Max-Age", std::string(cors_max_age));
    }
    out.emplace_back("Access-Control-Expose-Headers", std::string(cors_expose_headers));
    return out;
}

std::string_view last_list_value(std::string_view header)
{
    auto const comma = header.rfind(',');
    return trim_ows(comma == std::string_view::npos ? header : header.substr(comma + 1));
}

std::optional<std::string> parse_host_and_port(std::string_view text)
{
    std::string_view host = text;
    std::optional<std::string_view> port;
    if (!text.empty() && text.front() == '[') {
        auto const close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(0, close + 1);
        auto const rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
        }
        // Only the address itself: inet_pton would stop at a NUL, and a zone ("%eth0") is no host.
        auto const address = host.substr(1, host.size() - 2);
        if (!std::all_of(address.begin(), address.end(), [](unsigned char c) {
                return std::isxdigit(c) || c == ':' || c == '.';
            }))
            return std::nullopt;
        boost::system::error_code ec;
        boost::asio::ip::make_address_v6(std::string(address), ec);
        if (ec) return std::nullopt;
    } else {
        auto const colon = text.find(':');
        host = text.substr(0, colon);
        if (colon != std::string_view::npos) port = text.substr(colon + 1);
        bool const name_chars = std::all_of(host.begin(), host.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '.';
        });
        if (host.empty() || host.size() > 253 || !name_chars || host.front() == '.' || host.front() == '-')
            return std::nullopt;
    }
    if (port) {
        bool const digits = !port->empty() && port->size() <= 5 &&
                            std::all_of(port->begin(), port->end(), [](unsigned char c) { return std::isdigit(c); });
        if (!digits) return std::nullopt;
        auto const number = std::stoi(std::string(*port));
        if (number < 1 || number > 65535) return std::nullopt;
    }
    return ascii_lower(text);
}

std::optional<std::string> public_base_url(std::string_view public_url, bool trust_proxy, std::string_view host,
                                           std::string_view forwarded_proto, std::string_view forwarded_host)
{
    if (!public_url.empty()) return std::string(public_url);
    std::string scheme = "http";
    std::string_view authority = trim_ows(host);
    if (trust_proxy) {
        if (auto const proto = last_list_value(forwarded_proto); !proto.empty()) {
            scheme = ascii_lower(proto);
            if (scheme != "http" && scheme != "https") return std::nullopt;
        }
        if (auto const name = last_list_value(forwarded_host); !name.empty()) authority = name;
    }
    auto normalised = parse_host_and_port(authority);
    if (!normalised) return std::nullopt;
    // The canonical URL leaves the scheme's default port out.
    std::string_view const default_port = scheme == "https" ? ":443" : ":80";
    if (normalised->ends_with(default_port)) normalised->resize(normalised->size() - default_port.size());
    return scheme + "://" + *normalised;
}

}  // namespace justifi::server::http_rules
