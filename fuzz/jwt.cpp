// JWT and JWKS parsing: what an OAuth client and an issuer send us. The first byte picks:
//   'T' the rest is a compact token, verified against a fixed key set (an RSA and a P-256 key);
//   'S' the rest is "<header JSON>\n<payload JSON>": both are base64url-encoded as they are and
//       signed with the P-256 key (or the RSA key when the header mentions RS256), so the
//       claim checks behind the signature are reached with any header and payload text;
//   'K' the rest is a JWKS document for parse_jwks; a fixed token is verified against it;
//   'M' the rest is an issuer metadata document (jwks_uri_from_metadata) and an issuer URL
//       (issuer_metadata_urls).
//   'D' the rest is "<header JSON>\n<payload JSON>" of a DPoP proof, signed with the P-256 key
//       (the RSA key when the header mentions RS256), checked by auth::dpop::verify_proof for
//       POST https://mcp.example.com/mcp with a fixed token bound to the P-256 key.
// Other first bytes go to all five, in that order. The clock is fixed: 2025-01-01T00:00:00Z.
//
// Checked besides the sanitizers: a verified token's claims are what the rules demand;
// a parsed JWKS has at least one key, each RS256 or ES256; an accepted DPoP proof is for this
// request, this token and the key it is bound to.
#include "fuzz/harness.hpp"

#include "auth/dpop.hpp"
#include "auth/jwks_cache.hpp"
#include "auth/jwt.hpp"
#include "core/encoding.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace {

namespace json = boost::json;
namespace auth = justifi::auth;
using justifi::test::test_signing_key;
using namespace justifi::fuzz;

constexpr char const* issuer = "https://tenant.example/";
constexpr char const* audience = "https://api.justifi.ai";
constexpr std::int64_t fixed_now = 1'735'689'600;  // 2025-01-01T00:00:00Z

struct world {
    test_signing_key rsa = test_signing_key::rsa("k-rsa");
    test_signing_key ec = test_signing_key::p256("k-ec");
    auth::jwk_set keys;
    auth::verification_rules rules{issuer, {audience, "https://mcp.example.com/mcp"}};
    std::chrono::system_clock::time_point now{std::chrono::seconds(fixed_now)};
    std::string sample_token;

    world()
    {
        quiet_process();
        auto parsed = auth::parse_jwks(justifi::test::jwks_json({rsa.jwk(), ec.jwk()}));
        if (!parsed || parsed->keys.size() != 2) std::abort();
        keys = std::move(*parsed);
        sample_token = ec.sign(json::object{{"iss", issuer}, {"aud", audience}, {"exp", fixed_now + 3600}});
    }
};

world& the_world()
{
    static world w;
    return w;
}

void verify(world const& w, std::string_view token, auth::jwk_set const& keys)
{
    auto const claims = auth::verify_jwt(token, keys, w.rules, w.now);
    if (!claims) {
        (void)auth::make_error_code(claims.error()).message();
        return;
    }
    // Accepted: the issuer is ours, an audience is one we accept (up to case and a trailing
    // slash), and it has not expired.
    if (claims->iss != issuer) std::abort();
    if (std::none_of(claims->aud.begin(), claims->aud.end(), [&](std::string const& a) {
            return std::any_of(w.rules.audiences.begin(), w.rules.audiences.end(),
                               [&](std::string const& accepted) { return auth::audience_matches(a, accepted); });
        }))
        std::abort();
    if (claims->exp + w.rules.clock_skew < w.now) std::abort();
    (void)json::serialize(claims->payload);
}

void token_mode(world const& w, std::string_view rest) { verify(w, rest, w.keys); }

void signed_mode(world const& w, std::string_view rest)
{
    auto const parts = split(rest, "\n", 2);
    auto const header = parts[0];
    auto const payload = parts.size() > 1 ? parts[1] : std::string_view{};
    auto const input = justifi::core::encoding::base64url_encode(header) + "." + justifi::core::encoding::base64url_encode(payload);
    auto const& key = header.find("RS256") != std::string_view::npos ? w.rsa : w.ec;
    verify(w, input + "." + key.signature(input), w.keys);
}

void jwks_mode(world const& w, std::string_view rest)
{
    auto const parsed = auth::parse_jwks(rest);
    if (!parsed) return;
    if (parsed->keys.empty()) std::abort();  // "no usable key" is an error, not an empty set
    for (auto const& k : parsed->keys)
        if ((k.alg != "RS256" && k.alg != "ES256") || !k.key) std::abort();
    verify(w, w.sample_token, *parsed);
}

void dpop_mode(world const& w, std::string_view rest)
{
    auto const parts = split(rest, "\n", 2);
    std::string header(parts[0]);
    std::string payload(parts.size() > 1 ? parts[1] : std::string_view{});
    auto const& key = header.find("RS256") != std::string_view::npos ? w.rsa : w.ec;
    // What a seed cannot know (the key made at start, the token's hash) is filled in when left
    // out, so the checks behind the signature are reached.
    boost::system::error_code ec;
    if (auto parsed = json::parse(header, ec); !ec && parsed.is_object() && !parsed.as_object().contains("jwk")) {
        auto jwk = key.jwk();
        jwk.erase("kid");
        parsed.as_object()["jwk"] = std::move(jwk);
        header = json::serialize(parsed);
    }
    if (auto parsed = json::parse(payload, ec); !ec && parsed.is_object() && !parsed.as_object().contains("ath")) {
        parsed.as_object()["ath"] = auth::dpop::access_token_hash(w.sample_token);
        payload = json::serialize(parsed);
    }
    auto const input = justifi::core::encoding::base64url_encode(header) + "." + justifi::core::encoding::base64url_encode(payload);
    auto const proof = input + "." + key.signature(input);
    static std::string const bound = justifi::auth::dpop::thumbprint(w.ec.jwk());
    auth::dpop::proof_expectations const expected{.method = "POST",
                                                  .url = "https://mcp.example.com/mcp",
                                                  .access_token = w.sample_token,
                                                  .bound_jkt = bound,
                                                  .now = w.now};
    for (auto const& candidate : {proof, std::string(rest)}) {
        auto const verified = auth::dpop::verify_proof(candidate, expected);
        if (!verified) {
            (void)auth::dpop::make_error_code(verified.error()).message();
            continue;
        }
        // Accepted: made with the bound key, for this token.
        if (verified->jkt != bound || verified->jti.empty()) std::abort();
    }
}

void metadata_mode(std::string_view rest)
{
    if (auto const uri = auth::jwks_uri_from_metadata(rest, issuer)) (void)uri->size();
    for (auto const& url : auth::issuer_metadata_urls(rest)) (void)url.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    auto const& w = the_world();
    auto const text = as_text(data, size);
    if (text.empty()) return 0;
    auto const rest = text.substr(1);
    switch (text.front()) {
    case 'T': token_mode(w, rest); break;
    case 'S': signed_mode(w, rest); break;
    case 'K': jwks_mode(w, rest); break;
    case 'M': metadata_mode(rest); break;
    case 'D': dpop_mode(w, rest); break;
    default:
        token_mode(w, text);
        signed_mode(w, text);
        jwks_mode(w, text);
        metadata_mode(text);
        dpop_mode(w, text);
    }
    return 0;
}
