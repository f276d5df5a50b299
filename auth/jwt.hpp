// JWT checks for the OAuth resource server, sans-io: a JWKS document becomes a set of
// verification keys, and a compact JWS (RS256 or ES256) becomes claims once its signature,
// issuer, audience and lifetime check out. The caller passes the clock; fetching the JWKS
// is someone else's job.
#pragma once

#include "core/errors.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace justifi::auth {

enum class jwt_error {
    malformed = 1,          // not three base64url parts, a JSON header and payload, well-typed claims
    unsupported_algorithm,  // "none", HS*, or an algorithm the rules do not allow
    unknown_key,            // no key in the set has the token's kid (and algorithm)
    bad_signature,
    expired,
    not_yet_valid,  // nbf or iat in the future, beyond the clock skew
    wrong_issuer,
    wrong_audience,
    keys_unavailable,  // the issuer's keys could not be loaded: nothing can be verified right now
};

boost::system::error_category const& jwt_category() noexcept;

inline boost::system::error_code make_error_code(jwt_error e) noexcept
{
    return {static_cast<int>(e), jwt_category()};
}

// Lets result<T, jwt_error>::value() throw a system_error of our category.
[[noreturn]] void throw_exception_from_error(jwt_error e, boost::source_location const& loc);

// One public key of a JWKS, ready for EVP_DigestVerify.
struct jwk {
    std::string kid;  // empty when the JWK has none
    std::string alg;  // "RS256" or "ES256"
    std::shared_ptr<EVP_PKEY const> key;
};

struct jwk_set {
    std::vector<jwk> keys;
    // Why each key that was left out is unusable ("key 2 (kid k1): kty oct is not supported"), for logs.
    std::vector<std::string> skipped;
};

// RSA keys (n, e; at least 2048 bits; alg RS256 or none given) and EC P-256 keys (x, y; alg
// ES256 or none given) with "use": "sig". Other keys (another kty, curve or alg, another use
// or none) are skipped and named in `skipped`. A document that is not {"keys": [...]} or has
// no usable key is an unusable_document refusal that says so.
core::outcome<jwk_set> parse_jwks(std::string_view json);

struct verification_rules {
    std::string issuer;    // must equal "iss"; empty matches no token
    // One of these must be "aud" or one of its entries; none matches no token.
    std::vector<std::string> audiences;
    // Only RS256 and ES256 are implemented; "none" and HS* are refused whatever this lists.
    std::vector<std::string> algorithms{"RS256", "ES256"};
    std::chrono::seconds clock_skew{60};
};

// The verified claims, named after the JWT claims they come from.
struct jwt_claims {
    std::string sub;               // empty when absent
    std::string iss;
    std::vector<std::string> aud;  // a string "aud" becomes one entry
    std::chrono::system_clock::time_point exp;
    std::optional<std::chrono::system_clock::time_point> iat;
    // The space-separated "scope" claim and Auth0's "permissions" array, together.
    std::set<std::string> scope;
    std::string kid;  // of the key that verified the signature
    // RFC 9449 section 6.1: the thumbprint of the key the token is bound to ("cnf": {"jkt"}); empty
    // for a token that is not DPoP-bound.
    std::string cnf_jkt;
    boost::json::object payload;
};

// Whether a token's "aud" entry names an accepted audience. Equal strings do; so do two
// http(s) URLs that differ only in the case of the scheme or host, or in one trailing slash on
// the path, since clients and authorization servers write a resource either way (Auth0 keeps
// the slash it was given).
bool audience_matches(std::string_view claimed, std::string_view accepted);

// One public key given as a JWK object (RFC 7517): RSA (n, e; at least 2048 bits) for RS256,
// EC P-256 (x, y) for ES256. A refusal (unusable_document) says why it cannot be used.
core::outcome<jwk> read_public_jwk(boost::json::object const& key);

// Whether `signature` (as JWS writes it: r||s for ES256) signs `signing_input` under `key`.
bool signature_verifies(jwk const& key, std::string_view signing_input, std::string_view signature);

// Checks, in order: the compact form and header (malformed), the algorithm
// (unsupported_algorithm), the key (unknown_key), the signature (bad_signature), the payload
// and claim types (malformed), then iss, aud, exp, nbf and iat. "exp" and "iss" are required.
// Tokens with a "crit" header are refused (malformed): we understand no extensions.
boost::system::result<jwt_claims, jwt_error> verify_jwt(std::string_view token, jwk_set const& keys,
                                                        verification_rules const& rules,
                                                        std::chrono::system_clock::time_point now);

// The one string that tokens differing only in how their signature is written come to: the
// signature part decoded and encoded again (base64url's spare bits can be flipped freely), and an
// ES256 signature's s replaced by n - s when above n/2 (ECDSA's twin signature, which verifies
// just as well). Whatever is keyed by a token (the remembered verifications) uses this form, so
// a forger's variants of one token are that one token. Anything unreadable comes back as it is.
std::string canonical_token(std::string_view token);

}  // namespace justifi::auth

template <>
struct boost::system::is_error_code_enum<justifi::auth::jwt_error> : std::true_type {};
