// The OAuth challenge of the MCP endpoint through the real product binary: a request that
// brings no credentials gets 401 with WWW-Authenticate naming the protected resource metadata
// (RFC 9728) and the scopes; bearer tokens and (unless disabled) X-Client-Id/X-Client-Secret
// are served; MCP_AUTH=none serves anonymous local clients; /health, the documents and CORS
// preflights need no credentials.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

using namespace justifi::test;
namespace json = boost::json;

namespace {

constexpr char const* public_url = "https://mcp.justifi.ai";
constexpr char const* inspector_origin = "http://localhost:6274";

// The product, with no JustiFi credentials and OAuth (the default) as its auth mode.
http_server product(child_options options = {})
{
    options.unset_env.insert(options.unset_env.end(), {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"});
    return http_server(std::move(options), product_binary);
}

std::string challenge(std::string const& base, std::string const& scopes)
{
    return "Bearer resource_metadata=\"" + base + "/.well-known/oauth-protected-resource\", scope=\"" + scopes + "\"";
}

std::string initialize_message()
{
    return rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                 {"capabilities", json::object{}},
                                 {"clientInfo", {{"name", "auth-challenge-test"}, {"version", "1"}}}});
}

http_response initialize(http_server const& server, header_list const& extra = {})
{
    auto headers = mcp_post_headers();
    headers.insert(headers.end(), extra.begin(), extra.end());
    return http_request(server.port, "POST", "/mcp", headers, initialize_message());
}

header_list const bearer{{"Authorization", "Bearer abc.def.ghi"}};
header_list const client_headers{{"X-Client-Id", "client-123"}, {"X-Client-Secret", "s3cr3t"}};

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_challenge)

BOOST_AUTO_TEST_CASE(anonymous_initialize_gets_401_with_the_exact_challenge)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}}});
    auto const res = initialize(server);
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate") == challenge(public_url, default_scopes()));
    BOOST_TEST(res.header("WWW-Authenticate") ==
               "Bearer resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", "
               "scope=\"" + default_scopes() + "\"");
    BOOST_TEST(res.header("Content-Type") == "application/json");
    BOOST_TEST(res.header("Mcp-Session-Id").empty());
    auto const body = res.json();
    BOOST_TEST(body.at("jsonrpc") == "2.0");
    BOOST_TEST(body.at("error").at("code") == -32000);
    auto const message = std::string(body.at("error").at("message").as_string());
    BOOST_TEST(message.find("authentication is required") != std::string::npos, message);
    BOOST_TEST(message.find("https://mcp.justifi.ai/.well-known/oauth-protected-resource") != std::string::npos, message);
    BOOST_TEST(message.find("X-Client-Id") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(challenge_names_the_configured_scopes)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}, {"JUSTIFI_OAUTH_SCOPES", "payments:read,refunds:write"}}});
    BOOST_TEST(initialize(server).header("WWW-Authenticate") == challenge(public_url, "payments:read refunds:write"));
}

BOOST_AUTO_TEST_CASE(without_public_url_the_challenge_comes_from_the_host_header)
{
    auto server = product();
    auto const host = "localhost:" + std::to_string(server.port);
    auto const res = initialize(server, {{"Host", host}});
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate") == challenge("http://" + host, default_scopes()));
    // The document the challenge names is there, and describes this server.
    auto const doc = http_request(server.port, "GET", "/.well-known/oauth-protected-resource", {{"Host", host}});
    BOOST_TEST(doc.status == 200);
    BOOST_TEST(doc.json().at("resource") == json::value("http://" + host));
}

BOOST_AUTO_TEST_CASE(anonymous_server_stream_gets_401)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}}});
    auto const res = http_request(server.port, "GET", "/mcp", {{"Accept", "text/event-stream"}});
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate") == challenge(public_url, default_scopes()));
    // With credentials the stream gets past auth to its own checks (no session: 400).
    auto with_bearer = bearer;
    with_bearer.emplace_back("Accept", "text/event-stream");
    BOOST_TEST(http_request(server.port, "GET", "/mcp", with_bearer).status == 400);
}

