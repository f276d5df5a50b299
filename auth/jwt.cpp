#include "auth/jwt.hpp"

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace justifi::auth {
namespace {

namespace json = boost::json;

struct category final : boost::system::error_category {
    char const* name() const noexcept override { return "justifi-jwt"; }
    std::string message(int ev) const override
    {
        switch (static_cast<jwt_error>(ev)) {
        case jwt_error::malformed:
            return "the bearer token is not a well-formed JWT (three base64url parts, a JSON header and payload, "
                   "numeric exp)";
        case jwt_error::unsupported_algorithm:
            return "the token's signing algorithm is not accepted (RS256 or ES256 only; never none or HS*)";
        case jwt_error::unknown_key:
            return "the token was signed with a key that is not in the JWKS (unknown kid); get a token from the "
                   "configured issuer";
        case jwt_error::bad_signature: return "the token's signature does not verify; it was altered or forged";
        case jwt_error::expired: return "the token has expired; get a new one";
        case jwt_error::not_yet_valid:
            return "the token is not valid yet (nbf or iat is in the future); check the clocks";
        case jwt_error::wrong_issuer: return "the token was issued by an issuer this server does not trust";
        case jwt_error::wrong_audience: return "the token was issued for another audience than this API";
        case jwt_error::keys_unavailable:
            return "the authorization server's signing keys could not be loaded, so no token can be verified now; "
                   "try again shortly";
        }
        return "unknown JWT error";
    }
};

template <auto Free>
struct openssl_deleter {
    template <class T>
    void operator()(T* p) const noexcept
    {
        Free(p);
    }
};
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<EVP_PKEY_CTX_free>>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, openssl_deleter<OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, openssl_deleter<OSSL_PARAM_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX_free>>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, openssl_deleter<ECDSA_SIG_free>>;

constexpr std::size_t max_token_bytes = 16 * 1024;
constexpr int min_rsa_bits = 2048;
constexpr std::size_t p256_coordinate_bytes = 32;
// NumericDates beyond what system_clock holds (its nanoseconds end in 2262), less a day for the
// skew arithmetic, are nonsense: converting them would overflow the clock.
constexpr double max_numeric_date = static_cast<double>(
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count() - 86'400);

using key_result = core::outcome<std::shared_ptr<EVP_PKEY const>>;

// A key, or a key set, the server cannot use; the words name why.
core::refusal unusable(std::string why) { return core::refuse(core::errc::unusable_document, std::move(why)); }

bignum_ptr to_bignum(std::string const& big_endian)
{
    return bignum_ptr(BN_bin2bn(reinterpret_cast<unsigned char const*>(big_endian.data()),
                                static_cast<int>(big_endian.size()), nullptr));
}

std::shared_ptr<EVP_PKEY const> key_from_params(char const* type, OSSL_PARAM_BLD* builder)
{
    params_ptr params(OSSL_PARAM_BLD_to_param(builder));
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    std::shared_ptr<EVP_PKEY const> owned(key, [](EVP_PKEY const* k) { EVP_PKEY_free(const_cast<EVP_PKEY*>(k)); });
    // Rejects points off the curve and the like before the key is ever used.
    pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
    return owned;
}

std::optional<std::string> decoded_member(json::object const& jwk, std::string_view name)
{
    auto const* v = jwk.if_contains(name);
    if (!v || !v->is_string()) return std::nullopt;
    auto bytes = core::encoding::base64url_decode(v->get_string());
    if (!bytes || bytes->empty()) return std::nullopt;
    return bytes;
}

key_result rsa_key(json::object const& jwk)
{
    auto const n = decoded_member(jwk, "n");
    auto const e = decoded_member(jwk, "e");
    if (!n || !e) return unusable("n and e must be non-empty base64url strings");
    auto const modulus = to_bignum(*n);
    auto const exponent = to_bignum(*e);
    if (!modulus || !exponent) return unusable("n or e could not be read");
    if (BN_num_bits(modulus.get()) < min_rsa_bits) return unusable("the RSA modulus is shorter than 2048 bits");
    param_bld_ptr builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1)
        return unusable("OpenSSL could not take the RSA parameters");
    auto key = key_from_params("RSA", builder.get());
    if (!key) return unusable("OpenSSL refused the RSA public key");
    return key;
}

key_result p256_key(json::object const& jwk)
{
    auto const x = decoded_member(jwk, "x");
    auto const y = decoded_member(jwk, "y");
    if (!x || !y || x->size() != p256_coordinate_bytes || y->size() != p256_coordinate_bytes)
        return unusable("x and y must be 32-byte base64url coordinates");
    std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
    param_bld_ptr builder(OSSL_PARAM_BLD_new());
    char group[] = "prime256v1";  // P-256
    if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        return unusable("OpenSSL could not take the EC parameters");
    auto key = key_from_params("EC", builder.get());
    if (!key) return unusable("the point is not a valid P-256 public key");
    return key;
}

std::string string_member(json::object const& o, std::string_view name)
{
    auto const* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The key's usable form, or why it is skipped.
core::outcome<jwk> read_jwk(json::value const& entry)
{
    auto const skip = [](std::string why) { return unusable(std::move(why)); };
    auto const* o = entry.if_object();
    if (!o) return skip("not a JSON object");
    auto const kty = string_member(*o, "kty");
    auto const use = string_member(*o, "use");
    auto alg = string_member(*o, "alg");
    // RFC 7517 makes "use" optional; a key that names another use is not for signatures.
    if (!use.empty() && use != "sig") return skip("\"use\" is \"" + use + "\", not \"sig\"");
    if (kty == "RSA") {
        if (alg.empty()) alg = "RS256";
        if (alg != "RS256") return skip("RSA alg " + alg + " is not supported (RS256 only)");
    } else if (kty == "EC") {
        auto const crv = string_member(*o, "crv");
        if (crv != "P-256") return skip("EC curve \"" + crv + "\" is not supported (P-256 only)");
        if (alg.empty()) alg = "ES256";
        if (alg != "ES256") return skip("EC alg " + alg + " is not supported (ES256 only)");
    } else {
        return skip("kty \"" + kty + "\" is not supported (RSA or EC only)");
    }
    auto key = kty == "RSA" ? rsa_key(*o) : p256_key(*o);
    if (!key) return key.error();
    return jwk{string_member(*o, "kid"), std::move(alg), std::move(*key)};
}

// JWS ES256 signatures are r||s; OpenSSL verifies DER-encoded ECDSA-Sig-Value.
std::optional<std::string> p256_signature_to_der(std::string_view raw)
{
    if (raw.size() != 2 * p256_coordinate_bytes) return std::nullopt;
    ecdsa_sig_ptr sig(ECDSA_SIG_new());
    bignum_ptr r(to_bignum(std::string(raw.substr(0, p256_coordinate_bytes))));
    bignum_ptr s(to_bignum(std::string(raw.substr(p256_coordinate_bytes))));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
    r.release();  // owned by sig now
    s.release();
    int const length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) return std::nullopt;
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
    return der;
}

}  // namespace

bool signature_verifies(jwk const& key, std::string_view signing_input, std::string_view signature)
{
    std::string der;
    if (key.alg == "ES256") {
        auto converted = p256_signature_to_der(signature);
        if (!converted) return false;
        der = std::move(*converted);
        signature = der;
    }
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    // EVP_DigestVerifyInit takes a non-const key but only reads it.
    auto* pkey = const_cast<EVP_PKEY*>(key.key.get());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<unsigned char const*>(signature.data()), signature.size(),
                            reinterpret_cast<unsigned char const*>(signing_input.data()), signing_input.size()) == 1;
}

