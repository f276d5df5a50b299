// The auth stage's sans-io core: which presented credentials become an auth
// context, which are refused (and why), and that principals never carry secrets.
#include "auth/auth_stage.hpp"
#include "auth/dpop.hpp"
#include "auth/jwks_cache.hpp"
#include "core/log.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <fstream>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace auth = justifi::auth;
namespace json = boost::json;
using justifi::test::test_signing_key;

namespace {

auth::auth_context accepted(auth::presented_credentials const& presented)
{
    auto out = auth::read_credentials(presented);
    if (!out) BOOST_FAIL("rejected: " << out.error().message);
    return *out;
}

justifi::core::refusal rejected(auth::presented_credentials const& presented)
{
    auto out = auth::read_credentials(presented);
    if (out) BOOST_FAIL("credentials were accepted");
    return out.error();
}

std::string bearer_of(auth::auth_context const& ctx)
{
    auto const* b = std::get_if<auth::bearer_token>(&ctx.credentials);
    BOOST_REQUIRE(b);
    return b->token;
}

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_stage)

BOOST_AUTO_TEST_CASE(no_credentials_is_anonymous)
{
    auto const ctx = accepted({});
    BOOST_TEST(ctx.anonymous());
    BOOST_TEST(ctx.principal() == "anonymous");
}

BOOST_AUTO_TEST_CASE(bearer_token_is_read)
{
    auto const ctx = accepted({.authorization = "Bearer abc.DEF-123_~+/=="});
    BOOST_TEST(!ctx.anonymous());
    BOOST_TEST(bearer_of(ctx) == "abc.DEF-123_~+/==");
}

BOOST_AUTO_TEST_CASE(bearer_scheme_case_insensitive)
{
    // RFC 9110: auth scheme names are case-insensitive.
    for (auto header : {"bearer tok", "BEARER tok", "BeArEr tok"})
        BOOST_TEST(bearer_of(accepted({.authorization = header})) == "tok", header);
}

BOOST_AUTO_TEST_CASE(bearer_token_surrounding_spaces_are_trimmed)
{
    BOOST_TEST(bearer_of(accepted({.authorization = "Bearer    tok  "})) == "tok");
}

BOOST_AUTO_TEST_CASE(other_schemes_are_rejected)
{
    for (auto header : {"Basic dXNlcjpwYXNz", "Token abc", "Bearerabc", "Bearer", "abc", "Bearer\tabc"}) {
        auto const r = rejected({.authorization = header});
        BOOST_TEST((r.code == justifi::core::errc::malformed_credentials), header);
        BOOST_TEST(contains(r.message, "Bearer"), header);
    }
}

BOOST_AUTO_TEST_CASE(bearer_without_valid_token_is_rejected)
{
    // Empty, whitespace inside, padding not at the end, only padding, or non-token68 characters.
    for (auto header : {"Bearer ", "Bearer    ", "Bearer a b", "Bearer a=b", "Bearer ==", "Bearer tok,en", "Bearer t\"k",
                        "Bearer t\u00e9k"}) {
        auto const r = rejected({.authorization = header});
        BOOST_TEST((r.code == justifi::core::errc::malformed_credentials), header);
        BOOST_TEST(r.message == "Authorization header has no valid bearer token", header);
    }
}

BOOST_AUTO_TEST_CASE(rejection_never_echoes_the_credential)
{
    // Descriptions go back to the client and into logs; the token must not.
    auto const r = rejected({.authorization = "Bearer secret-part other-secret-part"});
    BOOST_TEST(!contains(r.message, "secret-part"));
    auto const basic = rejected({.authorization = "Basic c2VjcmV0LWJhc2lj"});
    BOOST_TEST(!contains(basic.message, "c2VjcmV0LWJhc2lj"));
}

BOOST_AUTO_TEST_CASE(client_credentials_are_read)
{
    auto const ctx = accepted({.client_id = "client-123", .client_secret = "s3cr3t"});
    auto const* c = std::get_if<auth::client_credentials>(&ctx.credentials);
    BOOST_REQUIRE(c);
    BOOST_TEST(c->client_id == "client-123");
    BOOST_TEST(c->client_secret == "s3cr3t");
    BOOST_TEST(!ctx.anonymous());
}

BOOST_AUTO_TEST_CASE(incomplete_client_credentials_rejected)
{
    auto const id_only = rejected({.client_id = "client-123"});
    BOOST_TEST((id_only.code == justifi::core::errc::malformed_credentials));
    BOOST_TEST(contains(id_only.message, "X-Client-Id"));
    BOOST_TEST(contains(id_only.message, "X-Client-Secret"));

    auto const secret_only = rejected({.client_secret = "s3cr3t"});
    BOOST_TEST((secret_only.code == justifi::core::errc::malformed_credentials));
    BOOST_TEST(!contains(secret_only.message, "s3cr3t"));
}

