// Local validation of bearer tokens (JUSTIFI_OAUTH_VALIDATION=jwks, the default in HTTP) through
// the real product: an issuer of the test's own publishes RFC 8414 metadata and a JWKS on a
// loopback port; the simulator accepts the same issuer's tokens. A token that does not verify
// gets 401 invalid_token with no upstream call; scopes filter tools/list and a missing one
// gets 403 insufficient_scope; the JWKS is fetched again for an unknown kid at most once a
// minute, by one request while the others wait.
#include "tests/support/document_host.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/jwt_signer.hpp"

#include "core/encoding.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <set>
#include <thread>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr char const* audience = "https://api.justifi.ai";
constexpr char const* sub = "auth0|user-42";

json::object claims_for(std::string const& issuer, json::object changes = {})
{
    auto const now = std::chrono::system_clock::now();
    json::object payload{{"iss", issuer},
                         {"sub", sub},
                         {"aud", json::array{audience, issuer + "userinfo"}},
                         {"azp", "dcr-client-1"},
                         {"iat", numeric_date(now - 1min)},
                         {"exp", numeric_date(now + 1h)},
                         {"scope", "openid payments:read payments:write refunds:write"}};
    for (auto const& [name, value] : changes) payload[name] = value;
    return payload;
}

header_list bearer(std::string const& token) { return {{"Authorization", "Bearer " + token}}; }

// An issuer, a simulator that trusts it, and the product validating its tokens.
struct validating_stack {
    test_signing_key key = test_signing_key::rsa("key-1");
    test_issuer issuer;
    mock_server mock;
    http_server mcp;

    explicit validating_stack(child_options options = {}, std::string cache_control = {})
        : issuer(jwks_json({key.jwk()}), std::move(cache_control)),
          mock({"--jwks-url", issuer.host().origin() + issuer.jwks_path(), "--jwt-issuer", issuer.issuer(),
                "--jwt-audience", audience}),
          mcp(with_issuer(std::move(options), issuer.issuer(), mock.base_url()), product_binary)
    {
    }

    static child_options with_issuer(child_options options, std::string const& iss, std::string const& base_url)
    {
        options.env.insert(options.env.end(), {{"JUSTIFI_OAUTH_VALIDATION", "jwks"},
                                               {"JUSTIFI_OAUTH_ISSUER", iss},
                                               {"JUSTIFI_AUTH0_AUDIENCE", audience},
                                               {"JUSTIFI_BASE_URL", base_url},
                                               {"LOG_LEVEL", "debug"}});
        options.unset_env.insert(options.unset_env.end(), {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"});
        return options;
    }

    std::string token(json::object changes = {}) const { return key.sign(claims_for(issuer.issuer(), std::move(changes))); }

    http_response initialize(std::string const& token) const
    {
        auto headers = mcp_post_headers();
        auto const auth = bearer(token);
        headers.insert(headers.end(), auth.begin(), auth.end());
        return http_request(mcp.port, "POST", "/mcp", headers,
                            rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                                  {"capabilities", json::object{}},
                                                  {"clientInfo", {{"name", "validation-test"}, {"version", "1"}}}}));
    }

    http_response call(mcp_session const& session, std::string const& token, std::string const& tool,
                       json::object arguments, std::int64_t id = 2) const
    {
        return session.post(json::parse(rpc(id, "tools/call", {{"name", tool}, {"arguments", arguments}})),
                            bearer(token));
    }
};

std::string invalid_token_challenge(std::string const& description)
{
    return "Bearer error=\"invalid_token\", scope=\"" + default_scopes() +
           "\", resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource\", error_description=\"" +
           description + "\"";
}

std::set<std::string> tool_names(json::value const& list_response)
{
    std::set<std::string> names;
    for (auto const& tool : list_response.at("result").at("tools").as_array())
        names.emplace(tool.at("name").as_string());
    return names;
}