BOOST_AUTO_TEST_CASE(challenge_comes_after_the_origin_check_and_before_content_negotiation)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}}});
    // A foreign Origin is refused (403) before auth is looked at.
    BOOST_TEST(initialize(server, {{"Origin", "https://evil.example"}}).status == 403);
    // A wrong Accept or Content-Type without credentials gets the challenge, not 406/415.
    BOOST_TEST(http_request(server.port, "POST", "/mcp", {{"Accept", "text/html"}, {"Content-Type", "application/json"}},
                            initialize_message())
                   .status == 401);
    BOOST_TEST(http_request(server.port, "POST", "/mcp", {{"Accept", "application/json, text/event-stream"},
                                                          {"Content-Type", "text/plain"}},
                            initialize_message())
                   .status == 401);
    BOOST_TEST(http_request(server.port, "GET", "/mcp", {{"Accept", "text/html"}}).status == 401);
    // With credentials the same requests reach content negotiation.
    auto wrong_accept = bearer;
    wrong_accept.insert(wrong_accept.end(), {{"Accept", "text/html"}, {"Content-Type", "application/json"}});
    BOOST_TEST(http_request(server.port, "POST", "/mcp", wrong_accept, initialize_message()).status == 406);
}

BOOST_AUTO_TEST_CASE(a_bearer_token_is_served)
{
    auto server = product();
    auto const res = initialize(server, bearer);
    BOOST_TEST(res.status == 200);
    BOOST_TEST(!res.header("Mcp-Session-Id").empty());
    auto const session = mcp_session::open(server.port, "2025-11-25", bearer);
    auto const tools = session.call("tools/list", nullptr, 2, bearer);
    BOOST_TEST(tools.at("result").at("tools").as_array().size() > 0u);
    // The session is not authentication: the next request without credentials is challenged.
    BOOST_TEST(session.post(json::parse(rpc(3, "tools/list"))).status == 401);
}

BOOST_AUTO_TEST_CASE(client_credential_headers_are_served_once_justifi_issues_a_token_for_them)
{
    mock_server mock({"--extra-clients", "client-123:s3cr3t"});
    auto server = product({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}}});
    BOOST_TEST(initialize(server, client_headers).status == 200);
    auto const session = mcp_session::open(server.port, "2025-11-25", client_headers);
    BOOST_TEST(session.call("tools/list", nullptr, 2, client_headers).as_object().contains("result"));
    BOOST_TEST(mock.stats().at("token_requests").to_number<int>() == 1);  // then cached
}

BOOST_AUTO_TEST_CASE(client_credentials_justifi_refuses_get_401_invalid_token_and_are_remembered_briefly)
{
    mock_server mock;
    auto server = product({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}}});
    for (int i = 0; i < 3; ++i) {
        auto const res = initialize(server, client_headers);
        BOOST_TEST(res.status == 401);
        BOOST_TEST(res.header("WWW-Authenticate").find("error=\"invalid_token\"") != std::string::npos);
        BOOST_TEST(res.header("WWW-Authenticate").find("JustiFi refused the client credentials") != std::string::npos);
    }
    BOOST_TEST(mock.stats().at("token_requests").to_number<int>() == 1);
}

BOOST_AUTO_TEST_CASE(a_client_id_that_cannot_be_one_gets_401_invalid_request_without_asking_justifi)
{
    mock_server mock;
    auto server = product({.env = {{"JUSTIFI_BASE_URL", mock.base_url()}}});
    for (auto const& id : {std::string(12 * 1024, 'x'), std::string("test_../../v1/payouts"), std::string("a b"),
                           std::string(129, 'a')}) {
        auto const res = initialize(server, {{"X-Client-Id", id}, {"X-Client-Secret", "s3cr3t"}});
        BOOST_TEST(res.status == 401);
        BOOST_TEST(res.header("WWW-Authenticate").find("error=\"invalid_request\"") != std::string::npos);
        BOOST_TEST(res.json().at("error").at("message").as_string().find("X-Client-Id must be a JustiFi client id") !=
                   std::string::npos);
    }
    auto const bad_secret = initialize(server, {{"X-Client-Id", "test_x"}, {"X-Client-Secret", std::string(600, 's')}});
    BOOST_TEST(bad_secret.status == 401);
    BOOST_TEST(mock.stats().at("token_requests").to_number<int>() == 0);
}

