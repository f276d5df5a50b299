// Bearer JWTs end to end (a key made by the test, its JWKS given to the simulator, tokens
// passed through the real product), and retried POSTs proven to reuse their Idempotency-Key
// by an answer the simulator computes, keeps, and never sends (drop_after_first).
#include "tests/support/document_host.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/test/unit_test.hpp>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr char const* issuer = "https://auth.test.example/";
constexpr char const* audience = "https://api.justifi.ai/v1";
constexpr char const* jwks_path = "/.well-known/jwks.json";

// An issuer of the test's own: a signing key, its JWKS in a temp dir, and tokens.
struct token_issuer {
    std::string dir = make_temp_dir();
    test_signing_key key = test_signing_key::rsa("test-rsa-1");

    token_issuer() { write_file(jwks_file(), jwks_json({key.jwk()})); }
    ~token_issuer() { remove_tree(dir); }
    token_issuer(token_issuer const&) = delete;
    token_issuer& operator=(token_issuer const&) = delete;

    std::string jwks_file() const { return dir + "/jwks.json"; }

    static json::object claims(json::object changes = {})
    {
        auto const now = std::chrono::system_clock::now();
        json::object payload{{"iss", issuer},
                             {"sub", "test-client@clients"},
                             {"aud", audience},
                             {"iat", numeric_date(now - 1min)},
                             {"exp", numeric_date(now + 1h)},
                             {"scope", "read:payments"}};
        for (auto const& [name, value] : changes) payload[name] = value;
        return payload;
    }
    std::string token(json::object changes = {}) const { return key.sign(claims(std::move(changes))); }

    // Flags that make the simulator accept this issuer's tokens.
    std::vector<std::string> mock_args() const
    {
        return {"--jwks-file", jwks_file(), "--jwt-issuer", issuer, "--jwt-audience", audience};
    }
};

header_list bearer(std::string const& token) { return {{"Authorization", "Bearer " + token}}; }

std::int64_t stat(mock_server const& mock, std::string const& name)
{
    return mock.stats().at(name).to_number<std::int64_t>();
}

// justifi-mcp with no credentials of its own: each MCP request brings its bearer token.
struct passthrough_stack {
    http_server mcp;
    mcp_session session;

    passthrough_stack(mock_server const& mock, std::string const& token)
        : mcp({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}},
               .unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"}},
              product_binary),
          session(mcp_session::open(mcp.port, "2025-11-25", bearer(token)))
    {
    }

    json::object list_payments(std::string const& token, std::int64_t id = 1) const
    {
        auto const response =
            session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 2}}}}, id, bearer(token));
        BOOST_REQUIRE_MESSAGE(response.as_object().contains("result"), json::serialize(response));
        return response.at("result").as_object();
    }
};

