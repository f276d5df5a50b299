// JWT checks without sockets: keys made in the test with OpenSSL, their JWKS parsed by
// auth::parse_jwks, tokens signed by the test and verified by auth::verify_jwt.
#include "auth/jwt.hpp"
#include "core/encoding.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/bn.h>

#include <ostream>
#include <string>

namespace justifi::auth {
// For Boost.Test's failure messages.
std::ostream& operator<<(std::ostream& out, jwt_error e)
{
    return out << make_error_code(e).message();
}
}  // namespace justifi::auth

namespace auth = justifi::auth;
namespace json = boost::json;
using justifi::test::encoded_part;
using justifi::test::jwks_json;
using justifi::test::numeric_date;
using justifi::test::test_signing_key;
using namespace std::chrono_literals;

namespace {

constexpr char const* issuer = "https://issuer.example/";
constexpr char const* audience = "https://api.justifi.ai/v1";

// Key generation is the slow part: one RSA and one P-256 key for the whole suite.
test_signing_key const& rsa_key()
{
    static auto const key = test_signing_key::rsa("rsa-1");
    return key;
}

test_signing_key const& ec_key()
{
    static auto const key = test_signing_key::p256("ec-1");
    return key;
}

auth::jwk_set const& both_keys()
{
    static auto const set = [] {
        auto parsed = auth::parse_jwks(jwks_json({rsa_key().jwk(), ec_key().jwk()}));
        BOOST_REQUIRE_MESSAGE(parsed.has_value(), (parsed ? std::string() : parsed.error().message));
        return std::move(*parsed);
    }();
    return set;
}

auto const now = std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));

auth::verification_rules rules() { return {issuer, {audience}}; }

json::object good_payload()
{
    return {{"iss", issuer},
            {"sub", "client-1@clients"},
            {"aud", audience},
            {"iat", numeric_date(now - 10s)},
            {"exp", numeric_date(now + 1h)},
            {"scope", "read:payments write:payments"}};
}

boost::system::result<auth::jwt_claims, auth::jwt_error> verify(std::string const& token,
                                                               auth::verification_rules const& r = rules())
{
    return auth::verify_jwt(token, both_keys(), r, now);
}

auth::jwt_error error_of(std::string const& token, auth::verification_rules const& r = rules())
{
    auto const result = verify(token, r);
    BOOST_REQUIRE_MESSAGE(!result, "the token was accepted");
    return result.error();
}

// The same token with another payload and the original signature.
std::string with_payload(std::string const& token, json::object const& payload)
{
    auto const first = token.find('.');
    auto const second = token.find('.', first + 1);
    return token.substr(0, first) + "." + encoded_part(payload) + token.substr(second);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jwt)

BOOST_AUTO_TEST_CASE(accepts_rs256_token_and_returns_its_claims)
{
    auto const claims = verify(rsa_key().sign(good_payload()));
    BOOST_REQUIRE_MESSAGE(claims.has_value(), (claims ? std::string() : auth::make_error_code(claims.error()).message()));
    BOOST_TEST(claims->sub == "client-1@clients");
    BOOST_TEST(claims->iss == issuer);
    BOOST_TEST(claims->aud == std::vector<std::string>{audience}, boost::test_tools::per_element());
    BOOST_TEST((claims->exp == now + 1h));
    BOOST_TEST((claims->iat == now - 10s));
    BOOST_TEST(claims->scope == (std::set<std::string>{"read:payments", "write:payments"}), boost::test_tools::per_element());
    BOOST_TEST(claims->kid == "rsa-1");
    BOOST_TEST(claims->payload.at("sub") == json::value("client-1@clients"));
}

BOOST_AUTO_TEST_CASE(accepts_es256_token_signed_as_raw_r_and_s)
{
    auto const token = ec_key().sign(good_payload());
    auto const signature = justifi::core::encoding::base64url_decode(token.substr(token.rfind('.') + 1));
    BOOST_REQUIRE(signature);
    BOOST_TEST(signature->size() == 64u);  // r||s, not DER
    auto const claims = verify(token);
    BOOST_REQUIRE(claims);
    BOOST_TEST(claims->kid == "ec-1");
}

