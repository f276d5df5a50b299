// OAuth discovery through the real product binary: the RFC 9728 protected resource metadata
// at both well-known paths, the public URL it names (configured, from Host, or from a
// trusted proxy such as ngrok), and CORS for browser clients such as MCP Inspector.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

using namespace justifi::test;
namespace json = boost::json;

namespace {

constexpr char const* root_document = "/.well-known/oauth-protected-resource";
constexpr char const* mcp_document = "/.well-known/oauth-protected-resource/mcp";
constexpr char const* inspector_origin = "http://localhost:6274";
constexpr char const* evil_origin = "https://evil.example";

// The product, with no JustiFi credentials and OAuth (the default) as its auth mode.
http_server product(child_options options = {})
{
    options.unset_env.insert(options.unset_env.end(), {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"});
    return http_server(std::move(options), product_binary);
}

std::string local_host(http_server const& server) { return "localhost:" + std::to_string(server.port); }

std::vector<std::string> strings_of(json::value const& array)
{
    std::vector<std::string> out;
    for (auto const& item : array.as_array()) out.emplace_back(item.as_string());
    return out;
}

json::value document(http_server const& server, std::string const& path, header_list const& headers = {})
{
    auto const res = http_request(server.port, "GET", path, headers);
    BOOST_TEST_REQUIRE(res.status == 200, path << ": " << res.status << " " << res.body);
    BOOST_TEST(res.header("Content-Type") == "application/json");
    return res.json();
}

http_response preflight(http_server const& server, std::string const& path, std::string const& origin)
{
    return http_request(server.port, "OPTIONS", path,
                        {{"Host", local_host(server)},
                         {"Origin", origin},
                         {"Access-Control-Request-Method", "POST"},
                         {"Access-Control-Request-Headers", "content-type, authorization, mcp-session-id"}});
}

header_list with_bearer(header_list headers)
{
    headers.emplace_back("Authorization", "Bearer abc.def.ghi");
    return headers;
}

std::string initialize_message()
{
    return rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                 {"capabilities", json::object{}},
                                 {"clientInfo", {{"name", "discovery-test"}, {"version", "1"}}}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(discovery)

BOOST_AUTO_TEST_CASE(both_documents_describe_the_configured_public_url)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", "https://mcp.justifi.ai"},
                                   {"JUSTIFI_OAUTH_SCOPES", "payments:read,payments:write,refunds:read"}}});
    auto const root = document(server, root_document);
    BOOST_TEST(root.at("resource").as_string() == "https://mcp.justifi.ai");
    auto const mcp = document(server, mcp_document);
    BOOST_TEST(mcp.at("resource").as_string() == "https://mcp.justifi.ai/mcp");
    for (auto const* doc : {&root, &mcp}) {
        BOOST_TEST(strings_of(doc->at("authorization_servers")) ==
                       std::vector<std::string>{"https://justifi.us.auth0.com/"},
                   boost::test_tools::per_element());
        BOOST_TEST(strings_of(doc->at("scopes_supported")) ==
                       (std::vector<std::string>{"payments:read", "payments:write", "refunds:read"}),
                   boost::test_tools::per_element());
        BOOST_TEST(strings_of(doc->at("bearer_methods_supported")) == std::vector<std::string>{"header"},
                   boost::test_tools::per_element());
        BOOST_TEST(doc->at("resource_name") == "JustiFi MCP Server");
        BOOST_TEST(doc->at("resource_documentation").is_string());
    }
}

BOOST_AUTO_TEST_CASE(documents_built_from_the_host_header_are_private_and_vary_on_it)
{
    // No MCP_PUBLIC_URL: the resource is the request's Host, so no shared cache may keep it.
    auto plain = product();
    auto const from_host = http_request(plain.port, "GET", mcp_document, {{"Host", "poisoned.example"}});
    BOOST_TEST(from_host.json().at("resource") == "http://poisoned.example/mcp");
    BOOST_TEST(from_host.header("Cache-Control") == "private, max-age=3600");
    BOOST_TEST(from_host.header("Vary") == "Origin, Host");
    auto proxied = product({.env = {{"MCP_TRUST_PROXY", "true"}}});
    auto const via_proxy = http_request(proxied.port, "GET", mcp_document,
                                        {{"X-Forwarded-Host", "client-chosen.example, abc.ngrok.app"},
                                         {"X-Forwarded-Proto", "http, https"}});
    // The values the trusted proxy appended win over what the client sent before them.
    BOOST_TEST(via_proxy.json().at("resource") == "https://abc.ngrok.app/mcp");
    BOOST_TEST(via_proxy.header("Cache-Control") == "private, max-age=3600");
    BOOST_TEST(via_proxy.header("Vary") == "Origin, Host, X-Forwarded-Host, X-Forwarded-Proto");
}

