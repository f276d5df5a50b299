// Exchange mode (JUSTIFI_UPSTREAM_AUTH=exchange) through the real product: an issuer of the
// test's own publishes metadata, a JWKS and a token endpoint whose answer the test sets; the
// simulator accepts only its own tokens, so a caller's token sent on would fail loudly. The
// exchange's request, its caching and single flight, what each refusal becomes, and DPoP-bound
// tokens. The suite also runs under ThreadSanitizer (the exchanged-token cache, the replay cache).
#include "tests/support/document_host.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/jwt_signer.hpp"

#include "auth/dpop.hpp"
#include "core/encoding.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <vector>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr char const* public_url = "https://mcp.justifi.ai";
constexpr char const* resource = "https://mcp.justifi.ai/mcp";
constexpr char const* token_path = "/oauth/token";

struct exchange_stack {
    test_signing_key key = test_signing_key::rsa("key-1");
    mutable test_issuer issuer{jwks_json({key.jwk()})};
    mock_server mock;
    http_server mcp;
    std::string justifi_token;  // what the token endpoint answers: a token the simulator issued

    explicit exchange_stack(std::vector<std::pair<std::string, std::string>> extra_env = {})
        : mcp(options(issuer.issuer(), mock.base_url(), std::move(extra_env)), product_binary)
    {
        auto const issued = http_request(mock.port, "POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                         R"({"client_id":"test_client_id","client_secret":"test_client_secret"})");
        BOOST_REQUIRE(issued.status == 200);
        justifi_token = std::string(issued.json().at("access_token").as_string());
        answer_exchanges(200, json::object{{"access_token", justifi_token},
                                           {"issued_token_type", "urn:ietf:params:oauth:token-type:access_token"},
                                           {"token_type", "Bearer"},
                                           {"expires_in", 600}});
    }

    static child_options options(std::string const& iss, std::string const& base_url,
                                 std::vector<std::pair<std::string, std::string>> extra)
    {
        child_options o;
        o.env = {{"JUSTIFI_OAUTH_VALIDATION", "jwks"},
                 {"JUSTIFI_OAUTH_ISSUER", iss},
                 {"JUSTIFI_BASE_URL", base_url},
                 {"JUSTIFI_UPSTREAM_AUTH", "exchange"},
                 {"MCP_PUBLIC_URL", public_url},
                 {"JUSTIFI_EXCHANGE_CLIENT_ID", "mcp-exchange"},
                 {"JUSTIFI_EXCHANGE_CLIENT_SECRET", "exchange-secret-1"},
                 {"LOG_LEVEL", "debug"}};
        o.env.insert(o.env.end(), extra.begin(), extra.end());
        o.unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"};
        return o;
    }

    void answer_exchanges(int status, json::object answer)
    {
        issuer.host().publish(token_path, json::serialize(answer), status);
    }

    std::string token(json::object changes = {}) const
    {
        auto const now = std::chrono::system_clock::now();
        json::object claims{{"iss", issuer.issuer()},
                            {"sub", "auth0|exchange-user"},
                            {"aud", resource},
                            {"jti", json::string(justifi::core::encoding::hex_encode(
                                        justifi::core::encoding::random_bytes(8)))},
                            {"iat", numeric_date(now - 1min)},
                            {"exp", numeric_date(now + 1h)},
                            {"scope", "payments:read refunds:write"}};
        for (auto const& [name, value] : changes) claims[name] = value;
        return key.sign(claims);
    }

    http_response list_payments(header_list auth) const
    {
        auto headers = mcp_post_headers();
        headers.insert(headers.end(), {{"MCP-Protocol-Version", "2026-07-28"},
                                       {"Mcp-Method", "tools/call"},
                                       {"Mcp-Name", "list_payments"}});
        headers.insert(headers.end(), auth.begin(), auth.end());
        json::object const meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                {"io.modelcontextprotocol/clientCapabilities", json::object{}},
                                {"io.modelcontextprotocol/clientInfo", json::object{{"name", "exchange-test"}, {"version", "1"}}}};
        return http_request(mcp.port, "POST", "/mcp", headers,
                            rpc(7, "tools/call", {{"name", "list_payments"},
                                                  {"arguments", json::object{{"limit", 2}}},
                                                  {"_meta", meta}}));
    }