namespace {

// The token with its ES256 signature's s replaced by n - s: ECDSA's twin signature.
std::string with_twin_signature(std::string const& token)
{
    auto const dot = token.rfind('.');
    auto signature = justifi::core::encoding::base64url_decode(token.substr(dot + 1)).value();
    BIGNUM* order = nullptr;
    BN_hex2bn(&order, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    BIGNUM* s = BN_bin2bn(reinterpret_cast<unsigned char const*>(signature.data() + 32), 32, nullptr);
    BN_sub(s, order, s);
    BN_bn2binpad(s, reinterpret_cast<unsigned char*>(signature.data() + 32), 32);
    BN_free(s);
    BN_free(order);
    return token.substr(0, dot + 1) + justifi::core::encoding::base64url_encode(signature);
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_es256_token_and_its_high_s_twin_are_one_token_in_canonical_form)
{
    // Both signatures verify (RFC 7518 does not ask for low S, and issuers do not normalise):
    // refusing one would refuse half of a real issuer's tokens. They are one token instead.
    for (int i = 0; i < 8; ++i) {
        auto const token = ec_key().sign(good_payload());
        auto const twin = with_twin_signature(token);
        BOOST_TEST(twin != token);
        BOOST_TEST(verify(token).has_value());
        BOOST_TEST(verify(twin).has_value());
        BOOST_TEST(auth::canonical_token(token) == auth::canonical_token(twin));
        // The canonical form is itself the low-S one, and stays put.
        auto const canonical = auth::canonical_token(token);
        BOOST_TEST(auth::canonical_token(canonical) == canonical);
        BOOST_TEST((canonical == token || canonical == twin));
    }
    // RS256 has no twin: its canonical form is itself, and so is anything unreadable.
    auto const rs = rsa_key().sign(good_payload());
    BOOST_TEST(auth::canonical_token(rs) == rs);
    BOOST_TEST(auth::canonical_token("not.a-token") == "not.a-token");
    BOOST_TEST(auth::canonical_token("") == "");
}

BOOST_AUTO_TEST_CASE(auth0_permissions_array_and_scope_string_make_one_scope_set)
{
    auto payload = good_payload();
    payload["scope"] = "read:payments  openid";
    payload["permissions"] = json::array{"read:payments", "write:refunds"};
    auto const claims = verify(rsa_key().sign(payload));
    BOOST_REQUIRE(claims);
    BOOST_TEST(claims->scope == (std::set<std::string>{"openid", "read:payments", "write:refunds"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(token_without_kid_is_verified_by_a_key_of_its_algorithm)
{
    auto const token = ec_key().sign({{"alg", "ES256"}, {"typ", "JWT"}}, good_payload());
    auto const claims = verify(token);
    BOOST_REQUIRE(claims);
    BOOST_TEST(claims->kid == "ec-1");
}

BOOST_AUTO_TEST_CASE(rejects_tampered_payload_as_bad_signature)
{
    auto altered = good_payload();
    altered["sub"] = "someone-else@clients";
    BOOST_TEST(error_of(with_payload(rsa_key().sign(good_payload()), altered)) == auth::jwt_error::bad_signature);
    BOOST_TEST(error_of(with_payload(ec_key().sign(good_payload()), altered)) == auth::jwt_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(rejects_signature_by_another_key_with_the_same_kid_as_bad_signature)
{
    auto const impostor = test_signing_key::p256("ec-1");
    BOOST_TEST(error_of(impostor.sign(good_payload())) == auth::jwt_error::bad_signature);
    auto const token = ec_key().sign(good_payload());
    auto const truncated = token.substr(0, token.rfind('.') + 1) + justifi::core::encoding::base64url_encode(std::string(63, 'x'));
    BOOST_TEST(error_of(truncated) == auth::jwt_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(rejects_unknown_kid_as_unknown_key)
{
    auto const rotated = test_signing_key::p256("ec-2");
    BOOST_TEST(error_of(rotated.sign(good_payload())) == auth::jwt_error::unknown_key);
    // A known kid with another algorithm is not that key: no RS256 key is called ec-1.
    BOOST_TEST(error_of(rsa_key().sign({{"alg", "RS256"}, {"kid", "ec-1"}}, good_payload())) ==
               auth::jwt_error::unknown_key);
}

BOOST_AUTO_TEST_CASE(rejects_alg_none_and_hs256_as_unsupported_algorithm)
{
    auto const none = encoded_part({{"alg", "none"}, {"typ", "JWT"}}) + "." + encoded_part(good_payload()) + ".";
    BOOST_TEST(error_of(none) == auth::jwt_error::unsupported_algorithm);
    auto const none_upper = encoded_part({{"alg", "NONE"}}) + "." + encoded_part(good_payload()) + ".";
    BOOST_TEST(error_of(none_upper) == auth::jwt_error::unsupported_algorithm);

    // HS256 keyed with the RSA key's public modulus: the classic key-confusion forgery.
    auto const input = encoded_part({{"alg", "HS256"}, {"kid", "rsa-1"}}) + "." + encoded_part(good_payload());
    auto const mac = justifi::core::encoding::hmac_sha256(std::string(rsa_key().jwk().at("n").as_string()), input);
    auto const hs256 = input + "." + justifi::core::encoding::base64url_encode({reinterpret_cast<char const*>(mac.data()), 32});
    BOOST_TEST(error_of(hs256) == auth::jwt_error::unsupported_algorithm);

    // Even when the rules list them, and for algorithms we do not implement.
    auto lax = rules();
    lax.algorithms = {"none", "HS256", "RS384", "RS256"};
    BOOST_TEST(error_of(none, lax) == auth::jwt_error::unsupported_algorithm);
    BOOST_TEST(error_of(hs256, lax) == auth::jwt_error::unsupported_algorithm);
    BOOST_TEST(error_of(rsa_key().sign({{"alg", "RS384"}, {"kid", "rsa-1"}}, good_payload()), lax) ==
               auth::jwt_error::unsupported_algorithm);
}

BOOST_AUTO_TEST_CASE(rejects_algorithm_the_rules_do_not_allow)
{
    auto only_rsa = rules();
    only_rsa.algorithms = {"RS256"};
    BOOST_TEST(error_of(ec_key().sign(good_payload()), only_rsa) == auth::jwt_error::unsupported_algorithm);
    BOOST_TEST(verify(rsa_key().sign(good_payload()), only_rsa).has_value());
}

BOOST_AUTO_TEST_CASE(rejects_expired_token_beyond_the_clock_skew)
{
    auto payload = good_payload();
    payload["iat"] = numeric_date(now - 2h);
    payload["exp"] = numeric_date(now - 61s);
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::expired);
    payload["exp"] = numeric_date(now - 60s);  // exactly at the end of the skew: gone
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::expired);
    payload["exp"] = numeric_date(now - 30s);  // within the skew
    BOOST_TEST(verify(rsa_key().sign(payload)).has_value());

    auto strict = rules();
    strict.clock_skew = 0s;
    BOOST_TEST(error_of(rsa_key().sign(payload), strict) == auth::jwt_error::expired);
}

BOOST_AUTO_TEST_CASE(rejects_nbf_or_iat_in_the_future_as_not_yet_valid)
{
    auto payload = good_payload();
    payload["nbf"] = numeric_date(now + 5min);
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::not_yet_valid);
    payload["nbf"] = numeric_date(now + 30s);  // within the skew
    BOOST_TEST(verify(rsa_key().sign(payload)).has_value());

    payload = good_payload();
    payload["iat"] = numeric_date(now + 5min);
    BOOST_TEST(error_of(ec_key().sign(payload)) == auth::jwt_error::not_yet_valid);
}

BOOST_AUTO_TEST_CASE(rejects_token_with_wrong_issuer)
{
    auto payload = good_payload();
    payload["iss"] = "https://evil.example/";
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::wrong_issuer);
    payload.erase("iss");
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::wrong_issuer);
    BOOST_TEST(error_of(rsa_key().sign(good_payload()), {"", {audience}}) == auth::jwt_error::wrong_issuer);
}

BOOST_AUTO_TEST_CASE(rejects_token_with_wrong_audience_as_string_or_array)
{
    auto payload = good_payload();
    payload["aud"] = "https://other.example/api";
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::wrong_audience);
    payload["aud"] = json::array{"https://other.example/api", "https://issuer.example/userinfo"};
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::wrong_audience);
    payload.erase("aud");
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::wrong_audience);

    payload["aud"] = json::array{"https://issuer.example/userinfo", audience};
    auto const claims = verify(rsa_key().sign(payload));
    BOOST_REQUIRE(claims);
    BOOST_TEST(claims->aud.size() == 2u);
}

BOOST_AUTO_TEST_CASE(accepts_any_configured_audience_and_no_audience_matches_nothing)
{
    auto payload = good_payload();
    payload["aud"] = "https://mcp.justifi.ai/mcp";
    auth::verification_rules both = rules();
    both.audiences.push_back("https://mcp.justifi.ai/mcp");
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::wrong_audience);
    BOOST_TEST(static_cast<bool>(verify(rsa_key().sign(payload), both)));

    auth::verification_rules none = rules();
    none.audiences.clear();
    BOOST_TEST(error_of(rsa_key().sign(good_payload()), none) == auth::jwt_error::wrong_audience);
}

// Found by fuzz/jwt (fuzz/regressions/jwt): an exp past what system_clock holds overflowed it.
BOOST_AUTO_TEST_CASE(an_exp_beyond_the_clocks_range_is_malformed_not_an_overflow)
{
    auto payload = good_payload();
    payload["exp"] = 1e11;  // year ~5138: below the old 9999 cap, past the clock's 2262
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::malformed);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_tokens)
{
    auto const good = rsa_key().sign(good_payload());
    auto const two_parts = good.substr(0, good.rfind('.'));
    BOOST_TEST(error_of(two_parts) == auth::jwt_error::malformed);
    BOOST_TEST(error_of(good + ".extra") == auth::jwt_error::malformed);
    BOOST_TEST(error_of("") == auth::jwt_error::malformed);
    BOOST_TEST(error_of("..") == auth::jwt_error::malformed);

    auto const bad_base64 = "eyJhbGciOiJSUzI1NiJ9!." + good.substr(good.find('.') + 1);
    BOOST_TEST(error_of(bad_base64) == auth::jwt_error::malformed);
    auto const padded = good.substr(0, good.find('.')) + "=" + good.substr(good.find('.'));
    BOOST_TEST(error_of(padded) == auth::jwt_error::malformed);

    auto const not_json_header = justifi::core::encoding::base64url_encode("{alg: RS256") + good.substr(good.find('.'));
    BOOST_TEST(error_of(not_json_header) == auth::jwt_error::malformed);
    auto const array_header = justifi::core::encoding::base64url_encode("[\"RS256\"]") + good.substr(good.find('.'));
    BOOST_TEST(error_of(array_header) == auth::jwt_error::malformed);

    // Correctly signed but not JSON, or without a numeric exp.
    auto const header = encoded_part({{"alg", "RS256"}, {"kid", "rsa-1"}});
    auto const text_payload = header + "." + justifi::core::encoding::base64url_encode("hello");
    BOOST_TEST(error_of(text_payload + "." + rsa_key().signature(text_payload)) == auth::jwt_error::malformed);
    auto payload = good_payload();
    payload.erase("exp");
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::malformed);
    payload["exp"] = "tomorrow";
    BOOST_TEST(error_of(rsa_key().sign(payload)) == auth::jwt_error::malformed);

    // We understand no critical header extensions.
    BOOST_TEST(error_of(rsa_key().sign({{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", json::array{"b64"}}, {"b64", false}},
                                       good_payload())) == auth::jwt_error::malformed);
}

BOOST_AUTO_TEST_CASE(error_messages_say_what_is_wrong_without_echoing_the_token)
{
    auto const token = rsa_key().sign(good_payload());
    for (auto e : {auth::jwt_error::malformed, auth::jwt_error::unsupported_algorithm, auth::jwt_error::unknown_key,
                   auth::jwt_error::bad_signature, auth::jwt_error::expired, auth::jwt_error::not_yet_valid,
                   auth::jwt_error::wrong_issuer, auth::jwt_error::wrong_audience, auth::jwt_error::keys_unavailable}) {
        auto const ec = auth::make_error_code(e);
        BOOST_TEST(ec.category().name() == std::string("justifi-jwt"));
        BOOST_TEST(ec.message().find("unknown") != 0u);
        BOOST_TEST(ec.message().find(token.substr(0, 20)) == std::string::npos);
    }
    BOOST_TEST(auth::make_error_code(auth::jwt_error::wrong_audience).message().find("audience") != std::string::npos);
    // value() on a failed result throws with our category.
    auto const failed = verify(token.substr(0, 10));
    BOOST_CHECK_EXCEPTION(failed.value(), boost::system::system_error, [](boost::system::system_error const& e) {
        return e.code() == auth::make_error_code(auth::jwt_error::malformed);
    });
}

BOOST_AUTO_TEST_CASE(jwks_with_an_unsupported_key_type_skips_it)
{
    json::object const symmetric{{"kty", "oct"}, {"use", "sig"}, {"kid", "shared"}, {"k", "c2VjcmV0"}};
    auto const set = auth::parse_jwks(jwks_json({symmetric, rsa_key().jwk()}));
    BOOST_REQUIRE(set);
    BOOST_TEST(set->keys.size() == 1u);
    BOOST_TEST(set->keys.at(0).kid == "rsa-1");
    BOOST_REQUIRE(set->skipped.size() == 1u);
    BOOST_TEST(set->skipped.at(0).find("oct") != std::string::npos);
    BOOST_TEST(auth::verify_jwt(rsa_key().sign(good_payload()), *set, rules(), now).has_value());
}

BOOST_AUTO_TEST_CASE(jwks_skips_keys_not_for_signatures_and_unsupported_curves_or_algorithms)
{
    auto encryption = rsa_key().jwk();
    encryption["use"] = "enc";
    encryption["kid"] = "enc-1";
    auto rs512 = rsa_key().jwk();
    rs512["alg"] = "RS512";
    auto p384 = ec_key().jwk();
    p384["crv"] = "P-384";
    auto off_curve = ec_key().jwk();
    off_curve["y"] = off_curve.at("x");
    off_curve["kid"] = "off-curve";
    auto no_alg = ec_key().jwk();
    no_alg.erase("alg");
    no_alg["kid"] = "ec-no-alg";
    auto const set = auth::parse_jwks(jwks_json({encryption, rs512, p384, off_curve, no_alg, "not a key"}));
    BOOST_REQUIRE(set);
    BOOST_REQUIRE(set->keys.size() == 1u);
    BOOST_TEST(set->keys.at(0).kid == "ec-no-alg");  // alg is inferred from kty and crv
    BOOST_TEST(set->keys.at(0).alg == "ES256");
    BOOST_TEST(set->skipped.size() == 5u);
}

BOOST_AUTO_TEST_CASE(jwks_key_without_use_is_a_signature_key)
{
    // RFC 7517: "use" is optional; many issuers leave it out.
    auto no_use = rsa_key().jwk();
    no_use.erase("use");
    auto const set = auth::parse_jwks(jwks_json({no_use}));
    BOOST_REQUIRE(set);
    BOOST_TEST(set->keys.size() == 1u);
    BOOST_TEST(auth::verify_jwt(rsa_key().sign(good_payload()), *set, rules(), now).has_value());
}

BOOST_AUTO_TEST_CASE(jwks_rejects_short_rsa_keys)
{
    auto jwk = rsa_key().jwk();
    jwk["n"] = justifi::core::encoding::base64url_encode(std::string(128, '\xc5'));  // a 1024-bit modulus
    auto const set = auth::parse_jwks(jwks_json({jwk}));
    BOOST_REQUIRE(!set);
    BOOST_TEST(set.error().message.find("2048") != std::string::npos, set.error());
}

BOOST_AUTO_TEST_CASE(jwks_that_is_not_a_key_set_is_an_error_naming_the_problem)
{
    BOOST_TEST(auth::parse_jwks("not json").error().message.find("not a JSON object") != std::string::npos);
    BOOST_TEST(auth::parse_jwks(R"({"keys": {}})").error().message.find("\"keys\" array") != std::string::npos);
    auto const empty = auth::parse_jwks(R"({"keys": []})");
    BOOST_REQUIRE(!empty);
    BOOST_TEST(empty.error().message.find("no usable signing key") != std::string::npos);
    BOOST_TEST((empty.error().code == justifi::core::errc::unusable_document));
}

BOOST_AUTO_TEST_SUITE_END()