BOOST_AUTO_TEST_CASE(documents_are_cacheable_for_an_hour_and_answer_head)
{
    auto server = product({.env = {{"MCP_PUBLIC_URL", "https://mcp.example.com"}}});
    auto const get = http_request(server.port, "GET", mcp_document);
    BOOST_TEST(get.status == 200);
    BOOST_TEST(get.header("Cache-Control") == "public, max-age=3600");
    BOOST_TEST(get.header("Vary") == "Origin");
    http_connection connection(server.port);
    auto const head = connection.request("HEAD", mcp_document);
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.body.empty());
    BOOST_TEST(head.header("Content-Length") == std::to_string(get.body.size()));
    BOOST_TEST(head.header("Content-Type") == "application/json");
}

BOOST_AUTO_TEST_CASE(without_public_url_the_resource_comes_from_the_host_header_over_http)
{
    auto server = product();
    auto const host = local_host(server);
    BOOST_TEST(document(server, root_document, {{"Host", host}}).at("resource").as_string() == "http://" + host);
    BOOST_TEST(document(server, mcp_document, {{"Host", host}}).at("resource").as_string() == "http://" + host + "/mcp");
}

BOOST_AUTO_TEST_CASE(forwarded_headers_are_ignored_unless_the_proxy_is_trusted)
{
    auto server = product();
    auto const host = local_host(server);
    header_list const headers{{"Host", host}, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "abc.ngrok.app"}};
    BOOST_TEST(document(server, mcp_document, headers).at("resource").as_string() == "http://" + host + "/mcp");
}

BOOST_AUTO_TEST_CASE(behind_ngrok_with_trust_proxy_documents_name_the_https_tunnel)
{
    auto server = product({.env = {{"MCP_TRUST_PROXY", "true"}}});
    // ngrok passes the tunnel's Host through and adds the X-Forwarded-* headers.
    header_list const ngrok{{"Host", "abc.ngrok.app"}, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "abc.ngrok.app"}};
    BOOST_TEST(document(server, root_document, ngrok).at("resource").as_string() == "https://abc.ngrok.app");
    BOOST_TEST(document(server, mcp_document, ngrok).at("resource").as_string() == "https://abc.ngrok.app/mcp");
    // With --host-header=rewrite the Host is local and only X-Forwarded-Host names the tunnel.
    header_list const rewritten{{"Host", local_host(server)}, {"X-Forwarded-Proto", "https"},
                                {"X-Forwarded-Host", "abc.ngrok.app"}};
    BOOST_TEST(document(server, mcp_document, rewritten).at("resource").as_string() == "https://abc.ngrok.app/mcp");
}

BOOST_AUTO_TEST_CASE(behind_ngrok_with_trust_proxy_the_mcp_endpoint_accepts_the_tunnel_host)
{
    auto headers = mcp_post_headers();
    headers.insert(headers.end(), {{"Host", "abc.ngrok.app"}, {"X-Forwarded-Proto", "https"},
                                   {"X-Forwarded-Host", "abc.ngrok.app"}});
    auto trusted = product({.env = {{"MCP_TRUST_PROXY", "true"}}});
    // Past the Host check to the auth stage, whose challenge names the tunnel.
    auto const challenged = http_request(trusted.port, "POST", "/mcp", headers, initialize_message());
    BOOST_TEST(challenged.status == 401);
    BOOST_TEST(challenged.header("WWW-Authenticate")
                   .starts_with("Bearer resource_metadata=\"https://abc.ngrok.app/.well-known/oauth-protected-resource\""));
    headers.insert(headers.end(), {{"Authorization", "Bearer tunnel-token"}});  // passed through unverified here
    BOOST_TEST(http_request(trusted.port, "POST", "/mcp", headers, initialize_message()).status == 200);
    // The same request to a loopback server that trusts no proxy is a rebinding suspect.
    auto untrusted = product();
    BOOST_TEST(http_request(untrusted.port, "POST", "/mcp", headers, initialize_message()).status == 403);
}