namespace {

std::optional<json::object> json_object_of(std::string_view text)
{
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

bool is_symmetric_or_none(std::string_view alg)
{
    auto const lower = core::encoding::ascii_lower(alg);
    return lower == "none" || lower.starts_with("hs");
}

bool is_implemented(std::string_view alg) { return alg == "RS256" || alg == "ES256"; }

enum class date_state { absent, valid, invalid };

// A NumericDate claim (seconds since the epoch, possibly fractional).
date_state numeric_date(json::object const& payload, std::string_view name, std::chrono::system_clock::time_point& out)
{
    auto const* v = payload.if_contains(name);
    if (!v) return date_state::absent;
    if (!v->is_number()) return date_state::invalid;
    double const seconds = v->to_number<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > max_numeric_date) return date_state::invalid;
    out = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(std::floor(seconds))));
    return date_state::valid;
}

void add_space_separated(std::string_view text, std::set<std::string>& out)
{
    std::size_t start = 0;
    while (start < text.size()) {
        auto const end = std::min(text.find(' ', start), text.size());
        if (end > start) out.emplace(text.substr(start, end - start));
        start = end + 1;
    }
}

// "HTTPS://Mcp.Example.com/mcp/" -> "https://mcp.example.com/mcp"; nullopt for what is not an http(s) URL.
std::optional<std::string> comparable_url(std::string_view url)
{
    auto const scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    auto const scheme = core::encoding::ascii_lower(url.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http") return std::nullopt;
    auto const rest = url.substr(scheme_end + 3);
    auto const path_start = std::min(rest.find_first_of("/?#"), rest.size());
    std::string out = scheme + "://" + core::encoding::ascii_lower(rest.substr(0, path_start));
    std::string_view path = rest.substr(path_start);
    if (path.ends_with('/')) path.remove_suffix(1);
    out += path;
    return out;
}

}  // namespace

