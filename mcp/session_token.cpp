#include "mcp/session_token.hpp"

#include "core/encoding.hpp"

#include <charconv>
#include <vector>

namespace justifi::mcp {
using core::errc;
using core::result;
namespace {

// v2: bound to a principal (v1 sessions, unbound, are no longer accepted).
constexpr std::string_view format_tag = "v2";
// Replicas' clocks differ a little; a token "from the future" within this is fine.
constexpr std::chrono::seconds allowed_clock_skew{60};
constexpr std::size_t max_token_length = 512;

std::string mac_of(std::string const& key, std::string_view payload, std::string_view principal)
{
    std::string signed_text(payload);
    signed_text.append("\n").append(principal);
    auto const mac = core::encoding::hmac_sha256(key, signed_text);
    return core::encoding::base64url_encode({reinterpret_cast<char const*>(mac.data()), mac.size()});
}

std::vector<std::string_view> split(std::string_view text, char sep)
{
    std::vector<std::string_view> parts;
    for (;;) {
        auto const pos = text.find(sep);
        parts.push_back(text.substr(0, pos));
        if (pos == std::string_view::npos) return parts;
        text.remove_prefix(pos + 1);
    }
}

}  // namespace

session_codec::session_codec(std::string_view secret, std::chrono::seconds time_to_live)
    : ttl_(time_to_live)
{
    // Domain-separate the operator's secret so it is never used raw as a MAC key.
    auto const derived = core::encoding::hmac_sha256(secret, "justifi-mcp session key v1");
    key_.assign(reinterpret_cast<char const*>(derived.data()), derived.size());
}

std::string session_codec::issue(std::string_view protocol_version, std::string_view principal, clock::time_point now) const
{
    auto const issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    std::string payload;
    payload.append(format_tag).append("|").append(protocol_version).append("|").append(std::to_string(issued));
    payload.append("|").append(core::encoding::hex_encode(core::encoding::random_bytes(12)));
    auto const encoded = core::encoding::base64url_encode(payload);
    return encoded + "." + mac_of(key_, encoded, principal);
}

result<session_claims> session_codec::verify(std::string_view token, std::string_view principal, clock::time_point now) const
{
    if (token.empty()) return errc::session_missing;
    if (token.size() > max_token_length) return errc::session_malformed;
    auto const dot = token.find('.');
    if (dot == std::string_view::npos) return errc::session_malformed;
    auto const encoded = token.substr(0, dot);
    auto const mac = token.substr(dot + 1);
    if (!core::encoding::constant_time_equal(mac, mac_of(key_, encoded, principal))) return errc::session_forged;

    auto const payload = core::encoding::base64url_decode(encoded);
    if (!payload) return errc::session_malformed;
    auto const parts = split(*payload, '|');
    if (parts.size() != 4 || parts[0] != format_tag) return errc::session_malformed;

    long long issued = 0;
    auto const [end, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), issued);
    if (ec != std::errc{} || end != parts[2].data() + parts[2].size()) return errc::session_malformed;

    session_claims claims{std::string(parts[1]), clock::time_point(std::chrono::seconds(issued))};
    if (claims.issued_at > now + allowed_clock_skew) return errc::session_malformed;
    if (now - claims.issued_at > ttl_) return errc::session_expired;
    return claims;
}

}  // namespace justifi::mcp