json::object tool_result_of(http_response const& res)
{
    auto const messages = res.header("Content-Type").starts_with("text/event-stream") ? sse_messages(res.body)
                                                                                        : std::vector{res.json()};
    BOOST_REQUIRE(!messages.empty());
    return messages.back().at("result").as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(token_validation)

BOOST_AUTO_TEST_CASE(a_verified_token_is_served_and_logged_by_its_subject_never_by_its_value)
{
    validating_stack stack;
    auto const token = stack.token();
    auto const session = mcp_session::open(stack.mcp.port, "2025-11-25", bearer(token));
    auto const res = stack.call(session, token, "list_payments", {{"limit", 3}});
    BOOST_REQUIRE_EQUAL(res.status, 200);
    auto const result = tool_result_of(res);
    BOOST_TEST(!is_error(result), text_of(result));
    BOOST_TEST(result.at("structuredContent").at("data").as_array().size() == 3u);
    // The simulator verified the same token (passthrough), and the product asked for no token of its own.
    BOOST_TEST(stack.mock.stats().at("jwt_requests").to_number<int>() >= 1);
    BOOST_TEST(stack.mock.stats().at("token_requests").to_number<int>() == 0);
    // Metadata once, JWKS once (plus the simulator's own load), at start; a known kid fetches nothing more.
    BOOST_TEST(stack.issuer.host().requests("/.well-known/oauth-authorization-server") == 1);
    BOOST_TEST(stack.issuer.host().requests(stack.issuer.jwks_path()) == 2);

    stack.mcp.process.send_signal(SIGTERM);
    BOOST_TEST(stack.mcp.process.wait(15s).value_or(-1) == 0);
    stack.mcp.process.wait_for_output_end(5s);
    auto const log = stack.mcp.process.stderr_text();
    BOOST_TEST(log.find(R"("auth":"bearer_verified","principal":"sub:auth0|user-42")") != std::string::npos, log);
    BOOST_TEST(log.find(token.substr(token.rfind('.') + 1, 20)) == std::string::npos);
    BOOST_TEST(log.find(token.substr(0, 40)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tokens_that_do_not_verify_get_401_invalid_token_and_never_reach_justifi)
{
    validating_stack stack;
    auto const now = std::chrono::system_clock::now();
    auto const other_key = test_signing_key::rsa("key-1");  // same kid, another key
    auto const unknown_kid = test_signing_key::rsa("key-9");
    auto const header_none = json::object{{"alg", "none"}, {"typ", "JWT"}};
    auto const payload = claims_for(stack.issuer.issuer());
    // An HMAC token keyed with the public key (the RS256/HS256 confusion attack).
    auto const hs_input = encoded_part({{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "key-1"}}) + "." + encoded_part(payload);
    auto const public_jwk = json::serialize(stack.key.jwk());
    auto const mac = justifi::core::encoding::hmac_sha256(public_jwk, hs_input);
    auto const hs256 = hs_input + "." + justifi::core::encoding::base64url_encode({reinterpret_cast<char const*>(mac.data()), mac.size()});

    struct refused_case {
        std::string name;
        std::string token;
        std::string description;
    };
    std::vector<refused_case> const cases{
        {"expired", stack.token({{"iat", numeric_date(now - 2h)}, {"exp", numeric_date(now - 10min)}}),
         "the token has expired; get a new one"},
        {"not yet valid", stack.token({{"nbf", numeric_date(now + 10min)}}),
         "the token is not valid yet (nbf or iat is in the future); check the clocks"},
        {"wrong issuer", stack.token({{"iss", "https://evil.example/"}}),
         "the token was issued by an issuer this server does not trust"},
        {"wrong audience", stack.token({{"aud", "https://other.example/api"}}),
         "the token was issued for another audience than this API"},
        {"alg none", encoded_part(header_none) + "." + encoded_part(payload) + ".",
         "the token's signing algorithm is not accepted (RS256 or ES256 only; never none or HS*)"},
        {"HS256 with the public key", hs256,
         "the token's signing algorithm is not accepted (RS256 or ES256 only; never none or HS*)"},
        {"bad signature", other_key.sign(payload), "the token's signature does not verify; it was altered or forged"},
        {"unknown kid", unknown_kid.sign(payload),
         "the token was signed with a key that is not in the JWKS (unknown kid); get a token from the configured issuer"},
    };
    for (auto const& c : cases) {
        BOOST_TEST_CONTEXT(c.name)
        {
            auto const res = stack.initialize(c.token);
            BOOST_TEST(res.status == 401);
            BOOST_TEST(res.header("WWW-Authenticate") == invalid_token_challenge(c.description));
            BOOST_TEST(res.json().at("error").at("message").as_string() == "Unauthorized: " + c.description);
            BOOST_TEST(res.body.find(c.token.substr(0, 30)) == std::string::npos);
        }
    }
    BOOST_TEST(stack.mock.requests_to("GET /v1/payments") == 0);
    BOOST_TEST(stack.mock.stats().at("jwt_requests").to_number<int>() == 0);
}

BOOST_AUTO_TEST_CASE(scopes_filter_tools_list_and_a_missing_scope_gets_403_to_step_up)
{
    validating_stack stack({.env = {{"MCP_PUBLIC_URL", "https://mcp.justifi.ai"}}});
    auto const reader = stack.token({{"scope", "payments:read"}});
    auto const session = mcp_session::open(stack.mcp.port, "2025-11-25", bearer(reader));
    auto const names = tool_names(session.call("tools/list", json::object{}, 3, bearer(reader)));
    BOOST_TEST(names.contains("list_payments"));
    BOOST_TEST(names.contains("retrieve_payment"));
    BOOST_TEST(!names.contains("create_payment"));
    BOOST_TEST(!names.contains("refund_payment"));
    BOOST_TEST(!names.contains("list_payouts"));
    // Exactly the catalog's payments:read tools and those that need no scope, as docs/scopes.md lists them.
    child_process catalog(product_binary, {.args = {"tools", "--markdown"}});
    BOOST_REQUIRE(catalog.wait(20s).value_or(-1) == 0);
    catalog.wait_for_output_end(5s);
    auto const table = catalog.stdout_text();
    std::size_t allowed = 0;
    for (std::string const column : {"| `payments:read` |", "| none |"})
        for (auto at = table.find(column); at != std::string::npos; at = table.find(column, at + 1)) ++allowed;
    BOOST_TEST(allowed > 2u);
    BOOST_TEST(names.size() == allowed);

    auto const refused = stack.call(session, reader, "create_payment",
                                    {{"amount", 1000}, {"currency", "usd"}, {"payment_method_token", "pm_test_visa"}});
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(refused.header("WWW-Authenticate") ==
               "Bearer error=\"insufficient_scope\", scope=\"payments:write payment_methods:read\", "
               "resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", "
               "error_description=\"create_payment needs the scopes payments:write payment_methods:read; the access "
               "token lacks payments:write payment_methods:read\"");
    BOOST_TEST(refused.json().at("error").at("message").as_string().starts_with("Forbidden: create_payment needs"));
    BOOST_TEST(stack.mock.requests_to("POST /v1/payments") == 0);

    // Auth0's RBAC puts the scopes in "permissions"; they count the same.
    auto const writer = stack.token({{"scope", "openid"}, {"permissions", json::array{"payments:read", "payouts:read"}}});
    auto const writer_names = tool_names(session.call("tools/list", json::object{}, 4, bearer(writer)));
    BOOST_TEST(writer_names.contains("list_payouts"));
    BOOST_TEST(!writer_names.contains("create_payment"));
    BOOST_TEST(writer_names.contains("list_payments"));
}

BOOST_AUTO_TEST_CASE(this_servers_resource_url_is_an_accepted_audience_only_when_configured)
{
    validating_stack configured({.env = {{"MCP_PUBLIC_URL", "https://mcp.justifi.ai"}}});
    BOOST_TEST(configured.initialize(configured.token({{"aud", "https://mcp.justifi.ai/mcp"}})).status == 200);

    // Without MCP_PUBLIC_URL the resource URL would come from the request's Host: anyone's.
    validating_stack derived;
    BOOST_TEST(derived.initialize(derived.token({{"aud", "http://127.0.0.1/mcp"}})).status == 401);
}

BOOST_AUTO_TEST_CASE(a_rotated_key_is_fetched_once_for_many_concurrent_requests_and_unknown_kids_wait_a_minute)
{
    validating_stack stack;
    BOOST_TEST(stack.initialize(stack.token()).status == 200);
    BOOST_TEST(stack.issuer.host().requests(stack.issuer.jwks_path()) == 2);  // the product's and the simulator's

    auto const rotated = test_signing_key::p256("key-2");
    stack.issuer.host().publish(stack.issuer.jwks_path(), jwks_json({stack.key.jwk(), rotated.jwk()}));
    stack.issuer.host().set_delay(300ms);  // the concurrent requests all arrive while the fetch runs
    auto const token = rotated.sign(claims_for(stack.issuer.issuer()));
    std::vector<int> statuses(8);
    std::vector<std::thread> clients;
    for (auto& status : statuses) clients.emplace_back([&stack, &token, &status] { status = stack.initialize(token).status; });
    for (auto& t : clients) t.join();
    for (auto const status : statuses) BOOST_TEST(status == 200);
    BOOST_TEST(stack.issuer.host().requests(stack.issuer.jwks_path()) == 3);  // one reload for eight requests
    stack.issuer.host().set_delay(0ms);

    // Within the minute, another unknown kid fetches nothing: it is refused with what we have.
    auto const stranger = test_signing_key::rsa("key-3");
    stack.issuer.host().publish(stack.issuer.jwks_path(), jwks_json({stack.key.jwk(), rotated.jwk(), stranger.jwk()}));
    for (int i = 0; i < 3; ++i) BOOST_TEST(stack.initialize(stranger.sign(claims_for(stack.issuer.issuer()))).status == 401);
    BOOST_TEST(stack.issuer.host().requests(stack.issuer.jwks_path()) == 3);
    BOOST_TEST(stack.issuer.host().requests("/.well-known/oauth-authorization-server") == 1);
}

BOOST_AUTO_TEST_CASE(a_key_the_issuer_removes_stops_being_trusted_at_the_next_timed_reload)
{
    // The JWKS says max-age=1: reloaded every second (the bounds allow it here), whether or not
    // any token names an unknown kid.
    validating_stack stack({.env = {{"JUSTIFI_JWKS_MIN_REFRESH", "1s"}, {"JUSTIFI_JWKS_MAX_REFRESH", "1h"}}},
                           "public, max-age=1, stale-while-revalidate=15");
    auto const token = stack.token();
    BOOST_TEST(stack.initialize(token).status == 200);
    // Unchanged reloads keep the key set: it was loaded (logged) once however often it was fetched.
    auto const fetches = [&] { return stack.issuer.host().requests(stack.issuer.jwks_path()); };
    for (int i = 0; i < 200 && fetches() < 5; ++i) std::this_thread::sleep_for(50ms);
    BOOST_TEST(fetches() >= 5);
    BOOST_TEST(stack.mcp.process.count_in_stderr("\"JWKS loaded\"") == 1u);
    BOOST_TEST(stack.mcp.process.count_in_stderr("\"JWKS unchanged\"") >= 2u);

    // The issuer drops key-1 (a leaked key, say): within a reload, tokens it signed are refused.
    auto const next = test_signing_key::p256("key-2");
    stack.issuer.host().publish(stack.issuer.jwks_path(), jwks_json({next.jwk()}));
    int status = 0;
    for (int i = 0; i < 100 && status != 401; ++i) {
        std::this_thread::sleep_for(100ms);
        status = stack.initialize(token).status;
    }
    BOOST_TEST(status == 401);
    BOOST_TEST(stack.initialize(next.sign(claims_for(stack.issuer.issuer()))).status == 200);
}

BOOST_AUTO_TEST_CASE(the_timed_reload_is_at_most_jwks_max_refresh_apart_whatever_max_age_says)
{
    validating_stack stack({.env = {{"JUSTIFI_JWKS_MIN_REFRESH", "1s"}, {"JUSTIFI_JWKS_MAX_REFRESH", "1s"}}},
                           "max-age=86400");
    BOOST_TEST(stack.initialize(stack.token()).status == 200);
    auto const before = stack.issuer.host().requests(stack.issuer.jwks_path());
    for (int i = 0; i < 100 && stack.issuer.host().requests(stack.issuer.jwks_path()) < before + 2; ++i)
        std::this_thread::sleep_for(50ms);
    BOOST_TEST(stack.issuer.host().requests(stack.issuer.jwks_path()) >= before + 2);
}

BOOST_AUTO_TEST_CASE(an_issuer_that_is_down_gives_503_not_a_sign_in_and_is_tried_again)
{
    validating_stack stack;
    BOOST_TEST(stack.initialize(stack.token()).status == 200);  // warm

    // A second product whose issuer is down (every document answers 404).
    document_host empty;
    http_server cold(validating_stack::with_issuer({}, empty.origin() + "/", stack.mock.base_url()), product_binary);
    auto headers = mcp_post_headers();
    headers.emplace_back("Authorization", "Bearer " + stack.token({{"iss", empty.origin() + "/"}}));
    auto const res = http_request(cold.port, "POST", "/mcp", headers,
                                  rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                                        {"capabilities", json::object{}},
                                                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
    BOOST_TEST(res.status == 503);
    BOOST_TEST(res.header("Retry-After") == "5");
    BOOST_TEST(res.header("WWW-Authenticate").empty());
    BOOST_TEST(res.json().at("error").at("message").as_string().find("signing keys could not be loaded") !=
               json::string::npos);
    // The start-up attempt and this request's share the retry interval: at most two rounds.
    BOOST_TEST(empty.requests() <= 4);
}

BOOST_AUTO_TEST_CASE(a_verified_token_justifi_refuses_is_answered_with_401_invalid_token)
{
    validating_stack stack;
    auto const token = stack.token();
    auto const session = mcp_session::open(stack.mcp.port, "2025-11-25", bearer(token));
    stack.mock.set_faults({{"fail_status", 401}, {"fail_first", 1}});
    auto const res = stack.call(session, token, "list_payments", {{"limit", 1}});
    BOOST_TEST(res.status == 401, res.body);
    BOOST_TEST(res.header("WWW-Authenticate") ==
               invalid_token_challenge("JustiFi rejected the access token; refresh it or sign in again"));
    BOOST_TEST(stack.mock.requests_to("GET /v1/payments") == 1);  // a bearer token's 401 is not retried
    // The next call is served again.
    auto const after = stack.call(session, token, "list_payments", {{"limit", 1}}, 3);
    BOOST_TEST(after.status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
