#include "net/web_address.hpp"

#include "core/encoding.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace justifi::net {
namespace {

using core::encoding::ascii_lower;

// A name or IPv4 address, or a bracketed IPv6 literal without a zone: nothing that a reader
// further on could split differently ("[::1]:x", "a@b", "a:b").
bool plain_host(std::string_view host)
{
    if (host.empty()) return false;
    if (host.front() == '[') {
        if (host.size() < 4 || host.back() != ']') return false;
        return std::all_of(host.begin() + 1, host.end() - 1,
                           [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
    }
    return host.find_first_of("[]:@") == std::string_view::npos;
}

}  // namespace

bool is_loopback_host(std::string_view host)
{
    if (ascii_lower(host) == "localhost") return true;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    // Only the address itself: inet_pton stops at a NUL, and a zone ("%lo") names no host.
    bool const address_chars = !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isxdigit(c) || c == ':' || c == '.';
    });
    if (!address_chars) return false;
    boost::system::error_code ec;
    auto const address = boost::asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();
}

std::optional<web_url> parse_web_url(std::string_view text)
{
    auto const parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) return std::nullopt;
    web_url url;
    url.scheme = ascii_lower(parsed->scheme());
    if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
    if (!parsed->has_authority()) return std::nullopt;
    std::string authority(parsed->encoded_host_and_port());
    std::string path(parsed->encoded_path());
    if (!path.empty() && path.front() != '/') {
        // The misparse: a path right after an authority must begin with '/'.
        auto const slash = path.find('/');
        authority += path.substr(0, slash);
        path = slash == std::string::npos ? std::string{} : path.substr(slash);
    }
    auto const colon = authority.rfind(':');
    bool const has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
    url.host = ascii_lower(has_port ? authority.substr(0, colon) : authority);
    url.port = has_port ? authority.substr(colon + 1) : std::string{};
    if (!plain_host(url.host) || !std::all_of(url.port.begin(), url.port.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    url.path = std::move(path);
    url.has_extras = parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment();
    return url;
}

}  // namespace justifi::net
