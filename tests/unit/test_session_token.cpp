// Mcp-Session-Id tokens: what verify() accepts (our own, unexpired tokens, on any
// replica with the same secret) and how it classifies everything else.
#include "mcp/session_token.hpp"

#include "core/encoding.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <string>

using namespace std::chrono_literals;
using justifi::core::errc;
using justifi::mcp::session_codec;

namespace {

constexpr std::string_view secret = "an-operator-secret-of-at-least-32-chars!";
constexpr std::string_view other_secret = "a-different-secret-of-at-least-32-chars!";

// A fixed instant keeps the tests independent of the wall clock.
session_codec::clock::time_point const t0{std::chrono::seconds(1'750'000'000)};
// Whom a session was opened for: auth_context::principal() of the initialize request.
constexpr std::string_view principal = "sub:auth0|user-42";

// errc values as printable error codes, so BOOST_TEST can show both sides.
boost::system::error_code code(errc e) { return justifi::core::make_error_code(e); }

boost::system::error_code error_of(justifi::core::result<justifi::mcp::session_claims> const& r)
{
    BOOST_REQUIRE(!r.has_value());
    return r.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_token)

BOOST_AUTO_TEST_CASE(round_trips_version)
{
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-06-18", principal, t0);
    auto const claims = codec.verify(token, principal, t0 + 10s);
    BOOST_REQUIRE(claims.has_value());
    BOOST_TEST(claims->protocol_version == "2025-06-18");
    BOOST_TEST((claims->issued_at == t0));
}

BOOST_AUTO_TEST_CASE(issued_at_is_truncated_to_seconds)
{
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0 + 750ms);
    auto const claims = codec.verify(token, principal, t0 + 1s);
    BOOST_REQUIRE(claims.has_value());
    BOOST_TEST((claims->issued_at == t0));
}

BOOST_AUTO_TEST_CASE(tokens_are_unique_per_issue)
{
    // A random nonce: two sessions opened in the same second are still distinct.
    session_codec codec(secret, 3600s);
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) seen.insert(codec.issue("2025-11-25", principal, t0));
    BOOST_TEST(seen.size() == 50u);
}

BOOST_AUTO_TEST_CASE(token_is_header_safe)
{
    // The token travels in an HTTP header: only base64url characters and one dot.
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0);
    BOOST_TEST(token.size() <= 512u);
    BOOST_TEST(std::count(token.begin(), token.end(), '.') == 1);
    for (char c : token)
        BOOST_TEST((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'), "char " << c);
}

BOOST_AUTO_TEST_CASE(token_from_replica_with_same_secret_is_accepted)
{
    // Replicas share MCP_SESSION_SECRET and nothing else.
    session_codec issuer(secret, 3600s);
    session_codec replica(secret, 3600s);
    auto const claims = replica.verify(issuer.issue("2025-03-26", principal, t0), principal, t0);
    BOOST_REQUIRE(claims.has_value());
    BOOST_TEST(claims->protocol_version == "2025-03-26");
}

BOOST_AUTO_TEST_CASE(a_session_is_refused_for_anyone_but_the_principal_who_opened_it)
{
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0);
    BOOST_TEST(codec.verify(token, principal, t0).has_value());
    for (auto const* other : {"sub:auth0|user-43", "client:test_abc", "bearer:0123456789ab", "", "sub:auth0|user-42 "})
        BOOST_TEST(error_of(codec.verify(token, other, t0)) == code(errc::session_forged), other);
    // Nothing of the principal is in the token itself.
    auto const payload = justifi::core::encoding::base64url_decode(token.substr(0, token.find('.')));
    BOOST_REQUIRE(payload.has_value());
    BOOST_TEST(payload->find("user-42") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(token_from_other_secret_is_rejected)
{
    session_codec ours(secret, 3600s);
    session_codec theirs(other_secret, 3600s);
    BOOST_TEST(error_of(ours.verify(theirs.issue("2025-11-25", principal, t0), principal, t0)) == code(errc::session_forged));
}

BOOST_AUTO_TEST_CASE(forged_token_is_rejected)
{
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0);
    auto const dot = token.find('.');

    // Swap the payload for one claiming another version, keeping the old MAC.
    auto const forged_payload =
        justifi::core::encoding::base64url_encode("v1|2024-11-05|" + std::to_string(1'750'000'000) + "|00");
    BOOST_TEST(error_of(codec.verify(forged_payload + token.substr(dot), principal, t0)) == code(errc::session_forged));

    // Flip one character of the MAC.
    auto tampered = token;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    BOOST_TEST(error_of(codec.verify(tampered, principal, t0)) == code(errc::session_forged));

    // Flip one character of the payload.
    auto tampered_payload = token;
    tampered_payload[0] = tampered_payload[0] == 'A' ? 'B' : 'A';
    BOOST_TEST(error_of(codec.verify(tampered_payload, principal, t0)) == code(errc::session_forged));

    // Drop the MAC altogether.
    BOOST_TEST(error_of(codec.verify(token.substr(0, dot + 1), principal, t0)) == code(errc::session_forged));
}

BOOST_AUTO_TEST_CASE(secret_is_not_used_raw_as_mac_key)
{
    // Someone who knows the secret but signs with it directly must not succeed:
    // the codec derives its MAC key from the secret.
    session_codec codec(secret, 3600s);
    auto const payload = justifi::core::encoding::base64url_encode("v1|2025-11-25|1750000000|00");
    auto const raw_mac = justifi::core::encoding::hmac_sha256(secret, payload);
    auto const mac = justifi::core::encoding::base64url_encode({reinterpret_cast<char const*>(raw_mac.data()), raw_mac.size()});
    BOOST_TEST(error_of(codec.verify(payload + "." + mac, principal, t0)) == code(errc::session_forged));
}

BOOST_AUTO_TEST_CASE(expired_token_is_rejected)
{
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0);
    // Exactly at the TTL it is still valid; one second past it is not.
    BOOST_TEST(codec.verify(token, principal, t0 + 3600s).has_value());
    BOOST_TEST(error_of(codec.verify(token, principal, t0 + 3601s)) == code(errc::session_expired));
    BOOST_TEST(error_of(codec.verify(token, principal, t0 + 48h)) == code(errc::session_expired));
}

BOOST_AUTO_TEST_CASE(token_from_the_near_future_is_accepted_within_skew)
{
    // Another replica's clock may be a little ahead of ours.
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0 + 60s);
    BOOST_TEST(codec.verify(token, principal, t0).has_value());
}

BOOST_AUTO_TEST_CASE(token_from_the_far_future_is_rejected)
{
    session_codec codec(secret, 3600s);
    auto const token = codec.issue("2025-11-25", principal, t0 + 61s);
    BOOST_TEST(error_of(codec.verify(token, principal, t0)) == code(errc::session_malformed));
}

BOOST_AUTO_TEST_CASE(empty_token_is_missing)
{
    session_codec codec(secret, 3600s);
    BOOST_TEST(error_of(codec.verify("", principal, t0)) == code(errc::session_missing));
}

BOOST_AUTO_TEST_CASE(malformed_tokens_are_rejected)
{
    session_codec codec(secret, 3600s);
    BOOST_TEST(error_of(codec.verify("no-dot-here", principal, t0)) == code(errc::session_malformed));
    // Longer than any token we issue: refused before any MAC work.
    BOOST_TEST(error_of(codec.verify(std::string(513, 'a') + ".b", principal, t0)) == code(errc::session_malformed));
}

BOOST_AUTO_TEST_CASE(validly_signed_but_malformed_payloads_are_rejected)
{
    // Sign payloads with the codec's derived key (as a bug in issue() might) to reach
    // the checks that run after the MAC: structure, tag and timestamp.
    auto const derived = justifi::core::encoding::hmac_sha256(secret, "justifi-mcp session key v1");
    std::string const key(reinterpret_cast<char const*>(derived.data()), derived.size());
    auto sign = [&](std::string_view payload) {
        auto const encoded = justifi::core::encoding::base64url_encode(payload);
        auto const mac = justifi::core::encoding::hmac_sha256(key, encoded + "\n" + std::string(principal));
        return encoded + "." + justifi::core::encoding::base64url_encode({reinterpret_cast<char const*>(mac.data()), mac.size()});
    };
    session_codec codec(secret, 3600s);

    // The helper does reproduce the real signature: a well-formed payload verifies.
    BOOST_REQUIRE(codec.verify(sign("v2|2025-11-25|1750000000|ab"), principal, t0).has_value());

    // v1 sessions were bound to nobody: no longer accepted, even with a valid MAC.
    BOOST_TEST(error_of(codec.verify(sign("v1|2025-11-25|1750000000|ab"), principal, t0)) == code(errc::session_malformed));
    BOOST_TEST(error_of(codec.verify(sign("v3|2025-11-25|1750000000|ab"), principal, t0)) == code(errc::session_malformed));
    BOOST_TEST(error_of(codec.verify(sign("v2|2025-11-25|1750000000"), principal, t0)) == code(errc::session_malformed));
    BOOST_TEST(error_of(codec.verify(sign("v2|2025-11-25|1750000000|ab|extra"), principal, t0)) == code(errc::session_malformed));
    BOOST_TEST(error_of(codec.verify(sign("v2|2025-11-25|17500x0000|ab"), principal, t0)) == code(errc::session_malformed));
    BOOST_TEST(error_of(codec.verify(sign("v2|2025-11-25||ab"), principal, t0)) == code(errc::session_malformed));
}

BOOST_AUTO_TEST_CASE(error_codes_have_actionable_messages)
{
    BOOST_TEST(justifi::core::make_error_code(errc::session_missing).message().find("Mcp-Session-Id") != std::string::npos);
    BOOST_TEST(justifi::core::make_error_code(errc::session_expired).message().find("initialize") != std::string::npos);
    BOOST_TEST(std::string(justifi::core::make_error_code(errc::session_forged).category().name()) == "justifi-mcp");
}

BOOST_AUTO_TEST_CASE(time_to_live_is_reported)
{
    BOOST_TEST(session_codec(secret, 90s).time_to_live().count() == 90);
}

BOOST_AUTO_TEST_SUITE_END()