bool audience_matches(std::string_view claimed, std::string_view accepted)
{
    if (claimed == accepted) return true;
    auto const a = comparable_url(claimed);
    auto const b = comparable_url(accepted);
    return a && b && *a == *b;
}

core::outcome<jwk> read_public_jwk(json::object const& key)
{
    if (key.contains("d") || key.contains("p") || key.contains("q"))
        return unusable("the key has private members; only a public key may be sent");
    return read_jwk(key);
}

boost::system::error_category const& jwt_category() noexcept
{
    static category const instance;
    return instance;
}

void throw_exception_from_error(jwt_error e, boost::source_location const& loc)
{
    boost::throw_exception(boost::system::system_error(make_error_code(e)), loc);
}

core::outcome<jwk_set> parse_jwks(std::string_view text)
{
    auto const document = json_object_of(text);
    if (!document) return unusable("the JWKS is not a JSON object");
    auto const* keys = document->if_contains("keys");
    if (!keys || !keys->is_array()) return unusable("the JWKS has no \"keys\" array");
    jwk_set set;
    std::size_t index = 0;
    for (auto const& entry : keys->get_array()) {
        ++index;
        auto key = read_jwk(entry);
        if (key) {
            set.keys.push_back(std::move(*key));
            continue;
        }
        std::string kid;
        if (auto const* o = entry.if_object()) kid = string_member(*o, "kid");
        set.skipped.push_back("key " + std::to_string(index) + (kid.empty() ? "" : " (kid " + kid + ")") + ": " +
                              key.error().message);
    }
    if (set.keys.empty()) {
        std::string why = "the JWKS has no usable signing key (RSA for RS256 or EC P-256 for ES256, with \"use\": \"sig\")";
        for (auto const& s : set.skipped) why += "; " + s;
        return unusable(std::move(why));
    }
    return set;
}

std::string canonical_token(std::string_view token)
{
    auto const first_dot = token.find('.');
    auto const second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || token.size() > max_token_bytes) return std::string(token);
    auto signature = core::encoding::base64url_decode(token.substr(second_dot + 1));
    auto const header_text = core::encoding::base64url_decode(token.substr(0, first_dot));
    if (!signature || !header_text) return std::string(token);
    auto const header = json_object_of(*header_text);
    auto const* alg = header ? header->if_contains("alg") : nullptr;
    if (alg && alg->is_string() && alg->get_string() == "ES256" && signature->size() == 2 * p256_coordinate_bytes) {
        // The order of P-256's base point; an s above half of it has a twin, n - s.
        static constexpr char order_hex[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
        BIGNUM* order_raw = nullptr;
        if (BN_hex2bn(&order_raw, order_hex) == 0) return std::string(token);
        bignum_ptr const order(order_raw);
        bignum_ptr const half(BN_dup(order.get()));
        bignum_ptr s(to_bignum(signature->substr(p256_coordinate_bytes)));
        if (!half || !s || BN_rshift1(half.get(), half.get()) != 1) return std::string(token);
        if (BN_cmp(s.get(), half.get()) > 0 && BN_sub(s.get(), order.get(), s.get()) == 1) {
            auto* const low = reinterpret_cast<unsigned char*>(signature->data() + p256_coordinate_bytes);
            if (BN_bn2binpad(s.get(), low, static_cast<int>(p256_coordinate_bytes)) < 0) return std::string(token);
        }
    }
    return std::string(token.substr(0, second_dot + 1)) + core::encoding::base64url_encode(*signature);
}