    int exchanges() const { return issuer.host().requests(token_path); }
};

header_list bearer(std::string const& token) { return {{"Authorization", "Bearer " + token}}; }

bool succeeded(http_response const& res)
{
    if (res.status != 200) return false;
    auto const body = res.json();
    return body.as_object().contains("result") && !body.at("result").as_object().contains("isError");
}

std::string www_authenticate(http_response const& res) { return res.header("WWW-Authenticate"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(token_exchange)

BOOST_AUTO_TEST_CASE(a_call_is_made_with_the_exchanged_token_asked_for_with_the_tools_scopes)
{
    exchange_stack stack;
    auto const token = stack.token();
    auto const first = stack.list_payments(bearer(token));
    BOOST_TEST_REQUIRE(succeeded(first), first.status << " " << first.body);
    BOOST_TEST(stack.exchanges() == 1);
    // RFC 8693, as our confidential client, for JustiFi's audience and the tool's scope.
    auto const form = stack.issuer.host().last_body(token_path);
    BOOST_TEST(form.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange") != std::string::npos);
    BOOST_TEST(form.find("&subject_token=" + token) != std::string::npos);
    BOOST_TEST(form.find("&audience=https%3A%2F%2Fapi.justifi.ai") != std::string::npos);
    BOOST_TEST(form.find("&scope=payments%3Aread") != std::string::npos);
    BOOST_TEST(stack.issuer.host().last_authorization(token_path) == "Basic bWNwLWV4Y2hhbmdlOmV4Y2hhbmdlLXNlY3JldC0x");
    // The second call comes from the cache.
    BOOST_TEST(succeeded(stack.list_payments(bearer(token))));
    BOOST_TEST(stack.exchanges() == 1);
    // Nothing of either token in the log: principal and outcome only.
    auto const log = stack.mcp.process.stderr_text();
    BOOST_TEST(log.find("token exchanged") != std::string::npos);
    BOOST_TEST(log.find(token) == std::string::npos);
    BOOST_TEST(log.find(stack.justifi_token) == std::string::npos);
    BOOST_TEST(log.find("exchange-secret-1") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(concurrent_calls_with_one_new_token_share_one_exchange)
{
    exchange_stack stack;
    stack.issuer.host().set_delay(200ms);  // the first exchange is still under way when the others come
    auto const token = stack.token();
    std::vector<std::future<http_response>> calls;
    for (int i = 0; i < 8; ++i)
        calls.push_back(std::async(std::launch::async, [&stack, &token] { return stack.list_payments(bearer(token)); }));
    for (auto& call : calls) BOOST_TEST(succeeded(call.get()));
    BOOST_TEST(stack.exchanges() == 1);
}

BOOST_AUTO_TEST_CASE(the_first_callers_wait_for_one_discovery_of_the_token_endpoint)
{
    exchange_stack stack;
    stack.issuer.host().set_delay(200ms);  // the metadata is still on its way when the others come
    std::vector<std::future<http_response>> calls;
    for (int i = 0; i < 4; ++i)
        calls.push_back(std::async(std::launch::async, [&stack] { return stack.list_payments(bearer(stack.token())); }));
    for (auto& call : calls) BOOST_TEST(succeeded(call.get()));
    BOOST_TEST(stack.exchanges() == 4);  // four callers, four tokens
    // The JWKS look-up reads the metadata too; the exchange's discovery adds one read, not four.
    BOOST_TEST(stack.issuer.host().requests("/.well-known/oauth-authorization-server") <= 2);
}

BOOST_AUTO_TEST_CASE(refusals_become_401_403_and_503_without_a_justifi_call)
{
    exchange_stack stack;
    struct refusal_case {
        int status;
        char const* error;
        int expected;
        char const* challenge_error;
    };
    for (auto const& c : {refusal_case{400, "invalid_grant", 401, "invalid_token"},
                          refusal_case{400, "invalid_scope", 403, "insufficient_scope"},
                          refusal_case{503, "temporarily_unavailable", 503, nullptr},
                          refusal_case{401, "invalid_client", 503, nullptr}}) {
        BOOST_TEST_CONTEXT(c.error)
        {
            stack.answer_exchanges(c.status, json::object{{"error", c.error}});
            auto const before = stack.mock.requests_to("GET /v1/payments");
            auto const res = stack.list_payments(bearer(stack.token()));
            BOOST_TEST(res.status == c.expected);
            BOOST_TEST(stack.mock.requests_to("GET /v1/payments") == before);
            BOOST_TEST(res.json().at("id") == 7);
            if (c.challenge_error) {
                BOOST_TEST(www_authenticate(res).starts_with(std::string("Bearer error=\"") + c.challenge_error + "\""));
                BOOST_TEST(www_authenticate(res).find("resource_metadata=\"https://mcp.justifi.ai/.well-known/"
                                                      "oauth-protected-resource/mcp\"") != std::string::npos);
            } else {
                BOOST_TEST(res.header("Retry-After") == "5");
            }
        }
    }
    auto const scope_refusal = [&] {
        stack.answer_exchanges(400, json::object{{"error", "invalid_scope"}});
        return stack.list_payments(bearer(stack.token()));
    }();
    BOOST_TEST(www_authenticate(scope_refusal).find("scope=\"payments:read\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_token_for_the_justifi_api_is_not_for_this_server)
{
    exchange_stack stack;
    auto const res = stack.list_payments(bearer(stack.token({{"aud", "https://api.justifi.ai"}})));
    BOOST_TEST(res.status == 401);
    BOOST_TEST(www_authenticate(res).find("the token was issued for another audience") != std::string::npos);
    BOOST_TEST(stack.exchanges() == 0);
    // Written another way, this server's resource is still this server's.
    BOOST_TEST(succeeded(stack.list_payments(bearer(stack.token({{"aud", "HTTPS://MCP.JUSTIFI.AI/mcp/"}})))));
}

BOOST_AUTO_TEST_CASE(a_dpop_bound_token_is_served_with_a_fresh_proof_and_refused_without)
{
    exchange_stack stack;
    auto const client_key = test_signing_key::p256("");
    auto const jkt = justifi::auth::dpop::thumbprint(client_key.jwk());
    auto const token = stack.token({{"cnf", json::object{{"jkt", jkt}}}});
    auto const proof = [&](std::string const& jti) {
        auto jwk = client_key.jwk();
        jwk.erase("kid");
        return client_key.sign(json::object{{"typ", "dpop+jwt"}, {"alg", "ES256"}, {"jwk", jwk}},
                               json::object{{"jti", jti},
                                            {"htm", "POST"},
                                            {"htu", resource},
                                            {"iat", numeric_date(std::chrono::system_clock::now())},
                                            {"ath", justifi::auth::dpop::access_token_hash(token)}});
    };
    header_list const first{{"Authorization", "DPoP " + token}, {"DPoP", proof("one")}};
    BOOST_TEST(succeeded(stack.list_payments(first)));
    auto const replayed = stack.list_payments(first);
    BOOST_TEST(replayed.status == 401);
    BOOST_TEST(www_authenticate(replayed).find("DPoP error=\"invalid_dpop_proof\"") != std::string::npos);
    BOOST_TEST(succeeded(stack.list_payments({{"Authorization", "DPoP " + token}, {"DPoP", proof("two")}})));
    auto const as_bearer = stack.list_payments(bearer(token));
    BOOST_TEST(as_bearer.status == 401);
    BOOST_TEST(www_authenticate(as_bearer).find("DPoP-bound") != std::string::npos);
    // Both token kinds are offered, and the metadata says DPoP is accepted.
    auto const anonymous = stack.list_payments({});
    BOOST_TEST(www_authenticate(anonymous).find(", DPoP resource_metadata=") != std::string::npos);
    auto const prm = http_request(stack.mcp.port, "GET", "/.well-known/oauth-protected-resource/mcp").json();
    BOOST_TEST(prm.at("resource") == resource);
    BOOST_TEST(prm.at("dpop_signing_alg_values_supported").as_array().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
