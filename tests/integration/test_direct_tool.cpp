// The direct tool endpoint, POST /mcp/{tool_name}, through the real product and the simulator,
// with requests shaped as curl sends them (docs/developer-setup.md): no MCP handshake and no MCP
// headers, the tool's arguments as the body, JustiFi's JSON as the answer, and the MCP
// endpoint's auth, scopes and rate limits with statuses that say what happened.
#include "tests/support/document_host.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/test/unit_test.hpp>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

header_list const client_headers{{"X-Client-Id", "test_client_id"}, {"X-Client-Secret", "test_client_secret"}};

// The product with OAuth on (the default) and no credentials of its own: each request brings them.
http_server product(mock_server const& mock, child_options options = {})
{
    options.env.emplace_back("JUSTIFI_BASE_URL", mock.base_url());
    options.unset_env.insert(options.unset_env.end(), {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"});
    return http_server(std::move(options), product_binary);
}

// What `curl -X POST http://127.0.0.1:PORT/mcp/TOOL -H ... -d BODY` sends, byte for byte but for
// the version in User-Agent: its three default headers, then the ones given, then the body's length.
http_response curl_post(std::uint16_t port, std::string const& target, header_list const& headers,
                        std::string const& body, std::string const& method = "POST")
{
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n";
    for (auto const& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    http_connection connection(port);
    connection.send_raw(request);
    return connection.read_response();
}

header_list json_with(header_list headers)
{
    headers.emplace_back("Content-Type", "application/json");
    return headers;
}

json::object error_of(http_response const& res)
{
    BOOST_TEST(res.header("Content-Type") == "application/json");
    return res.json().at("error").as_object();
}

std::string mock_token(mock_server const& mock)
{
    auto const issued = mock.request("POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                     R"({"client_id":"test_client_id","client_secret":"test_client_secret"})");
    return std::string(issued.json().at("access_token").as_string());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(direct_tool_http)

BOOST_AUTO_TEST_CASE(list_payments_with_client_credential_headers_answers_justifis_json)
{
    mock_server mock;
    auto server = product(mock);
    auto const res = curl_post(server.port, "/mcp/list_payments", json_with(client_headers), R"({"limit": 2})");
    BOOST_TEST(res.status == 200, res.body);
    BOOST_TEST(res.header("Content-Type") == "application/json");
    // JustiFi's own answer, not the MCP envelope around it.
    auto const direct = mock.request("GET", "/v1/payments?limit=2", {{"Authorization", "Bearer " + mock_token(mock)}});
    BOOST_TEST(res.json() == direct.json());
    BOOST_TEST(res.json().at("data").as_array().size() == 2u);
    BOOST_TEST(!res.json().as_object().contains("structuredContent"));
    BOOST_TEST(!res.json().as_object().contains("jsonrpc"));
}

BOOST_AUTO_TEST_CASE(list_payments_with_a_bearer_token_answers_justifis_json)
{
    mock_server mock;
    auto server = product(mock);  // JUSTIFI_OAUTH_VALIDATION=none: JustiFi judges the token
    auto const res = curl_post(server.port, "/mcp/list_payments",
                               json_with({{"Authorization", "Bearer " + mock_token(mock)}}), R"({"limit": 3})");
    BOOST_TEST(res.status == 200, res.body);
    BOOST_TEST(res.json().at("data").as_array().size() == 3u);
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 1);
}

BOOST_AUTO_TEST_CASE(an_invalid_argument_is_400_naming_the_field_and_never_reaches_justifi)
{
    mock_server mock;
    auto server = product(mock);
    auto const res = curl_post(server.port, "/mcp/list_payments", json_with(client_headers), R"({"limit": "ten"})");
    BOOST_TEST(res.status == 400, res.body);
    auto const error = error_of(res);
    BOOST_TEST(error.at("code") == "invalid_arguments");
    auto const message = std::string(error.at("message").as_string());
    BOOST_TEST(message.starts_with("Invalid arguments for list_payments:"), message);
    BOOST_TEST(message.find("limit") != std::string::npos, message);
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 0);
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_a_json_object_is_400_and_one_that_is_not_json_415_by_its_type)
{
    mock_server mock;
    auto server = product(mock);
    for (std::string const body : {"[1, 2]", "limit=10", ""}) {
        auto const res = curl_post(server.port, "/mcp/list_payments", json_with(client_headers), body);
        BOOST_TEST(res.status == 400, body);
        auto const error = error_of(res);
        BOOST_TEST(error.at("code") == "invalid_body");
        BOOST_TEST(error.at("message").as_string().starts_with("the body must be a JSON object of list_payments's "
                                                               "arguments"));
    }
    // curl's -d default type: the MCP endpoint's 415.
    auto form = client_headers;
    form.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    auto const res = curl_post(server.port, "/mcp/list_payments", form, R"({"limit": 2})");
    BOOST_TEST(res.status == 415);
    BOOST_TEST(error_of(res).at("code") == "unsupported_media_type");
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 0);
}

BOOST_AUTO_TEST_CASE(without_credentials_it_is_401_with_the_mcp_endpoints_challenge_whether_or_not_the_tool_exists)
{
    mock_server mock;
    auto server = product(mock, {.env = {{"MCP_PUBLIC_URL", "https://mcp.justifi.ai"}}});
    auto const mcp = http_request(server.port, "POST", "/mcp",
                                  {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}},
                                  rpc(1, "ping"));
    BOOST_REQUIRE(mcp.status == 401);
    for (std::string const tool : {"list_payments", "no_such_tool"}) {
        auto const res = curl_post(server.port, "/mcp/" + tool, json_with({}), R"({"limit": 2})");
        BOOST_TEST(res.status == 401, tool);
        BOOST_TEST(res.header("WWW-Authenticate") == mcp.header("WWW-Authenticate"));
        BOOST_TEST(res.header("WWW-Authenticate") ==
                   "Bearer resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", scope=\"" +
                       default_scopes() + "\"");
        auto const error = error_of(res);
        BOOST_TEST(error.at("code") == "authentication_required");
        BOOST_TEST(error.at("message").as_string().find("X-Client-Id") != json::string::npos);
    }
    BOOST_TEST(total_v1_requests(mock) == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_tool_is_404_a_name_that_cannot_be_one_is_404_unread_and_get_is_405)
{
    mock_server mock;
    auto server = product(mock);
    auto const unknown = curl_post(server.port, "/mcp/no_such_tool", json_with(client_headers), "{}");
    BOOST_TEST(unknown.status == 404, unknown.body);
    BOOST_TEST(error_of(unknown).at("code") == "unknown_tool");
    BOOST_TEST(error_of(unknown).at("message").as_string().starts_with("no tool is named \"no_such_tool\""));
    // Not a tool name: an unknown path, answered before auth.
    BOOST_TEST(curl_post(server.port, "/mcp/List-Payments", json_with({}), "{}").status == 404);

    auto const get = curl_post(server.port, "/mcp/list_payments", client_headers, "", "GET");
    BOOST_TEST(get.status == 405);
    BOOST_TEST(get.header("Allow") == "POST, OPTIONS");
    BOOST_TEST(error_of(get).at("code") == "method_not_allowed");
    // The MCP endpoint itself is as it was.
    BOOST_TEST(http_request(server.port, "PUT", "/mcp", {}, "x").header("Allow") == "GET, POST, OPTIONS");
    BOOST_TEST(total_v1_requests(mock) == 0);
}

BOOST_AUTO_TEST_CASE(a_justifi_error_is_502_quoting_justifis_status_code_and_message)
{
    mock_server mock;
    auto server = product(mock);
    auto const justifi = mock.request("GET", "/v1/payments/py_doesnotexist", {{"Authorization", "Bearer " + mock_token(mock)}});
    BOOST_REQUIRE(justifi.status == 404);
    auto const res = curl_post(server.port, "/mcp/retrieve_payment", json_with(client_headers),
                               json::serialize(json::object{{"payment_id", "py_doesnotexist"}}));
    BOOST_TEST(res.status == 502, res.body);
    auto const error = error_of(res);
    BOOST_TEST(error.at("code") == "justifi_error");
    auto const& quoted = error.at("justifi");
    BOOST_TEST(quoted.at("status") == 404);
    BOOST_TEST(quoted.at("code") == justifi.json().at("error").at("code"));
    BOOST_TEST(quoted.at("message") == justifi.json().at("error").at("message"));
    BOOST_TEST(error.at("message").as_string().starts_with("JustiFi error (HTTP 404"));
}

BOOST_AUTO_TEST_CASE(a_write_changes_the_payment_and_answers_justifis_updated_payment)
{
    mock_server mock;
    auto server = product(mock);
    auto const listed = curl_post(server.port, "/mcp/list_payments", json_with(client_headers), R"({"limit": 1})");
    BOOST_REQUIRE(listed.status == 200);
    auto const id = std::string(listed.json().at("data").at(0).at("id").as_string());
    auto const res = curl_post(server.port, "/mcp/update_payment", json_with(client_headers),
                               json::serialize(json::object{{"payment_id", id}, {"description", "order 1234"}}));
    BOOST_TEST(res.status == 200, res.body);
    auto const stored = mock.request("GET", "/v1/payments/" + id, {{"Authorization", "Bearer " + mock_token(mock)}});
    BOOST_TEST(stored.json().at("data").at("description") == "order 1234");
    BOOST_TEST(res.json().at("data").at("description") == "order 1234");
    BOOST_TEST(mock.requests_to("PATCH /v1/payments/{id}") == 1);
}

BOOST_AUTO_TEST_CASE(a_caller_over_its_rate_gets_429_with_retry_after_as_on_the_mcp_endpoint)
{
    mock_server mock;
    // One token every 1,000 s: none comes back during the test.
    auto server = product(mock, {.env = {{"MCP_RATE_LIMIT", "0.001"}, {"MCP_RATE_LIMIT_BURST", "2"}}});
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(curl_post(server.port, "/mcp/list_payments", json_with(client_headers), "{}").status == 200);
    auto const limited = curl_post(server.port, "/mcp/list_payments", json_with(client_headers), "{}");
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(limited.header("Retry-After") == "1000");
    BOOST_TEST(error_of(limited).at("code") == "rate_limited");
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 2);
}

BOOST_AUTO_TEST_CASE(a_verified_token_without_the_tools_scope_is_403_with_the_step_up_challenge)
{
    constexpr char const* audience = "https://api.justifi.ai";
    auto const key = test_signing_key::rsa("key-1");
    test_issuer issuer(jwks_json({key.jwk()}));
    mock_server mock({"--jwks-url", issuer.host().origin() + issuer.jwks_path(), "--jwt-issuer", issuer.issuer(),
                      "--jwt-audience", audience});
    auto server = product(mock, {.env = {{"JUSTIFI_OAUTH_VALIDATION", "jwks"},
                                         {"JUSTIFI_OAUTH_ISSUER", issuer.issuer()},
                                         {"JUSTIFI_AUTH0_AUDIENCE", audience},
                                         {"MCP_PUBLIC_URL", "https://mcp.justifi.ai"}}});
    auto const now = std::chrono::system_clock::now();
    auto const reader = key.sign({{"iss", issuer.issuer()}, {"sub", "auth0|reader"}, {"aud", audience},
                                  {"iat", numeric_date(now - 1min)}, {"exp", numeric_date(now + 1h)},
                                  {"scope", "payments:read"}});
    auto const headers = json_with({{"Authorization", "Bearer " + reader}});
    BOOST_TEST(curl_post(server.port, "/mcp/list_payments", headers, R"({"limit": 1})").status == 200);

    auto const res = curl_post(server.port, "/mcp/update_payment", headers,
                               json::serialize(json::object{{"payment_id", "py_x"}, {"description", "x"}}));
    BOOST_TEST(res.status == 403, res.body);
    BOOST_TEST(res.header("WWW-Authenticate") ==
               "Bearer error=\"insufficient_scope\", scope=\"payments:write\", "
               "resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", "
               "error_description=\"update_payment needs the payments:write scope, which the access token does not "
               "have\"");
    BOOST_TEST(error_of(res).at("code") == "insufficient_scope");
    BOOST_TEST(mock.requests_to("PATCH /v1/payments/{id}") == 0);
}

BOOST_AUTO_TEST_CASE(a_browser_preflight_and_a_foreign_origin_are_treated_as_on_the_mcp_endpoint)
{
    mock_server mock;
    auto server = product(mock);
    auto const preflight = http_request(server.port, "OPTIONS", "/mcp/list_payments",
                                        {{"Origin", "http://localhost:6274"}, {"Access-Control-Request-Method", "POST"}});
    BOOST_TEST(preflight.status == 204);
    BOOST_TEST(preflight.header("Access-Control-Allow-Origin") == "http://localhost:6274");
    BOOST_TEST(preflight.header("Allow") == "POST, OPTIONS");
    auto foreign = json_with(client_headers);
    foreign.emplace_back("Origin", "https://evil.example");
    auto const refused = curl_post(server.port, "/mcp/list_payments", foreign, "{}");
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(error_of(refused).at("code") == "origin_forbidden");
    BOOST_TEST(total_v1_requests(mock) == 0);
}

// Nobody can be asked here: JUSTIFI_CONFIRM_WRITES decides, as for any client that cannot confirm.
BOOST_AUTO_TEST_CASE(money_moves_here_only_when_the_policy_lets_it_go_unconfirmed)
{
    mock_server mock;
    http_server strict = product(mock, {.env = {{"JUSTIFI_CONFIRM_WRITES", "required"}}});
    http_server automatic = product(mock);
    auto const listed = curl_post(automatic.port, "/mcp/list_payments", json_with(client_headers),
                                  R"({"payment_status":"succeeded","limit":50})");
    std::string payment;
    auto const payments = listed.json();  // named: never range-for over a temporary's member
    for (auto const& p : payments.at("data").as_array())
        if (p.at("amount_refundable").to_number<std::int64_t>() >= 1000) payment = std::string(p.at("id").as_string());
    BOOST_TEST_REQUIRE(!payment.empty());
    auto const refund = json::serialize(json::object{{"payment_id", payment}, {"amount", 500}});
    mock.reset_stats();

    auto const refused = curl_post(strict.port, "/mcp/create_refund", json_with(client_headers), refund);
    BOOST_TEST(refused.status == 403, refused.body);
    auto const error = error_of(refused);
    BOOST_TEST(error.at("code") == "confirmation_required");
    auto const message = std::string(error.at("message").as_string());
    BOOST_TEST(message.find("create_refund needs a person's confirmation") != std::string::npos, message);
    BOOST_TEST(message.find("MCP client") != std::string::npos, message);
    BOOST_TEST(mock.stats().at("recent_writes").as_array().empty());

    auto const made = curl_post(automatic.port, "/mcp/create_refund", json_with(client_headers), refund);
    BOOST_TEST(made.status == 200, made.body);
    BOOST_TEST(made.json().at("data").at("payment_id").as_string() == payment);
    BOOST_TEST(mock.stats().at("recent_writes").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(tools_that_notify_fail_or_throw_answer_in_statuses_with_nothing_sent_before_the_answer)
{
    http_server server;
    auto const echo = curl_post(server.port, "/mcp/test_echo", json_with({}), R"({"text": "hi"})");
    BOOST_TEST(echo.status == 200, echo.body);
    BOOST_TEST(echo.json().at("arguments") == (json::value{{"text", "hi"}}));
    // Progress and log messages have nowhere to go: the answer is plain JSON, not an event stream.
    auto const progress = curl_post(server.port, "/mcp/test_progress", json_with({}), R"({"steps": 2, "delay_ms": 1})");
    BOOST_TEST(progress.status == 200, progress.body);
    BOOST_TEST(progress.header("Content-Type") == "application/json");
    BOOST_TEST(text_of(progress.json().as_object()) == "done after 2 steps");
    auto const failed = curl_post(server.port, "/mcp/test_fail", json_with({}), "{}");
    BOOST_TEST(failed.status == 422);
    BOOST_TEST(error_of(failed).at("message").as_string().starts_with("test_fail always fails"));
    auto const thrown = curl_post(server.port, "/mcp/test_throw", json_with({}), "{}");
    BOOST_TEST(thrown.status == 500);
    BOOST_TEST(error_of(thrown).at("code") == "internal_error");
}

BOOST_AUTO_TEST_SUITE_END()