BOOST_AUTO_TEST_CASE(authorization_header_takes_precedence)
{
    auto const ctx = accepted({.authorization = "Bearer tok", .client_id = "id", .client_secret = "secret"});
    BOOST_TEST(bearer_of(ctx) == "tok");
    // ...and a malformed one is not rescued by valid client credentials.
    BOOST_TEST((rejected({.authorization = "Basic x", .client_id = "id", .client_secret = "secret"}).code ==
                justifi::core::errc::malformed_credentials));
}

BOOST_AUTO_TEST_CASE(principal_never_contains_secret)
{
    auto const client = accepted({.client_id = "client-123", .client_secret = "super-secret-value"});
    BOOST_TEST(client.principal() == "client:client-123");
    BOOST_TEST(!contains(client.principal(), "super-secret-value"));

    std::string const token = "eyJhbGciOiJSUzI1NiJ9.payload.signature";
    auto const bearer = accepted({.authorization = "Bearer " + token});
    auto const principal = bearer.principal();
    BOOST_TEST(!contains(principal, token));
    BOOST_TEST(!contains(principal, "eyJ"));
    // "bearer:" and 12 hex digits: 6 bytes of SHA-256, enough to correlate log lines.
    BOOST_TEST(principal.starts_with("bearer:"));
    BOOST_TEST(principal.size() == 7u + 12u);
    BOOST_TEST(principal.find_first_not_of("0123456789abcdef", 7) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(principal_fingerprint_is_stable_and_distinguishes_tokens)
{
    auto const a1 = accepted({.authorization = "Bearer token-a"}).principal();
    auto const a2 = accepted({.authorization = "Bearer token-a"}).principal();
    auto const b = accepted({.authorization = "Bearer token-b"}).principal();
    BOOST_TEST(a1 == a2);
    BOOST_TEST(a1 != b);
    // The first 6 bytes of SHA-256("token-a"), pinned so log correlation across versions holds.
    BOOST_TEST(a1 == "bearer:a70bf50e531c");
}

BOOST_AUTO_TEST_CASE(authenticate_stage_matches_sans_io_core)
{
    asio::io_context io;
    auto fut = asio::co_spawn(io, auth::authenticate({.authorization = "Bearer tok"}), asio::use_future);
    io.run();
    auto const outcome = fut.get();
    auto const* ctx = outcome ? &*outcome : nullptr;
    BOOST_REQUIRE(ctx);
    BOOST_TEST(bearer_of(*ctx) == "tok");

    asio::io_context io2;
    auto bad = asio::co_spawn(io2, auth::authenticate({.client_id = "only-id"}), asio::use_future);
    io2.run();
    BOOST_TEST(!bad.get());
}

// ---- local validation (a JWKS file: the stage and the cache without any network)

namespace {

constexpr char const* issuer = "https://tenant.example/";
constexpr char const* api = "https://api.justifi.ai";

std::string unique_jwks_path()
{
    char name[] = "/tmp/justifi-unit-jwks-XXXXXX";
    int const fd = ::mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    ::close(fd);
    return name;
}

struct validating {
    test_signing_key key = test_signing_key::rsa("k1");
    std::string jwks_file = unique_jwks_path();
    asio::io_context io;
    // The clock the cache checks tokens against; the test moves it.
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    auth::jwks_cache keys{io.get_executor(),
                          {.source = {auth::key_source::kind::file, jwks_file},
                           .refresh_interval = std::chrono::seconds(60),
                           .now = [this] { return now; }}};
    auth::verification_rules rules{issuer, {api}};
    justifi::core::log::level saved = justifi::core::log::threshold();

    validating()
    {
        std::ofstream(jwks_file) << justifi::test::jwks_json({key.jwk()});
        justifi::core::log::set_threshold(justifi::core::log::level::off);
    }
    ~validating()
    {
        std::remove(jwks_file.c_str());
        justifi::core::log::set_threshold(saved);
    }

    std::string token(json::object changes = {}) const
    {
        auto const now = std::chrono::system_clock::now();
        json::object claims{{"iss", issuer},
                            {"sub", "auth0|u1"},
                            {"aud", api},
                            {"exp", justifi::test::numeric_date(now + std::chrono::hours(1))},
                            {"scope", "payments:read refunds:write"}};
        for (auto const& [k, v] : changes) claims[k] = v;
        return key.sign(claims);
    }

    auth::auth_outcome run(std::string const& authorization)
    {
        auth::token_validation const validation{keys, rules};
        return run_with({.authorization = authorization}, validation);
    }

    auth::auth_outcome run_with(auth::presented_credentials const& presented, auth::token_validation const& validation)
    {
        auto fut = asio::co_spawn(io, auth::authenticate(presented, &validation), asio::use_future);
        io.restart();
        io.run();
        return fut.get();
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_verified_bearer_carries_its_subject_and_scopes)
{
    validating v;
    auto const outcome = v.run("Bearer " + v.token());
    auto const* ctx = outcome ? &*outcome : nullptr;
    BOOST_REQUIRE(ctx);
    BOOST_TEST((ctx->path == auth::auth_path::bearer_verified));
    BOOST_TEST(ctx->subject == "auth0|u1");
    BOOST_TEST(ctx->principal() == "sub:auth0|u1");
    BOOST_TEST(ctx->may_use("payments:read"));
    BOOST_TEST(ctx->may_use(""));
    BOOST_TEST(!ctx->may_use("payments:write"));
    BOOST_TEST(v.keys.loads() == 1u);  // loaded on first use, then cached
    v.run("Bearer " + v.token());
    BOOST_TEST(v.keys.loads() == 1u);
}

BOOST_AUTO_TEST_CASE(a_bearer_that_fails_verification_is_an_invalid_token_rejection)
{
    validating v;
    auto const outcome = v.run("Bearer " + v.token({{"aud", "https://elsewhere.example"}}));
    BOOST_REQUIRE(!outcome);
    auto const refusal = outcome.error();
    auto const* r = &refusal;
    BOOST_TEST((r->code == justifi::core::errc::invalid_token));
    BOOST_TEST(r->message == "the token was issued for another audience than this API");
}

BOOST_AUTO_TEST_CASE(no_keys_at_all_is_verification_unavailable_not_invalid_token)
{
    validating v;
    std::remove(v.jwks_file.c_str());
    auto const outcome = v.run("Bearer " + v.token());
    BOOST_REQUIRE(!outcome);
    auto const refusal = outcome.error();
    auto const* r = &refusal;
    BOOST_TEST((r->code == justifi::core::errc::verification_unavailable));
}

BOOST_AUTO_TEST_CASE(client_credentials_and_unverified_bearers_are_untouched_by_validation)
{
    validating v;
    auth::token_validation const validation{v.keys, v.rules};
    auto fut = asio::co_spawn(v.io, auth::authenticate({.client_id = "id", .client_secret = "s"}, &validation),
                              asio::use_future);
    v.io.run();
    auto const outcome = fut.get();
    auto const* ctx = outcome ? &*outcome : nullptr;
    BOOST_REQUIRE(ctx);
    BOOST_TEST((ctx->path == auth::auth_path::client_credential_headers));
    BOOST_TEST(!ctx->granted_scopes);
    BOOST_TEST(ctx->may_use("payments:write"));  // JustiFi decides for client credentials
    BOOST_TEST(v.keys.loads() == 0u);

    auto const unverified = accepted({.authorization = "Bearer tok"});
    BOOST_TEST((unverified.path == auth::auth_path::bearer_passthrough));
    BOOST_TEST(!unverified.granted_scopes);  // nothing decided on unverified claims
}

BOOST_AUTO_TEST_CASE(a_remembered_verification_ends_with_the_key_set_it_used)
{
    validating v;
    auto const token = v.token();
    BOOST_TEST(v.run("Bearer " + token).has_value());
    BOOST_TEST(v.run("Bearer " + token).has_value());  // remembered

    // The issuer drops the key: once the keys are loaded again, the same token no longer passes.
    auto const other = test_signing_key::rsa("k2");
    std::ofstream(v.jwks_file) << justifi::test::jwks_json({other.jwk()});
    auto loaded = asio::co_spawn(v.io, v.keys.load(), asio::use_future);
    v.io.restart();
    v.io.run();
    BOOST_TEST(static_cast<bool>(loaded.get()));
    auto const outcome = v.run("Bearer " + token);
    BOOST_REQUIRE(!outcome);
    auto const refusal = outcome.error();
    auto const* r = &refusal;
    BOOST_TEST((r->code == justifi::core::errc::invalid_token));
}

BOOST_AUTO_TEST_CASE(a_remembered_verification_ends_when_the_token_expires)
{
    validating v;
    // Past exp but inside the 60 s clock skew for 1 to 2 more seconds (exp is whole seconds).
    auto const token = v.token({{"exp", justifi::test::numeric_date(v.now - std::chrono::seconds(58))}});
    BOOST_TEST(v.run("Bearer " + token).has_value());
    v.now += std::chrono::milliseconds(2100);
    auto const outcome = v.run("Bearer " + token);
    BOOST_REQUIRE(!outcome);
    auto const refusal = outcome.error();
    auto const* r = &refusal;
    BOOST_TEST(r->message == "the token has expired; get a new one");
}

BOOST_AUTO_TEST_CASE(issuer_metadata_is_looked_for_where_rfc_8414_and_openid_discovery_put_it)
{
    BOOST_TEST(auth::issuer_metadata_urls("https://justifi.us.auth0.com/") ==
                   (std::vector<std::string>{"https://justifi.us.auth0.com/.well-known/oauth-authorization-server",
                                             "https://justifi.us.auth0.com/.well-known/openid-configuration"}),
               boost::test_tools::per_element());
    BOOST_TEST(auth::issuer_metadata_urls("https://login.example:8443/tenant-1") ==
                   (std::vector<std::string>{"https://login.example:8443/.well-known/oauth-authorization-server/tenant-1",
                                             "https://login.example:8443/tenant-1/.well-known/openid-configuration"}),
               boost::test_tools::per_element());
    BOOST_TEST(auth::issuer_metadata_urls("not a url").empty());
}

BOOST_AUTO_TEST_CASE(jwks_uri_comes_only_from_metadata_that_names_the_issuer_and_an_https_uri)
{
    auto const good = auth::jwks_uri_from_metadata(
        R"({"issuer":"https://t.example/","jwks_uri":"https://t.example/.well-known/jwks.json"})", "https://t.example/");
    BOOST_REQUIRE(good);
    BOOST_TEST(*good == "https://t.example/.well-known/jwks.json");
    BOOST_TEST(static_cast<bool>(auth::jwks_uri_from_metadata(
        R"({"issuer":"http://127.0.0.1:9/","jwks_uri":"http://127.0.0.1:9/jwks"})", "http://127.0.0.1:9/")));

    auto const other = auth::jwks_uri_from_metadata(R"({"issuer":"https://evil.example/","jwks_uri":"https://e/j"})",
                                                    "https://t.example/");
    BOOST_REQUIRE(!other);
    BOOST_TEST(contains(other.error().message, "names issuer \"https://evil.example/\""));
    auto const plain = auth::jwks_uri_from_metadata(R"({"issuer":"https://t.example/","jwks_uri":"http://t.example/j"})",
                                                    "https://t.example/");
    BOOST_REQUIRE(!plain);
    BOOST_TEST(contains(plain.error().message, "not an https:// URL"));
    BOOST_TEST((plain.error().code == justifi::core::errc::unusable_document));
    for (auto const* hostless : {"https:/keys", "https:keys", "https:///keys"}) {
        auto const refused = auth::jwks_uri_from_metadata(
            R"({"issuer":"https://t.example/","jwks_uri":")" + std::string(hostless) + R"("})", "https://t.example/");
        BOOST_TEST(!refused, hostless);
    }
    BOOST_TEST(!auth::jwks_uri_from_metadata(R"({"issuer":"https://t.example/"})", "https://t.example/"));
    BOOST_TEST(!auth::jwks_uri_from_metadata("[1,2]", "https://t.example/"));
}

BOOST_AUTO_TEST_CASE(the_timed_jwks_reload_follows_max_age_within_its_bounds)
{
    auth::jwks_cache_settings settings;
    settings.min_refresh = std::chrono::minutes(5);
    settings.max_refresh = std::chrono::hours(1);
    using std::chrono::seconds;
    BOOST_TEST(auth::timed_refresh_interval(seconds(900), settings).count() == 900);
    BOOST_TEST(auth::timed_refresh_interval(seconds(15), settings).count() == 300);  // Auth0's 15 s: not that often
    BOOST_TEST(auth::timed_refresh_interval(seconds(0), settings).count() == 300);
    BOOST_TEST(auth::timed_refresh_interval(seconds(86400), settings).count() == 3600);
    BOOST_TEST(auth::timed_refresh_interval(std::nullopt, settings).count() == 3600);
    settings.max_refresh = std::chrono::minutes(1);  // below the floor: the floor wins
    BOOST_TEST(auth::timed_refresh_interval(std::nullopt, settings).count() == 300);
}

BOOST_AUTO_TEST_CASE(a_broader_scope_grants_the_narrower_ones_it_implies)
{
    validating v;
    auth::scope_implications const table{{"refunds:write", "refunds:read"}, {"payments:write", "payments:read"}};
    auth::token_validation const validation{v.keys, v.rules, &table};
    auto const outcome = v.run_with({.authorization = "Bearer " + v.token()}, validation);
    BOOST_REQUIRE(outcome);
    BOOST_TEST(outcome->may_use("refunds:read"));   // implied by refunds:write
    BOOST_TEST(!outcome->may_use("payments:write"));
    BOOST_TEST(outcome->token_expires_at.has_value());
}

namespace {

// A proof for POST https://mcp.justifi.ai/mcp with `token`, made with `key` (RFC 9449 section 4).
std::string dpop_proof(test_signing_key const& key, std::string const& token, std::string const& jti)
{
    auto jwk = key.jwk();
    jwk.erase("kid");
    jwk.erase("use");
    json::object const header{{"typ", "dpop+jwt"}, {"alg", key.alg()}, {"jwk", jwk}};
    json::object const payload{{"jti", jti},
                               {"htm", "POST"},
                               {"htu", "https://mcp.justifi.ai/mcp"},
                               {"iat", justifi::test::numeric_date(std::chrono::system_clock::now())},
                               {"ath", auth::dpop::access_token_hash(token)}};
    return key.sign(header, payload);
}

}  // namespace

BOOST_AUTO_TEST_CASE(dpop_bound_tokens_need_the_dpop_scheme_and_a_fresh_proof_by_their_key)
{
    validating v;
    auto const client_key = test_signing_key::p256("");
    auto jwk = client_key.jwk();
    auto const jkt = auth::dpop::thumbprint(jwk);
    auto const bound = v.token({{"cnf", json::object{{"jkt", jkt}}}});
    auth::dpop::replay_cache replays(100, std::chrono::seconds(60));
    auth::dpop_policy const policy{.replays = replays};
    auth::token_validation const validation{v.keys, v.rules, nullptr, &policy};
    auto const with = [&](std::string authorization, std::string proof, std::size_t proofs = 1) {
        return v.run_with({.authorization = authorization,
                           .dpop_proof = proof,
                           .dpop_proof_count = proof.empty() ? 0 : proofs,
                           .method = "POST",
                           .request_url = "https://mcp.justifi.ai/mcp"},
                          validation);
    };
    auto const ok = with("DPoP " + bound, dpop_proof(client_key, bound, "p1"));
    BOOST_REQUIRE(ok);
    BOOST_TEST(std::get<auth::bearer_token>(ok->credentials).dpop);
    BOOST_TEST((ok->path == auth::auth_path::bearer_verified));

    auto const code_of = [](auth::auth_outcome const& o) { return o ? justifi::core::errc{} : o.error().code; };
    using justifi::core::errc;
    BOOST_TEST((code_of(with("DPoP " + bound, dpop_proof(client_key, bound, "p1"))) == errc::invalid_dpop_proof));
    BOOST_TEST((code_of(with("DPoP " + bound, "")) == errc::invalid_dpop_proof));
    BOOST_TEST((code_of(with("DPoP " + bound, dpop_proof(client_key, bound, "p2"), 2)) == errc::invalid_dpop_proof));
    BOOST_TEST((code_of(with("DPoP " + bound, dpop_proof(test_signing_key::p256(""), bound, "p3"))) ==
                errc::invalid_dpop_proof));
    BOOST_TEST((code_of(with("Bearer " + bound, "")) == errc::invalid_token));  // bound, but sent as Bearer
    auto const unbound = v.token();
    BOOST_TEST((code_of(with("DPoP " + unbound, dpop_proof(client_key, unbound, "p4"))) == errc::invalid_token));
    BOOST_TEST(static_cast<bool>(with("Bearer " + unbound, "")));  // Bearer stays accepted unless required

    auth::dpop_policy const required{.replays = replays, .required = true};
    auth::token_validation const strict{v.keys, v.rules, nullptr, &required};
    auto const refused = v.run_with({.authorization = "Bearer " + unbound}, strict);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == errc::invalid_token));
    BOOST_TEST(refused.error().message.find("only DPoP-bound") != std::string::npos);

    // Where DPoP is not accepted at all (passthrough), the scheme is refused as unreadable.
    auth::token_validation const no_dpop{v.keys, v.rules};
    BOOST_TEST((code_of(v.run_with({.authorization = "DPoP " + bound}, no_dpop)) == errc::malformed_credentials));
}

BOOST_AUTO_TEST_SUITE_END()
