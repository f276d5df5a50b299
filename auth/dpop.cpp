#include "auth/dpop.hpp"

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace justifi::auth::dpop {
namespace {

namespace json = boost::json;

struct category final : boost::system::error_category {
    char const* name() const noexcept override { return "justifi-dpop"; }
    std::string message(int ev) const override
    {
        switch (static_cast<dpop_error>(ev)) {
        case dpop_error::malformed:
            return "the DPoP proof is not a well-formed JWT (three base64url parts, JSON header and payload with "
                   "string jti, htm and htu and a numeric iat)";
        case dpop_error::wrong_type: return "the DPoP proof's typ must be dpop+jwt";
        case dpop_error::unsupported_algorithm: return "the DPoP proof must be signed with ES256 or RS256";
        case dpop_error::unusable_key:
            return "the DPoP proof's jwk header must be a public EC P-256 or RSA (2048 bits or more) key that fits its alg";
        case dpop_error::bad_signature: return "the DPoP proof's signature does not verify with its jwk";
        case dpop_error::wrong_method: return "the DPoP proof's htm is not this request's method";
        case dpop_error::wrong_url: return "the DPoP proof's htu is not this request's URL";
        case dpop_error::stale: return "the DPoP proof's iat is too far from now; make a new proof for each request";
        case dpop_error::wrong_token_hash: return "the DPoP proof's ath is not the hash of the access token sent with it";
        case dpop_error::key_mismatch: return "the access token is bound to another key than the DPoP proof's";
        case dpop_error::replayed: return "this DPoP proof was already used; make a new proof for each request";
        case dpop_error::replay_cache_full:
            return "too many DPoP proofs are being checked; retry in a moment";
        }
        return "unknown DPoP error";
    }
};

std::optional<json::object> object_of(std::string_view text)
{
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::string_view string_of(json::object const& o, std::string_view name)
{
    auto const* v = o.if_contains(name);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

struct url_parts {
    std::string scheme;
    std::string host;  // lowercased, with the port only when it is not the scheme's default
    std::string path;  // "/" when empty
};

std::optional<url_parts> split_url(std::string_view url)
{
    auto const scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    url_parts out{core::encoding::ascii_lower(url.substr(0, scheme_end)), {}, {}};
    auto rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, std::min(rest.find_first_of("?#"), rest.size()));
    auto const slash = std::min(rest.find('/'), rest.size());
    out.host = core::encoding::ascii_lower(rest.substr(0, slash));
    out.path = slash < rest.size() ? std::string(rest.substr(slash)) : "/";
    if (out.host.empty() || out.host.find('@') != std::string::npos) return std::nullopt;
    auto const default_port = out.scheme == "https" ? ":443" : out.scheme == "http" ? ":80" : "";
    if (*default_port && out.host.ends_with(default_port)) out.host.resize(out.host.size() - std::strlen(default_port));
    return out;
}

}  // namespace

boost::system::error_category const& dpop_category() noexcept
{
    static category const instance;
    return instance;
}

std::string thumbprint(json::object const& jwk)
{
    auto const kty = string_of(jwk, "kty");
    // Members in lexicographic order, as RFC 7638 section 3.2 writes them (no whitespace).
    std::initializer_list<std::string_view> const ec_members{"crv", "kty", "x", "y"};
    std::initializer_list<std::string_view> const rsa_members{"e", "kty", "n"};
    auto const& members = kty == "EC" ? ec_members : rsa_members;
    if (kty != "EC" && kty != "RSA") return {};
    std::string canonical = "{";
    for (auto const name : members) {
        auto const value = string_of(jwk, name);
        if (value.empty()) return {};
        if (canonical.size() > 1) canonical += ',';
        core::encoding::append_json_string(canonical, name);
        canonical += ':';
        core::encoding::append_json_string(canonical, value);
    }
    canonical += '}';
    auto const digest = core::encoding::sha256(canonical);
    return core::encoding::base64url_encode({reinterpret_cast<char const*>(digest.data()), digest.size()});
}

std::string access_token_hash(std::string_view access_token)
{
    auto const digest = core::encoding::sha256(access_token);
    return core::encoding::base64url_encode({reinterpret_cast<char const*>(digest.data()), digest.size()});
}

bool same_request_url(std::string_view htu, std::string_view url)
{
    auto const a = split_url(htu);
    auto const b = split_url(url);
    return a && b && a->scheme == b->scheme && a->host == b->host && a->path == b->path;
}

boost::system::result<verified_proof, dpop_error> verify_proof(std::string_view proof,
                                                               proof_expectations const& expected)
{
    constexpr std::size_t max_proof_bytes = 8 * 1024;
    if (proof.size() > max_proof_bytes) return dpop_error::malformed;
    auto const first_dot = proof.find('.');
    auto const second_dot = first_dot == std::string_view::npos ? first_dot : proof.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || proof.find('.', second_dot + 1) != std::string_view::npos)
        return dpop_error::malformed;
    auto const header_text = core::encoding::base64url_decode(proof.substr(0, first_dot));
    auto const payload_text = core::encoding::base64url_decode(proof.substr(first_dot + 1, second_dot - first_dot - 1));
    auto const signature = core::encoding::base64url_decode(proof.substr(second_dot + 1));
    if (!header_text || !payload_text || !signature) return dpop_error::malformed;
    auto const header = object_of(*header_text);
    if (!header || header->contains("crit")) return dpop_error::malformed;

    if (string_of(*header, "typ") != "dpop+jwt") return dpop_error::wrong_type;
    auto const alg = string_of(*header, "alg");
    if (alg != "ES256" && alg != "RS256") return dpop_error::unsupported_algorithm;
    auto const* jwk_value = header->if_contains("jwk");
    if (!jwk_value || !jwk_value->is_object()) return dpop_error::unusable_key;
    auto const key = read_public_jwk(jwk_value->get_object());
    if (!key || key->alg != alg) return dpop_error::unusable_key;
    if (!signature_verifies(*key, proof.substr(0, second_dot), *signature)) return dpop_error::bad_signature;

    auto const payload = object_of(*payload_text);
    if (!payload) return dpop_error::malformed;
    auto const jti = string_of(*payload, "jti");
    auto const htm = string_of(*payload, "htm");
    auto const htu = string_of(*payload, "htu");
    auto const* iat_value = payload->if_contains("iat");
    if (jti.empty() || jti.size() > 256 || htm.empty() || htu.empty() || !iat_value || !iat_value->is_number())
        return dpop_error::malformed;
    if (htm != expected.method) return dpop_error::wrong_method;
    if (!same_request_url(htu, expected.url)) return dpop_error::wrong_url;

    double const iat_seconds = iat_value->to_number<double>();
    auto const now_seconds = std::chrono::duration_cast<std::chrono::seconds>(expected.now.time_since_epoch()).count();
    if (!std::isfinite(iat_seconds) ||
        std::abs(iat_seconds - static_cast<double>(now_seconds)) > static_cast<double>(expected.window.count()))
        return dpop_error::stale;

    // Compared in constant time: both are public, but it costs nothing to leak nothing.
    if (!core::encoding::constant_time_equal(string_of(*payload, "ath"), access_token_hash(expected.access_token)))
        return dpop_error::wrong_token_hash;
    auto jkt = thumbprint(jwk_value->get_object());
    if (jkt.empty() || !core::encoding::constant_time_equal(jkt, expected.bound_jkt)) return dpop_error::key_mismatch;

    auto const iat = std::chrono::system_clock::time_point(std::chrono::seconds(static_cast<std::int64_t>(iat_seconds)));
    return verified_proof{std::string(jti), std::move(jkt), iat};
}

boost::system::error_code replay_cache::remember(std::string_view jkt, std::string_view jti, clock::time_point now)
{
    // The same jti from two keys is two proofs; hashed so an entry costs the same whatever was sent.
    std::string material(jkt);
    material += ' ';
    material += jti;
    auto const digest = core::encoding::sha256(material);
    std::string key(reinterpret_cast<char const*>(digest.data()), 16);

    std::lock_guard lock(mutex_);
    while (!order_.empty() && order_.front().forget_at <= now) {
        keys_.erase(order_.front().key);
        order_.pop_front();
    }
    if (keys_.contains(key)) return dpop_error::replayed;
    if (keys_.size() >= capacity_) return dpop_error::replay_cache_full;
    keys_.insert(key);
    // A proof verifies while |iat - now| <= window, and it was made within the window of now, so
    // after two windows it can no longer be replayed.
    order_.push_back({std::move(key), now + 2 * window_});
    return {};
}

std::size_t replay_cache::size() const
{
    std::lock_guard lock(mutex_);
    return keys_.size();
}

}  // namespace justifi::auth::dpop