BOOST_AUTO_TEST_CASE(new_client_credentials_past_the_fetch_budget_get_503_with_retry_after_and_no_justifi_call)
{
    mock_server mock;
    auto server = product({.env = {{"JUSTIFI_BASE_URL", mock.base_url()},
                                   {"JUSTIFI_TOKEN_FETCHES_PER_SECOND", "1"},
                                   {"JUSTIFI_TOKEN_FETCH_BURST", "3"},
                                   {"JUSTIFI_TOKEN_CACHE_SIZE", "2"}}});
    int busy = 0, refused = 0;
    for (int i = 0; i < 40; ++i) {
        auto const res = initialize(server, {{"X-Client-Id", "test_rotating_" + std::to_string(i)}, {"X-Client-Secret", "guess"}});
        if (res.status == 503) {
            ++busy;
            BOOST_TEST(res.header("Retry-After") == "1");
            BOOST_TEST(res.json().at("error").at("message").as_string().find("retry in a second") != std::string::npos);
        }
        if (res.status == 401) ++refused;
    }
    auto const asked = mock.stats().at("token_requests").to_number<int>();
    BOOST_TEST(asked == refused);
    BOOST_TEST(busy + refused == 40);
    // The burst, and what one a second adds over the loop's few hundred milliseconds.
    BOOST_TEST(asked >= 3);
    BOOST_TEST(asked <= 5);
    // However many ids came, the cache holds at most its size.
    auto const metrics = http_request(server.port, "GET", "/metrics").body;
    bool const bounded = metrics.find("\njustifi_mcp_token_cache_entries 2") != std::string::npos ||
                         metrics.find("\njustifi_mcp_token_cache_entries 1") != std::string::npos;
    BOOST_TEST(bounded, metrics.substr(metrics.find("\njustifi_mcp_token_cache_entries"), 60));
}

BOOST_AUTO_TEST_CASE(client_credentials_that_cannot_be_checked_get_503_not_a_sign_in)
{
    // A loopback port nobody listens on: JustiFi is down.
    auto server = product({.env = {{"JUSTIFI_BASE_URL", "http://127.0.0.1:9"}, {"JUSTIFI_TIMEOUT", "2s"}}});
    auto const res = initialize(server, client_headers);
    BOOST_TEST(res.status == 503);
    BOOST_TEST(res.header("Retry-After") == "5");
    BOOST_TEST(res.header("WWW-Authenticate").empty());
}

BOOST_AUTO_TEST_CASE(client_credential_headers_can_be_disabled)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}, {"MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS", "false"}}});
    auto const res = initialize(server, client_headers);
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate") == challenge(public_url, default_scopes()));
    auto const message = std::string(res.json().at("error").at("message").as_string());
    BOOST_TEST(message.find("X-Client-Id") == std::string::npos, message);
    // Half a pair is ignored too, rather than refused as malformed.
    BOOST_TEST(initialize(server, {{"X-Client-Id", "client-123"}}).header("WWW-Authenticate") ==
               challenge(public_url, default_scopes()));
    BOOST_TEST(initialize(server, bearer).status == 200);
}

BOOST_AUTO_TEST_CASE(malformed_authorization_gets_invalid_request_with_the_metadata)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}}});
    auto const res = initialize(server, {{"Authorization", "Bearer"}});
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate") ==
               "Bearer error=\"invalid_request\", resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", "
               "error_description=\"Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'\"");
    auto const half = initialize(server, {{"X-Client-Id", "client-123"}});
    BOOST_TEST(half.status == 401);
    BOOST_TEST(half.header("WWW-Authenticate") ==
               "Bearer error=\"invalid_request\", "
               "resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", "
               "error_description=\"X-Client-Id and X-Client-Secret must be sent together\"");
}

BOOST_AUTO_TEST_CASE(auth_none_serves_anonymous_local_clients)
{
    auto server = product({.env = {{"MCP_AUTH", "none"}}});
    auto const res = initialize(server);
    BOOST_TEST(res.status == 200);
    auto const session = mcp_session::open(server.port);
    BOOST_TEST(session.call("tools/list").as_object().contains("result"));
    http_connection stream(server.port);
    stream.send_raw("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: " +
                    session.session_id + "\r\n\r\n");
    BOOST_TEST(stream.read_response_header().status == 200);
}

BOOST_AUTO_TEST_CASE(health_documents_and_preflights_need_no_credentials)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", public_url}}});
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
    BOOST_TEST(http_request(server.port, "HEAD", "/health").status == 200);
    BOOST_TEST(http_request(server.port, "GET", "/.well-known/oauth-protected-resource").status == 200);
    BOOST_TEST(http_request(server.port, "GET", "/.well-known/oauth-protected-resource/mcp").status == 200);
    auto const host = "localhost:" + std::to_string(server.port);
    for (std::string path : {"/", "/mcp"}) {
        auto const res = http_request(server.port, "OPTIONS", path,
                                      {{"Host", host},
                                       {"Origin", inspector_origin},
                                       {"Access-Control-Request-Method", "POST"}});
        BOOST_TEST(res.status == 204, path);
        BOOST_TEST(res.header("Access-Control-Allow-Origin") == inspector_origin, path);
    }
}

BOOST_AUTO_TEST_SUITE_END()
