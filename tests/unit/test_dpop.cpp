// Sans-io pieces of bound tokens, without sockets: DPoP proofs (RFC 9449) made by the test with
// its own keys and checked by auth::dpop; the replay cache on a clock the test moves; scope
// hierarchies; audience comparison; and the token exchange's request and answers (RFC 8693).
#include "auth/auth_stage.hpp"
#include "auth/dpop.hpp"
#include "auth/jwt.hpp"
#include "client/justifi_client.hpp"
#include "client/token_exchange.hpp"
#include "core/encoding.hpp"
#include "server/config.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace auth = justifi::auth;
namespace dpop = justifi::auth::dpop;
namespace client = justifi::client;
namespace json = boost::json;
using justifi::test::encoded_part;
using justifi::test::test_signing_key;
using namespace std::chrono_literals;

namespace justifi::auth::dpop {
std::ostream& operator<<(std::ostream& out, dpop_error e) { return out << make_error_code(e).message(); }
}  // namespace justifi::auth::dpop
namespace justifi::client {
std::ostream& operator<<(std::ostream& out, client_error e) { return out << make_error_code(e).message(); }
}  // namespace justifi::client

namespace {

constexpr char const* url = "https://mcp.justifi.ai/mcp";
constexpr char const* access_token = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";

test_signing_key const& ec_key()
{
    static auto const key = test_signing_key::p256("");
    return key;
}
test_signing_key const& rsa_key()
{
    static auto const key = test_signing_key::rsa("");
    return key;
}

// The public JWK as a proof carries it: no kid, alg or use.
json::object bare_jwk(test_signing_key const& key)
{
    auto jwk = key.jwk();
    jwk.erase("kid");
    jwk.erase("alg");
    jwk.erase("use");
    return jwk;
}

struct proof_parts {
    json::object header;
    json::object payload;
};

proof_parts good_parts(test_signing_key const& key, std::chrono::system_clock::time_point now)
{
    return {{{"typ", "dpop+jwt"}, {"alg", key.alg()}, {"jwk", bare_jwk(key)}},
            {{"jti", "e1j3V_bKic8-LAEB"},
             {"htm", "POST"},
             {"htu", url},
             {"iat", justifi::test::numeric_date(now)},
             {"ath", dpop::access_token_hash(access_token)}}};
}

dpop::proof_expectations expect(test_signing_key const& key, std::chrono::system_clock::time_point now)
{
    static std::string jkt;
    jkt = dpop::thumbprint(bare_jwk(key));
    return {.method = "POST", .url = url, .access_token = access_token, .bound_jkt = jkt, .now = now};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dpop_proof)

BOOST_AUTO_TEST_CASE(the_rfc_7638_example_key_has_the_rfc_thumbprint)
{
    json::object const jwk{
        {"kty", "RSA"},
        {"n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
              "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ"
              "vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
        {"e", "AQAB"},
        {"alg", "RS256"},
        {"kid", "2011-04-29"}};
    BOOST_TEST(dpop::thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    BOOST_TEST(dpop::thumbprint(json::object{{"kty", "oct"}, {"k", "abc"}}).empty());
    BOOST_TEST(dpop::thumbprint(json::object{{"kty", "EC"}, {"crv", "P-256"}, {"x", "a"}}).empty());
}

BOOST_AUTO_TEST_CASE(a_proof_made_with_the_bound_key_for_this_request_verifies)
{
    auto const now = std::chrono::system_clock::now();
    for (auto const* key : {&ec_key(), &rsa_key()}) {
        auto const parts = good_parts(*key, now);
        auto const verified = dpop::verify_proof(key->sign(parts.header, parts.payload), expect(*key, now));
        BOOST_TEST_REQUIRE(verified.has_value(), key->alg() << ": " << verified.error());
        BOOST_TEST(verified->jti == "e1j3V_bKic8-LAEB");
        BOOST_TEST(verified->jkt == dpop::thumbprint(bare_jwk(*key)));
    }
}

BOOST_AUTO_TEST_CASE(each_mismatch_is_refused_with_its_own_reason)
{
    auto const now = std::chrono::system_clock::now();
    auto const& key = ec_key();
    struct mutation {
        char const* what;
        void (*change)(proof_parts&);
        dpop::dpop_error expected;
    };
    mutation const mutations[] = {
        {"typ JWT", [](proof_parts& p) { p.header["typ"] = "JWT"; }, dpop::dpop_error::wrong_type},
        {"alg none", [](proof_parts& p) { p.header["alg"] = "none"; }, dpop::dpop_error::unsupported_algorithm},
        {"alg HS256", [](proof_parts& p) { p.header["alg"] = "HS256"; }, dpop::dpop_error::unsupported_algorithm},
        {"alg RS256 with an EC key", [](proof_parts& p) { p.header["alg"] = "RS256"; }, dpop::dpop_error::unusable_key},
        {"no jwk", [](proof_parts& p) { p.header.erase("jwk"); }, dpop::dpop_error::unusable_key},
        {"a private member", [](proof_parts& p) { p.header["jwk"].as_object()["d"] = "AAAA"; },
         dpop::dpop_error::unusable_key},
        {"another key's jwk", [](proof_parts& p) { p.header["jwk"] = bare_jwk(test_signing_key::p256("")); },
         dpop::dpop_error::bad_signature},
        {"htm GET", [](proof_parts& p) { p.payload["htm"] = "GET"; }, dpop::dpop_error::wrong_method},
        {"htm post", [](proof_parts& p) { p.payload["htm"] = "post"; }, dpop::dpop_error::wrong_method},
        {"htu of another path", [](proof_parts& p) { p.payload["htu"] = "https://mcp.justifi.ai/mcp/x"; },
         dpop::dpop_error::wrong_url},
        {"htu of another host", [](proof_parts& p) { p.payload["htu"] = "https://evil.example/mcp"; },
         dpop::dpop_error::wrong_url},
        {"htu over http", [](proof_parts& p) { p.payload["htu"] = "http://mcp.justifi.ai/mcp"; },
         dpop::dpop_error::wrong_url},
        {"iat 61 s ago",
         [](proof_parts& p) { p.payload["iat"] = p.payload["iat"].to_number<std::int64_t>() - 61; },
         dpop::dpop_error::stale},
        {"iat 61 s ahead",
         [](proof_parts& p) { p.payload["iat"] = p.payload["iat"].to_number<std::int64_t>() + 61; },
         dpop::dpop_error::stale},
        {"no ath", [](proof_parts& p) { p.payload.erase("ath"); }, dpop::dpop_error::wrong_token_hash},
        {"ath of another token", [](proof_parts& p) { p.payload["ath"] = dpop::access_token_hash("other"); },
         dpop::dpop_error::wrong_token_hash},
        {"no jti", [](proof_parts& p) { p.payload.erase("jti"); }, dpop::dpop_error::malformed},
        {"iat a string", [](proof_parts& p) { p.payload["iat"] = "now"; }, dpop::dpop_error::malformed},
    };
    for (auto const& m : mutations) {
        auto parts = good_parts(key, now);
        m.change(parts);
        auto const verified = dpop::verify_proof(key.sign(parts.header, parts.payload), expect(key, now));
        BOOST_TEST_CONTEXT(m.what)
        {
            BOOST_TEST_REQUIRE(!verified.has_value());
            BOOST_TEST(verified.error() == m.expected);
        }
    }
    // The token is bound to another key than the one that made the proof.
    auto const parts = good_parts(key, now);
    auto other = expect(key, now);
    auto const other_jkt = dpop::thumbprint(bare_jwk(rsa_key()));
    other.bound_jkt = other_jkt;
    auto const verified = dpop::verify_proof(key.sign(parts.header, parts.payload), other);
    BOOST_TEST_REQUIRE(!verified.has_value());
    BOOST_TEST(verified.error() == dpop::dpop_error::key_mismatch);
    for (auto const* junk : {"", "a.b", "a.b.c.d", "!!.e30.e30"})
        BOOST_TEST(dpop::verify_proof(junk, expect(key, now)).error() == dpop::dpop_error::malformed);
}

BOOST_AUTO_TEST_CASE(htu_compares_scheme_and_host_without_case_and_ignores_query_and_default_port)
{
    BOOST_TEST(dpop::same_request_url("HTTPS://MCP.Justifi.AI/mcp", url));
    BOOST_TEST(dpop::same_request_url("https://mcp.justifi.ai:443/mcp", url));
    BOOST_TEST(dpop::same_request_url("https://mcp.justifi.ai/mcp?x=1#f", url));
    BOOST_TEST(!dpop::same_request_url("https://mcp.justifi.ai/MCP", url));  // paths are case-sensitive
    BOOST_TEST(!dpop::same_request_url("https://mcp.justifi.ai:8443/mcp", url));
    BOOST_TEST(!dpop::same_request_url("https://user@mcp.justifi.ai/mcp", url));
    BOOST_TEST(!dpop::same_request_url("mcp.justifi.ai/mcp", url));
    BOOST_TEST(dpop::same_request_url("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8080/mcp"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dpop_replay)

BOOST_AUTO_TEST_CASE(a_proof_is_accepted_once_within_two_windows_and_a_full_cache_refuses)
{
    dpop::replay_cache cache(2, 60s);
    auto const t0 = dpop::replay_cache::clock::now();
    BOOST_TEST(!cache.remember("key-a", "jti-1", t0));
    BOOST_TEST(cache.remember("key-a", "jti-1", t0 + 1s) == dpop::dpop_error::replayed);
    BOOST_TEST(!cache.remember("key-b", "jti-1", t0 + 1s));  // another key's proof
    BOOST_TEST(cache.size() == 2u);
    // Full: a new proof is refused, never an old one forgotten early.
    BOOST_TEST(cache.remember("key-a", "jti-2", t0 + 2s) == dpop::dpop_error::replay_cache_full);
    BOOST_TEST(cache.remember("key-a", "jti-1", t0 + 119s) == dpop::dpop_error::replayed);
    // After two windows no proof made then can verify: forgotten, and room again.
    BOOST_TEST(!cache.remember("key-a", "jti-2", t0 + 120s));
    BOOST_TEST(!cache.remember("key-a", "jti-1", t0 + 121s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scope_hierarchy)

BOOST_AUTO_TEST_CASE(by_default_write_implies_read_when_both_are_scopes)
{
    auto const table = auth::default_scope_implications({"payments:read", "payments:write", "payouts:write",
                                                         "refunds:read", "refunds:write"});
    BOOST_TEST_REQUIRE(table.size() == 2u);  // payouts:read is not a scope here
    BOOST_TEST(table[0].broader == "payments:write");
    BOOST_TEST(table[0].narrower == "payments:read");
    BOOST_TEST(table[1].broader == "refunds:write");
    auto const granted = auth::with_implied_scopes({"payments:write"}, table);
    BOOST_TEST(granted.contains("payments:read"));
    BOOST_TEST(!granted.contains("refunds:read"));
}

BOOST_AUTO_TEST_CASE(implications_chain_through_any_number_of_steps)
{
    auth::scope_implications const table{{"admin", "payments:write"}, {"payments:write", "payments:read"}};
    auto const granted = auth::with_implied_scopes({"admin"}, table);
    BOOST_TEST(granted.size() == 3u);
    BOOST_TEST(granted.contains("payments:read"));
    // A cycle ends too.
    auth::scope_implications const cycle{{"a", "b"}, {"b", "a"}};
    BOOST_TEST(auth::with_implied_scopes({"a"}, cycle).size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_setting_takes_pairs_or_none_and_names_a_bad_entry)
{
    namespace config = justifi::server::config;
    auto const pairs = config::parse_scope_implications("payments:write>payments:read, admin>payments:write");
    BOOST_TEST_REQUIRE(pairs.has_value());
    BOOST_TEST(pairs->size() == 2u);
    BOOST_TEST((*pairs)[1].first == "admin");
    BOOST_TEST(config::parse_scope_implications("none")->empty());
    for (auto const* bad : {"payments:write", "a>b>c", ">b", "a>", "a\"b>c"}) {
        auto const refused = config::parse_scope_implications(bad);
        BOOST_TEST_REQUIRE(!refused.has_value());
        BOOST_TEST(refused.error().message.find(std::string("\"") + bad) != std::string::npos, refused.error().message);
    }
    BOOST_TEST(!config::parse_scope_implications(" , ").has_value());
}

BOOST_AUTO_TEST_CASE(split_and_join_are_inverse)
{
    auto const scopes = auth::split_scopes("  payments:read  refunds:write ");
    BOOST_TEST(scopes.size() == 2u);
    BOOST_TEST(auth::join_scopes(scopes) == "payments:read refunds:write");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audience_match)

BOOST_AUTO_TEST_CASE(case_of_scheme_and_host_and_a_trailing_slash_do_not_matter)
{
    BOOST_TEST(auth::audience_matches("https://mcp.justifi.ai/mcp", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(auth::audience_matches("HTTPS://MCP.JUSTIFI.AI/mcp", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(auth::audience_matches("https://mcp.justifi.ai/mcp/", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(auth::audience_matches("https://mcp.justifi.ai/", "https://mcp.justifi.ai"));
    BOOST_TEST(!auth::audience_matches("https://mcp.justifi.ai/MCP", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(!auth::audience_matches("https://mcp.justifi.ai/mcp//", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(!auth::audience_matches("http://mcp.justifi.ai/mcp", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(!auth::audience_matches("https://mcp.justifi.ai.evil/mcp", "https://mcp.justifi.ai/mcp"));
    BOOST_TEST(!auth::audience_matches("urn:justifi", "URN:justifi"));  // not a URL: exact
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(token_exchange_rules)

BOOST_AUTO_TEST_CASE(the_request_is_rfc_8693_with_every_value_encoded)
{
    auto const form = client::exchange_form("a.b+c/d=", "https://api.justifi.ai", "payments:read refunds:write");
    BOOST_TEST(form ==
               "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=a.b%2Bc%2Fd%3D"
               "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
               "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
               "&audience=https%3A%2F%2Fapi.justifi.ai&scope=payments%3Aread%20refunds%3Awrite");
    BOOST_TEST(client::exchange_form("t", "a", "", "urn:justifi:mcp").find("&subject_token_type=urn%3Ajustifi%3Amcp&") !=
               std::string::npos);
    // RFC 6749 section 2.3.1's example client.
    BOOST_TEST(client::basic_authorization("s6BhdRkqt3", "gX1fBat3bV") == "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
}

BOOST_AUTO_TEST_CASE(answers_become_a_token_or_whose_problem_it_is)
{
    auto const ok = client::read_exchange_answer(
        200, R"({"access_token":"jt","issued_token_type":"urn:ietf:params:oauth:token-type:access_token",)"
             R"("token_type":"Bearer","expires_in":600})");
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->access_token == "jt");
    BOOST_TEST(ok->expires_in.count() == 600);
    BOOST_TEST(client::read_exchange_answer(200, R"({"access_token":"jt","token_type":"N_A"})").error() ==
               client::client_error::exchange_unavailable);
    BOOST_TEST(client::read_exchange_answer(200, R"({"access_token":"jt","token_type":"DPoP"})").error() ==
               client::client_error::exchange_unavailable);
    BOOST_TEST(client::read_exchange_answer(400, R"({"error":"invalid_scope"})").error() ==
               client::client_error::exchange_scope_refused);
    for (auto const* error : {"invalid_grant", "invalid_target", "invalid_request"})
        BOOST_TEST(client::read_exchange_answer(400, std::string(R"({"error":")") + error + "\"}").error() ==
                   client::client_error::exchange_refused);
    // Our own client refused, or the server failing: not the caller's to fix.
    BOOST_TEST(client::read_exchange_answer(401, R"({"error":"invalid_client"})").error() ==
               client::client_error::exchange_unavailable);
    BOOST_TEST(client::read_exchange_answer(400, R"({"error":"unauthorized_client"})").error() ==
               client::client_error::exchange_unavailable);
    BOOST_TEST(client::read_exchange_answer(503, "<html>").error() == client::client_error::exchange_unavailable);
}

BOOST_AUTO_TEST_CASE(cache_keys_follow_the_subject_and_the_scopes)
{
    auto const a = client::exchange_cache_key("tok.en.sig", "payments:read");
    BOOST_TEST(a == client::exchange_cache_key("tok.en.sig", "payments:read"));
    BOOST_TEST(a != client::exchange_cache_key("tok.en.sig", "payments:write"));
    BOOST_TEST(a != client::exchange_cache_key("tok.en.sih", "payments:read"));
    BOOST_TEST(a.find("tok.en") == std::string::npos);  // a hash, never the token
}

BOOST_AUTO_TEST_CASE(an_exchanged_token_never_outlives_the_callers_token)
{
    auto const now = std::chrono::system_clock::now();
    // The shorter of the two lifetimes, less 30 s for the call that carries it.
    BOOST_TEST(client::exchanged_lifetime(3600s, now + 600s, now).count() == 570);
    BOOST_TEST(client::exchanged_lifetime(300s, now + 3600s, now).count() == 270);
    // A caller's token about to expire (or expired): a second, never a negative lifetime.
    BOOST_TEST(client::exchanged_lifetime(3600s, now + 10s, now).count() == 1);
    BOOST_TEST(client::exchanged_lifetime(3600s, now - 10s, now).count() == 1);
}

BOOST_AUTO_TEST_CASE(the_token_endpoint_comes_from_metadata_that_names_the_issuer)
{
    auto const ok = client::token_endpoint_from_metadata(
        R"({"issuer":"https://t.example/","token_endpoint":"https://t.example/oauth/token"})", "https://t.example/");
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(*ok == "https://t.example/oauth/token");
    BOOST_TEST(!client::token_endpoint_from_metadata(
                    R"({"issuer":"https://evil.example/","token_endpoint":"https://t.example/oauth/token"})",
                    "https://t.example/")
                    .has_value());
    auto const plain = client::token_endpoint_from_metadata(
        R"({"issuer":"https://t.example/","token_endpoint":"http://t.example/oauth/token"})", "https://t.example/");
    BOOST_TEST_REQUIRE(!plain.has_value());
    BOOST_TEST(plain.error().message.find("token_endpoint") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
