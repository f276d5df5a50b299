// DPoP (RFC 9449) at the resource server, sans-io: a proof JWT, sent beside a DPoP-bound access
// token, shows the caller holds the private key the token is bound to (its "cnf"."jkt"), for
// this request's method and URL, now, once. The replay cache that makes "once" hold is bounded
// and per process (docs/security.md says why that is enough).
#pragma once

#include "auth/jwt.hpp"

#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>

namespace justifi::auth::dpop {

// The proof algorithms accepted, as the protected resource metadata and the challenge list them.
inline constexpr std::string_view supported_algorithms = "ES256 RS256";

enum class dpop_error {
    malformed = 1,          // not a compact JWS with JSON header and payload, or claims of the wrong type
    wrong_type,             // typ is not dpop+jwt
    unsupported_algorithm,  // not ES256 or RS256 (never none, HS* or another symmetric one)
    unusable_key,           // no public jwk, private members, or one that does not fit alg
    bad_signature,
    wrong_method,           // htm is not the request's method
    wrong_url,              // htu is not the request's URL
    stale,                  // iat outside the accepted window
    wrong_token_hash,       // ath is missing or is not the hash of the access token presented
    key_mismatch,           // the token is bound to another key (cnf.jkt differs from the proof's jwk)
    replayed,               // this jti was seen within the window
    replay_cache_full,      // too many proofs to remember: refused rather than forgotten
};

boost::system::error_category const& dpop_category() noexcept;

inline boost::system::error_code make_error_code(dpop_error e) noexcept
{
    return {static_cast<int>(e), dpop_category()};
}

// What the proof must match: the request as the client addressed it.
struct proof_expectations {
    std::string_view method;        // "POST"
    std::string_view url;           // the public URL of the request, without query or fragment
    std::string_view access_token;  // the token the proof travels with (its hash is "ath")
    std::string_view bound_jkt;     // the token's cnf.jkt
    std::chrono::system_clock::time_point now;
    // How far iat may be from now, either way: clocks differ, and a proof is made just before
    // it is sent.
    std::chrono::seconds window{60};
};

struct verified_proof {
    std::string jti;
    std::string jkt;
    std::chrono::system_clock::time_point iat;
};

// Checks, in order: the compact form and header (malformed, wrong_type, unsupported_algorithm,
// unusable_key), the signature, the payload's claims (malformed), htm, htu, iat, ath and the
// binding to the token's key. Does not look at replays: see replay_cache.
boost::system::result<verified_proof, dpop_error> verify_proof(std::string_view proof,
                                                               proof_expectations const& expected);

// RFC 7638 SHA-256 thumbprint (base64url) of a public JWK: the required members in
// lexicographic order (EC: crv, kty, x, y; RSA: e, kty, n). Empty for another kty or a missing member.
std::string thumbprint(boost::json::object const& jwk);

// The "ath" of a proof: base64url(SHA-256(access token)).
std::string access_token_hash(std::string_view access_token);

// RFC 9449 section 4.3, step 9: htu compared without query and fragment, with the scheme and host
// case-insensitive and a default port (443 for https, 80 for http) the same as none.
bool same_request_url(std::string_view htu, std::string_view url);

// The jti of every proof accepted within the window, so that a proof is used once. Bounded:
// when full, a new proof is refused (replay_cache_full) rather than an old jti forgotten, since
// forgetting would let that proof be replayed. Thread-safe; each call is a short critical section.
class replay_cache {
public:
    using clock = std::chrono::steady_clock;
    replay_cache(std::size_t capacity, std::chrono::seconds window) : capacity_(capacity), window_(window) {}

    // Remembers (key's thumbprint, jti) until it can no longer verify: replayed when it is
    // already here, replay_cache_full when there is no room.
    boost::system::error_code remember(std::string_view jkt, std::string_view jti, clock::time_point now);

    std::size_t size() const;

private:
    struct seen {
        std::string key;
        clock::time_point forget_at;
    };
    std::size_t capacity_;
    std::chrono::seconds window_;
    mutable std::mutex mutex_;
    std::deque<seen> order_;  // by forget_at: each is now + 2 * window when remembered
    std::unordered_set<std::string> keys_;
};

}  // namespace justifi::auth::dpop

template <>
struct boost::system::is_error_code_enum<justifi::auth::dpop::dpop_error> : std::true_type {};