boost::system::result<jwt_claims, jwt_error> verify_jwt(std::string_view token, jwk_set const& keys,
                                                        verification_rules const& rules,
                                                        std::chrono::system_clock::time_point now)
{
    if (token.size() > max_token_bytes) return jwt_error::malformed;
    auto const first_dot = token.find('.');
    auto const second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
        return jwt_error::malformed;
    auto const header_text = core::encoding::base64url_decode(token.substr(0, first_dot));
    auto const payload_text = core::encoding::base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
    auto const signature = core::encoding::base64url_decode(token.substr(second_dot + 1));
    if (!header_text || !payload_text || !signature) return jwt_error::malformed;
    auto const header = json_object_of(*header_text);
    if (!header || header->contains("crit")) return jwt_error::malformed;

    auto const* alg_value = header->if_contains("alg");
    if (!alg_value || !alg_value->is_string()) return jwt_error::malformed;
    std::string_view const alg = alg_value->get_string();
    bool const allowed = std::find(rules.algorithms.begin(), rules.algorithms.end(), alg) != rules.algorithms.end();
    if (is_symmetric_or_none(alg) || !is_implemented(alg) || !allowed) return jwt_error::unsupported_algorithm;

    auto const* kid_value = header->if_contains("kid");
    if (kid_value && !kid_value->is_string()) return jwt_error::malformed;
    std::string_view const kid = kid_value ? std::string_view(kid_value->get_string()) : std::string_view();

    // A token without a kid may be verified by any key of its algorithm.
    std::string_view const signing_input = token.substr(0, second_dot);
    jwk const* verified_by = nullptr;
    bool candidate_found = false;
    for (auto const& key : keys.keys) {
        if (key.alg != alg || (kid_value && key.kid != kid)) continue;
        candidate_found = true;
        if (signature_verifies(key, signing_input, *signature)) {
            verified_by = &key;
            break;
        }
    }
    if (!candidate_found) return jwt_error::unknown_key;
    if (!verified_by) return jwt_error::bad_signature;

    auto payload = json_object_of(*payload_text);
    if (!payload) return jwt_error::malformed;

    jwt_claims claims;
    claims.kid = verified_by->kid;
    auto const* iss = payload->if_contains("iss");
    auto const* sub = payload->if_contains("sub");
    auto const* aud = payload->if_contains("aud");
    auto const* scope = payload->if_contains("scope");
    auto const* permissions = payload->if_contains("permissions");
    if ((iss && !iss->is_string()) || (sub && !sub->is_string()) || (scope && !scope->is_string()) ||
        (permissions && !permissions->is_array()))
        return jwt_error::malformed;
    if (iss) claims.iss = iss->get_string();
    if (sub) claims.sub = sub->get_string();
    if (aud && aud->is_string()) {
        claims.aud.emplace_back(aud->get_string());
    } else if (aud && aud->is_array()) {
        for (auto const& entry : aud->get_array()) {
            if (!entry.is_string()) return jwt_error::malformed;
            claims.aud.emplace_back(entry.get_string());
        }
    } else if (aud) {
        return jwt_error::malformed;
    }
    if (scope) add_space_separated(scope->get_string(), claims.scope);
    if (permissions)
        for (auto const& p : permissions->get_array()) {
            if (!p.is_string()) return jwt_error::malformed;
            claims.scope.emplace(p.get_string());
        }

    std::chrono::system_clock::time_point nbf, iat;
    if (numeric_date(*payload, "exp", claims.exp) != date_state::valid) return jwt_error::malformed;
    auto const nbf_state = numeric_date(*payload, "nbf", nbf);
    auto const iat_state = numeric_date(*payload, "iat", iat);
    if (nbf_state == date_state::invalid || iat_state == date_state::invalid) return jwt_error::malformed;
    if (iat_state == date_state::valid) claims.iat = iat;

    if (rules.issuer.empty() || claims.iss != rules.issuer) return jwt_error::wrong_issuer;
    auto const accepted = [&](std::string const& aud) {
        return std::any_of(rules.audiences.begin(), rules.audiences.end(),
                           [&](std::string const& a) { return audience_matches(aud, a); });
    };
    if (std::none_of(claims.aud.begin(), claims.aud.end(), accepted)) return jwt_error::wrong_audience;
    // RFC 7519: the token is good strictly before exp; the skew forgives clocks that disagree.
    if (now >= claims.exp + rules.clock_skew) return jwt_error::expired;
    if (nbf_state == date_state::valid && now + rules.clock_skew < nbf) return jwt_error::not_yet_valid;
    if (claims.iat && now + rules.clock_skew < *claims.iat) return jwt_error::not_yet_valid;

    if (auto const* cnf = payload->if_contains("cnf")) {
        auto const* jkt = cnf->is_object() ? cnf->get_object().if_contains("jkt") : nullptr;
        // A confirmation we cannot read binds the token to something we cannot check.
        if (!jkt || !jkt->is_string() || jkt->get_string().empty()) return jwt_error::malformed;
        claims.cnf_jkt = jkt->get_string();
    }
    claims.payload = std::move(*payload);
    return claims;
}

}  // namespace justifi::auth