BOOST_AUTO_TEST_CASE(trusted_proxy_does_not_excuse_a_host_it_did_not_name)
{
    auto server = product({.env = {{"MCP_TRUST_PROXY", "true"}}});
    auto headers = mcp_post_headers();
    headers.insert(headers.end(), {{"Host", "attacker.example"}, {"X-Forwarded-Host", "abc.ngrok.app"}});
    BOOST_TEST(http_request(server.port, "POST", "/mcp", headers, initialize_message()).status == 403);
}

BOOST_AUTO_TEST_CASE(issuer_override_is_the_advertised_authorization_server)
{
    auto server = product({.env = {{"JUSTIFI_OAUTH_ISSUER", "https://auth.justifi.example/"},
                                   {"JUSTIFI_AUTH0_DOMAIN", "ignored.auth0.com"}}});
    BOOST_TEST(strings_of(document(server, root_document).at("authorization_servers")) ==
                   std::vector<std::string>{"https://auth.justifi.example/"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(auth0_domain_sets_the_default_issuer)
{
    auto server = product({.env = {{"JUSTIFI_AUTH0_DOMAIN", "tenant.eu.auth0.com"}}});
    BOOST_TEST(strings_of(document(server, mcp_document).at("authorization_servers")) ==
                   std::vector<std::string>{"https://tenant.eu.auth0.com/"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(preflight_from_mcp_inspector_is_allowed_on_every_cors_path)
{
    auto server = product();
    for (std::string path : {"/", "/mcp", root_document, mcp_document}) {
        auto const res = preflight(server, path, inspector_origin);
        BOOST_TEST(res.status == 204, path);
        BOOST_TEST(res.header("Access-Control-Allow-Origin") == inspector_origin, path);
        BOOST_TEST(res.header("Vary") == "Origin", path);
        BOOST_TEST(res.header("Access-Control-Allow-Methods") == "GET, POST, DELETE, OPTIONS", path);
        BOOST_TEST(res.header("Access-Control-Allow-Headers") ==
                       "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, "
                       "Mcp-Name, Mcp-Param-Sub-Account, Last-Event-ID, X-Client-Id, X-Client-Secret, Sub-Account, "
                       "traceparent, tracestate",
                   path);
        BOOST_TEST(res.header("Access-Control-Expose-Headers") == "Mcp-Session-Id, WWW-Authenticate", path);
        BOOST_TEST(res.header("Access-Control-Max-Age") == "86400", path);
        BOOST_TEST(res.body.empty(), path);
    }
}

BOOST_AUTO_TEST_CASE(preflight_from_an_evil_origin_is_forbidden_on_every_cors_path)
{
    auto server = product();
    for (std::string path : {"/", "/mcp", root_document, mcp_document}) {
        auto const res = preflight(server, path, evil_origin);
        BOOST_TEST(res.status == 403, path);
        BOOST_TEST(res.header("Access-Control-Allow-Origin").empty(), path);
        BOOST_TEST(res.body.find("MCP_ALLOWED_ORIGINS") != std::string::npos, path);
    }
}

BOOST_AUTO_TEST_CASE(options_without_origin_answers_204_with_allow_and_no_cors_grant)
{
    auto server = product();
    auto const mcp = http_request(server.port, "OPTIONS", "/mcp");
    BOOST_TEST(mcp.status == 204);
    BOOST_TEST(mcp.header("Allow") == "GET, POST, OPTIONS");
    BOOST_TEST(mcp.header("Access-Control-Allow-Origin").empty());
    auto const doc = http_request(server.port, "OPTIONS", root_document);
    BOOST_TEST(doc.status == 204);
    BOOST_TEST(doc.header("Allow") == "GET, HEAD, OPTIONS");
}

BOOST_AUTO_TEST_CASE(mcp_responses_to_an_allowed_origin_expose_the_session_header)
{
    auto server = product();
    auto headers = mcp_post_headers();
    headers.insert(headers.end(), {{"Origin", inspector_origin}, {"Host", local_host(server)}});
    // The 401 challenge is readable by the browser client too.
    auto const challenged = http_request(server.port, "POST", "/mcp", headers, initialize_message());
    BOOST_TEST(challenged.status == 401);
    BOOST_TEST(challenged.header("Access-Control-Allow-Origin") == inspector_origin);
    BOOST_TEST(challenged.header("Access-Control-Expose-Headers") == "Mcp-Session-Id, WWW-Authenticate");
    headers.emplace_back("Authorization", "Bearer abc.def.ghi");
    auto const res = http_request(server.port, "POST", "/mcp", headers, initialize_message());
    BOOST_TEST(res.status == 200);
    BOOST_TEST(!res.header("Mcp-Session-Id").empty());
    BOOST_TEST(res.header("Access-Control-Allow-Origin") == inspector_origin);
    BOOST_TEST(res.header("Access-Control-Expose-Headers") == "Mcp-Session-Id, WWW-Authenticate");

    auto const no_origin = http_request(server.port, "POST", "/mcp", with_bearer(mcp_post_headers()), initialize_message());
    BOOST_TEST(no_origin.status == 200);
    BOOST_TEST(no_origin.header("Access-Control-Allow-Origin").empty());
}

BOOST_AUTO_TEST_CASE(delete_from_an_allowed_origin_gets_a_readable_405)
{
    auto server = product();
    auto const res = http_request(server.port, "DELETE", "/mcp", {{"Origin", inspector_origin}, {"Mcp-Session-Id", "x"}});
    BOOST_TEST(res.status == 405);
    BOOST_TEST(res.header("Allow") == "GET, POST, OPTIONS");
    BOOST_TEST(res.header("Access-Control-Allow-Origin") == inspector_origin);
    auto const evil = http_request(server.port, "DELETE", "/mcp", {{"Origin", evil_origin}});
    BOOST_TEST(evil.header("Access-Control-Allow-Origin").empty());
}

BOOST_AUTO_TEST_CASE(documents_grant_cors_only_to_allowed_origins)
{
    auto server = product();
    auto const allowed = http_request(server.port, "GET", mcp_document, {{"Origin", inspector_origin}});
    BOOST_TEST(allowed.status == 200);
    BOOST_TEST(allowed.header("Access-Control-Allow-Origin") == inspector_origin);
    // Public data: served, but a page from another origin may not read it.
    auto const evil = http_request(server.port, "GET", mcp_document, {{"Origin", evil_origin}});
    BOOST_TEST(evil.status == 200);
    BOOST_TEST(evil.header("Access-Control-Allow-Origin").empty());
    BOOST_TEST(evil.header("Vary") == "Origin, Host");
}

BOOST_AUTO_TEST_CASE(health_and_documents_need_no_credentials)
{
    auto server = product();
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
    BOOST_TEST(http_request(server.port, "GET", root_document).status == 200);
    BOOST_TEST(http_request(server.port, "GET", mcp_document).status == 200);
}

BOOST_AUTO_TEST_CASE(documents_skip_the_host_allow_list_but_refuse_a_malformed_host)
{
    auto server = product();
    // Public and side-effect free: a foreign name only gets the same document about itself.
    BOOST_TEST(document(server, root_document, {{"Host", "attacker.example"}}).at("resource") ==
               "http://attacker.example");
    auto const malformed = http_request(server.port, "GET", root_document, {{"Host", "attacker.example/x"}});
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(malformed.body.find("MCP_PUBLIC_URL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(documents_refuse_writes_with_405_and_their_allow_header)
{
    auto server = product();
    auto const res = http_request(server.port, "POST", root_document, {}, "{}");
    BOOST_TEST(res.status == 405);
    BOOST_TEST(res.header("Allow") == "GET, HEAD, OPTIONS");
    BOOST_TEST(http_request(server.port, "GET", "/.well-known/oauth-protected-resource/other").status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