std::string mock_token(mock_server const& mock)
{
    auto const issued = mock.request("POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                     R"({"client_id":"test_client_id","client_secret":"test_client_secret"})");
    return std::string(issued.json().at("access_token").as_string());
}

json::object payment_body(std::string const& description)
{
    return {{"amount", 1234},
            {"currency", "usd"},
            {"capture_strategy", "automatic"},
            {"description", description},
            {"payment_method", {{"token", "pm_test_visa"}}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bearer_and_replay)

BOOST_AUTO_TEST_CASE(a_bearer_jwt_the_simulator_verifies_is_passed_through_with_no_token_request)
{
    token_issuer auth;
    mock_server mock(auth.mock_args());
    auto const token = auth.token();
    passthrough_stack stack(mock, token);
    auto const result = stack.list_payments(token);
    BOOST_REQUIRE_MESSAGE(!is_error(result), json::serialize(result));
    BOOST_TEST(result.at("structuredContent").at("data").as_array().size() == 2u);
    BOOST_TEST(stat(mock, "token_requests") == 0);
    BOOST_TEST(stat(mock, "jwt_requests") == 1);
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 1);
}

BOOST_AUTO_TEST_CASE(a_token_justifi_refuses_is_answered_with_http_401_invalid_token_so_the_client_signs_in_again)
{
    // JUSTIFI_OAUTH_VALIDATION=none (the fixture's default): only JustiFi judges the token.
    token_issuer auth;
    mock_server mock(auth.mock_args());
    passthrough_stack stack(mock, auth.token());

    auto const now = std::chrono::system_clock::now();
    std::int64_t id = 1;
    for (auto const& refused : {auth.token({{"aud", json::array{"https://other.example/api"}}}),
                                auth.token({{"iat", numeric_date(now - 2h)}, {"exp", numeric_date(now - 10min)}})}) {
        // Unverified, a token is its own principal: each opens its own session (only JustiFi refuses it).
        auto const session = mcp_session::open(stack.mcp.port, "2025-11-25", bearer(refused));
        auto const res = session.post(
            json::parse(rpc(id++, "tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 2}}}})),
            bearer(refused));
        BOOST_TEST(res.status == 401, res.body);
        BOOST_TEST(res.header("WWW-Authenticate") ==
                   "Bearer error=\"invalid_token\", scope=\"" + default_scopes() +
                       "\", resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource\", "
                       "error_description=\"JustiFi rejected the access token; refresh it or sign in again\"");
        BOOST_TEST(res.json().at("error").at("message").as_string().find("JustiFi rejected the access token") !=
                   json::string::npos);
        BOOST_TEST(res.body.find(refused.substr(0, 30)) == std::string::npos);
    }

    BOOST_TEST(stat(mock, "jwt_requests") == 0);
    BOOST_TEST(stat(mock, "token_requests") == 0);
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 2);  // a bearer token's 401 is not retried
}

BOOST_AUTO_TEST_CASE(simulator_serves_verified_jwts_as_the_platform_account_and_refuses_the_rest_in_justifis_envelope)
{
    token_issuer auth;
    auto const ec_key = test_signing_key::p256("test-ec-1");
    write_file(auth.jwks_file(), jwks_json({auth.key.jwk(), ec_key.jwk()}));
    mock_server mock(auth.mock_args());

    // The platform account: the same sub accounts as with the mock's own token, and Sub-Account scoping.
    auto const with_jwt = mock.request("GET", "/v1/sub_accounts?limit=100", bearer(auth.token()));
    auto const with_own_token = mock.request("GET", "/v1/sub_accounts?limit=100", bearer(mock_token(mock)));
    BOOST_REQUIRE_EQUAL(with_jwt.status, 200);
    BOOST_TEST(with_jwt.json().at("data") == with_own_token.json().at("data"));
    auto const account = std::string(with_jwt.json().at("data").at(0).at("id").as_string());
    auto const es256 = ec_key.sign(token_issuer::claims());
    auto scoped_headers = bearer(es256);
    scoped_headers.emplace_back("Sub-Account", account);
    auto const scoped = mock.request("GET", "/v1/payments?limit=5", scoped_headers);
    BOOST_REQUIRE_EQUAL(scoped.status, 200);
    auto const scoped_body = scoped.json();  // named: never range-for over a temporary's member
    for (auto const& payment : scoped_body.at("data").as_array())
        BOOST_TEST(payment.at("account_id") == json::value(account));

    auto const good = auth.token();
    auto const dot = good.find('.');
    auto const tampered = good.substr(0, dot + 1) + encoded_part(token_issuer::claims({{"sub", "intruder"}})) +
                          good.substr(good.find('.', dot + 1));
    auto const hs256 = encoded_part({{"alg", "HS256"}, {"kid", "test-rsa-1"}}) + "." +
                       encoded_part(token_issuer::claims()) + ".c2lnbmF0dXJl";
    auto const stranger = test_signing_key::rsa("test-rsa-1").sign(token_issuer::claims());  // same kid, other key
    for (auto const& [token, reason] : std::vector<std::pair<std::string, std::string>>{
             {tampered, "signature"},
             {hs256, "algorithm"},
             {stranger, "signature"},
             {auth.token({{"iss", "https://evil.example/"}}), "issuer"},
             {"not-a-jwt", "invalid or has expired"}}) {
        auto const refused = mock.request("GET", "/v1/payments?limit=1", bearer(token));
        BOOST_TEST(refused.status == 401, reason);
        auto const error = refused.json().at("error");
        BOOST_TEST(error.at("code") == "not_authenticated", reason);
        BOOST_TEST(std::string(error.at("message").as_string()).find(reason) != std::string::npos,
                   error.at("message").as_string());
        BOOST_TEST(std::string(error.at("message").as_string()).find(token.substr(0, 16)) == std::string::npos);
    }
    BOOST_TEST(stat(mock, "jwt_requests") == 2);

    // Without a JWKS the simulator takes only its own tokens.
    mock_server plain;
    BOOST_TEST(plain.request("GET", "/v1/payments?limit=1", bearer(auth.token())).status == 401);
}

BOOST_AUTO_TEST_CASE(jwks_url_over_https_is_fetched_at_start_and_again_when_a_rotated_kid_arrives)
{
    mock_server certificate_source(serve_https);  // a CA, and a certificate for 127.0.0.1 it signs
    auto const old_key = test_signing_key::rsa("old");
    auto const new_key = test_signing_key::p256("new");
    document_host host(certificate_source.tls_dir + "/cert.pem", certificate_source.tls_dir + "/key.pem");
    host.publish(jwks_path, jwks_json({old_key.jwk()}));
    mock_server mock({"--jwks-url", host.origin() + jwks_path, "--jwks-ca-file", certificate_source.ca_file(), "--jwks-refresh-interval",
                      "0", "--jwt-issuer", issuer, "--jwt-audience", audience});
    BOOST_TEST(host.requests() == 1);
    BOOST_TEST(mock.request("GET", "/v1/payments?limit=1", bearer(old_key.sign(token_issuer::claims()))).status == 200);
    BOOST_TEST(host.requests() == 1);  // a known kid fetches nothing

    host.publish(jwks_path, jwks_json({old_key.jwk(), new_key.jwk()}));
    auto const rotated = mock.request("GET", "/v1/payments?limit=1", bearer(new_key.sign(token_issuer::claims())));
    BOOST_TEST(rotated.status == 200, rotated.body);
    BOOST_TEST(host.requests() == 2);
    BOOST_TEST(stat(mock, "jwks_loads") == 2);
}

BOOST_AUTO_TEST_CASE(unknown_kids_do_not_refetch_the_jwks_within_the_refresh_interval)
{
    auto const old_key = test_signing_key::rsa("old");
    auto const new_key = test_signing_key::p256("new");
    document_host host;
    host.publish(jwks_path, jwks_json({old_key.jwk()}));
    mock_server mock({"--jwks-url", host.origin() + jwks_path, "--jwt-issuer", issuer, "--jwt-audience", audience});  // 60 s
    // The first unknown kid loads the JWKS again (a rotation may have happened since the start)...
    auto const stranger = test_signing_key::rsa("stranger");
    BOOST_TEST(mock.request("GET", "/v1/payments?limit=1", bearer(stranger.sign(token_issuer::claims()))).status == 401);
    BOOST_TEST(host.requests() == 2);
    // ...and within the interval nothing more is loaded, even for a kid the issuer now has.
    host.publish(jwks_path, jwks_json({old_key.jwk(), new_key.jwk()}));
    for (int i = 0; i < 3; ++i) {
        auto const refused = mock.request("GET", "/v1/payments?limit=1", bearer(new_key.sign(token_issuer::claims())));
        BOOST_TEST(refused.status == 401);
        BOOST_TEST(refused.json().at("error").at("message").as_string().find("kid") != json::string::npos);
    }
    BOOST_TEST(host.requests() == 2);
}

BOOST_AUTO_TEST_CASE(jwt_options_are_refused_with_a_message_when_incomplete_or_unusable)
{
    token_issuer auth;
    auto const run = [](std::vector<std::string> args) {
        child_process p(mock_binary, mock_server::with_port(std::move(args)));
        auto const status = p.wait(20s);
        p.wait_for_output_end(5s);
        return std::make_pair(status.value_or(-1), p.stderr_text());
    };
    auto const no_audience = run({"--jwks-file", auth.jwks_file(), "--jwt-issuer", issuer});
    BOOST_TEST(no_audience.first == 2);
    BOOST_TEST(no_audience.second.find("--jwt-audience") != std::string::npos, no_audience.second);

    auto const plain_http = run({"--jwks-url", "http://issuer.example/jwks.json", "--jwt-issuer", issuer,
                                 "--jwt-audience", audience});
    BOOST_TEST(plain_http.first == 2);
    BOOST_TEST(plain_http.second.find("loopback") != std::string::npos, plain_http.second);

    write_file(auth.jwks_file(), R"({"keys":[{"kty":"oct","use":"sig","k":"c2VjcmV0"}]})");
    auto const unusable = run(auth.mock_args());
    BOOST_TEST(unusable.first == 1);
    BOOST_TEST(unusable.second.find("no usable signing key") != std::string::npos, unusable.second);
}

BOOST_AUTO_TEST_CASE(drop_after_first_processes_the_request_closes_unanswered_and_the_retry_replays_it)
{
    mock_server mock;
    auto const token = mock_token(mock);
    auto const accounts = mock.request("GET", "/v1/sub_accounts", bearer(token));
    auto const account = std::string(accounts.json().at("data").at(0).at("id").as_string());
    mock.set_faults({{"drop_after_first", 1}});
    BOOST_TEST(mock.request("GET", "/__mock/faults").json().at("drop_after_first") == 1);

    auto headers = bearer(token);
    headers.insert(headers.end(), {{"Sub-Account", account}, {"Idempotency-Key", "replay-" + std::to_string(::getpid())},
                                   {"Content-Type", "application/json"}});
    auto const body = json::serialize(payment_body("dropped-answer"));
    BOOST_CHECK_THROW(mock.request("POST", "/v1/payments", headers, body), std::exception);

    auto const retried = mock.request("POST", "/v1/payments", headers, body);
    BOOST_TEST(retried.status == 201, retried.body);
    BOOST_TEST(retried.header("Idempotent-Replayed") == "true");
    auto const stats = mock.stats();
    BOOST_TEST(stats.at("idempotent_replays") == 1);
    BOOST_TEST(stats.at("faults_injected").at("dropped_after_processing") == 1);
    BOOST_TEST(mock.request("GET", "/__mock/faults").json().at("drop_after_first") == 0);
}

BOOST_AUTO_TEST_CASE(a_payment_whose_answer_was_lost_is_retried_with_the_same_idempotency_key_and_charged_once)
{
    mock_server mock;
    http_server mcp(against(mock, {.env = {{"MCP_AUTH", "none"}}}), product_binary);
    auto const session = mcp_session::open(mcp.port);
    auto const call_tool = [&](std::string const& name, json::object arguments) {
        auto const response = session.call("tools/call", {{"name", name}, {"arguments", std::move(arguments)}});
        BOOST_REQUIRE_MESSAGE(response.as_object().contains("result"), json::serialize(response));
        return response.at("result").as_object();
    };
    auto const accounts = call_tool("list_sub_accounts", {});
    auto const account = std::string(accounts.at("structuredContent").at("data").at(0).at("id").as_string());
    mock.reset_stats();
    mock.set_faults({{"drop_after_first", 1}});

    auto const description = "charged-once-" + std::to_string(::getpid());
    auto arguments = payment_body(description);
    arguments["sub_account_id"] = account;
    auto const created = call_tool("create_payment", arguments);
    BOOST_REQUIRE_MESSAGE(!is_error(created), text_of(created));
    BOOST_TEST(mock.requests_to("POST /v1/payments") == 2);
    auto const stats = mock.stats();
    BOOST_TEST(stats.at("idempotent_replays") == 1);
    BOOST_TEST(stats.at("faults_injected").at("dropped_after_processing") == 1);

    auto const listed = call_tool("list_payments", {{"limit", 100}, {"sub_account_id", account}});
    int charged = 0;
    for (auto const& payment : listed.at("structuredContent").at("data").as_array())
        if (payment.at("description") == json::value(description)) ++charged;
    BOOST_TEST(charged == 1);
    BOOST_TEST(created.at("structuredContent").at("id") ==
               listed.at("structuredContent").at("data").at(0).at("id"));  // the replay is the stored answer
}

BOOST_AUTO_TEST_SUITE_END()
