// OAuth 2.0 Protected Resource Metadata (RFC 9728): the document an MCP client reads to
// find the authorization server and the scopes for this server.
#include "server/config.hpp"
#include "auth/oauth_metadata.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace json = boost::json;
namespace oauth = justifi::auth::oauth;

namespace {

std::vector<std::string> strings_of(json::value const& array)
{
    std::vector<std::string> out;
    for (auto const& item : array.as_array()) out.emplace_back(item.as_string());
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(oauth_metadata)

BOOST_AUTO_TEST_CASE(root_document_names_the_base_url_as_resource)
{
    auto const doc = oauth::protected_resource_metadata("https://mcp.justifi.ai", "", "https://justifi.us.auth0.com/",
                                                        {"payments:read"});
    BOOST_TEST(doc.at("resource") == "https://mcp.justifi.ai");
}

BOOST_AUTO_TEST_CASE(path_suffixed_document_names_the_mcp_endpoint_as_resource)
{
    auto const doc = oauth::protected_resource_metadata("https://mcp.justifi.ai", "/mcp",
                                                        "https://justifi.us.auth0.com/", {"payments:read"});
    BOOST_TEST(doc.at("resource") == "https://mcp.justifi.ai/mcp");
}

BOOST_AUTO_TEST_CASE(authorization_servers_is_an_array_of_issuer_strings)
{
    // RFC 9728: issuer identifiers, not objects; the trailing slash is part of Auth0's issuer.
    auto const doc = oauth::protected_resource_metadata("http://localhost:8080", "", "https://justifi.us.auth0.com/",
                                                        {"payments:read"});
    BOOST_REQUIRE(doc.at("authorization_servers").is_array());
    BOOST_TEST(strings_of(doc.at("authorization_servers")) == std::vector<std::string>{"https://justifi.us.auth0.com/"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(scopes_are_listed_in_configured_order)
{
    std::vector<std::string> const scopes{"payouts:read", "payments:read", "payments:write"};
    auto const doc = oauth::protected_resource_metadata("https://mcp.justifi.ai", "", "https://issuer.example/", scopes);
    BOOST_TEST(strings_of(doc.at("scopes_supported")) == scopes, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(default_scopes_cover_the_justifi_api)
{
    auto const doc = oauth::protected_resource_metadata("https://mcp.justifi.ai", "", "https://issuer.example/",
                                                        justifi::server::config::default_oauth_scopes());
    auto const scopes = strings_of(doc.at("scopes_supported"));
    BOOST_TEST(scopes.size() == 14u);
    BOOST_TEST(scopes.front() == "payments:read");
    BOOST_TEST(scopes.back() == "proceeds:read");
}

BOOST_AUTO_TEST_CASE(tokens_go_in_the_authorization_header_only)
{
    auto const doc = oauth::protected_resource_metadata("https://mcp.justifi.ai", "", "https://issuer.example/", {"a"});
    BOOST_TEST(strings_of(doc.at("bearer_methods_supported")) == std::vector<std::string>{"header"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(document_names_the_server_and_its_documentation)
{
    auto const doc = oauth::protected_resource_metadata("https://mcp.justifi.ai", "", "https://issuer.example/", {"a"});
    BOOST_TEST(doc.at("resource_name") == "JustiFi MCP Server");
    BOOST_TEST(doc.at("resource_documentation") == "https://docs.justifi.tech");
    // Nothing beyond the RFC 9728 fields this server means to publish.
    BOOST_TEST(doc.size() == 6u);
}

// ---- the 401 challenge (WWW-Authenticate)

BOOST_AUTO_TEST_CASE(challenge_names_the_metadata_and_the_scopes_byte_for_byte)
{
    BOOST_TEST(oauth::bearer_challenge("https://mcp.justifi.ai", {"payments:read", "payouts:write"}) ==
               R"(Bearer resource_metadata="https://mcp.justifi.ai/.well-known/oauth-protected-resource", )"
               R"(scope="payments:read payouts:write")");
    BOOST_TEST(oauth::bearer_challenge("http://localhost:8080", {"a"}) ==
               R"(Bearer resource_metadata="http://localhost:8080/.well-known/oauth-protected-resource", scope="a")");
}

BOOST_AUTO_TEST_CASE(challenge_with_the_default_scopes)
{
    std::string scopes;
    for (auto const& scope : justifi::server::config::default_oauth_scopes()) scopes += (scopes.empty() ? "" : " ") + scope;
    BOOST_TEST(oauth::bearer_challenge("https://mcp.justifi.ai", justifi::server::config::default_oauth_scopes()) ==
               "Bearer resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", scope=\"" +
                   scopes + "\"");
    BOOST_TEST(scopes.starts_with("payments:read payments:write payouts:read"));
}

BOOST_AUTO_TEST_CASE(challenge_without_scopes_leaves_scope_out)
{
    BOOST_TEST(oauth::bearer_challenge("https://mcp.justifi.ai", {}) ==
               R"(Bearer resource_metadata="https://mcp.justifi.ai/.well-known/oauth-protected-resource")");
}

BOOST_AUTO_TEST_CASE(error_descriptions_keep_to_the_characters_rfc_6750_allows)
{
    BOOST_TEST(oauth::invalid_request_challenge("https://mcp.justifi.ai", "use \"Bearer <token>\" \\ h\u00e9re\n") ==
               R"(Bearer error="invalid_request", )"
               R"(resource_metadata="https://mcp.justifi.ai/.well-known/oauth-protected-resource", )"
               R"(error_description="use 'Bearer <token>'   h  re ")");
}

BOOST_AUTO_TEST_CASE(invalid_token_challenge_names_the_scopes_to_ask_for_again)
{
    BOOST_TEST(oauth::invalid_token_challenge("https://mcp.justifi.ai", {"payments:read", "refunds:write"},
                                              "the token has expired; get a new one") ==
               R"(Bearer error="invalid_token", scope="payments:read refunds:write", )"
               R"(resource_metadata="https://mcp.justifi.ai/.well-known/oauth-protected-resource", )"
               R"(error_description="the token has expired; get a new one")");
}

BOOST_AUTO_TEST_CASE(insufficient_scope_challenge_is_byte_for_byte_the_step_up_form)
{
    BOOST_TEST(oauth::insufficient_scope_challenge("https://mcp.justifi.ai", "payments:write",
                                                   "create_payment needs the payments:write scope") ==
               R"(Bearer error="insufficient_scope", scope="payments:write", )"
               R"(resource_metadata="https://mcp.justifi.ai/.well-known/oauth-protected-resource", )"
               R"(error_description="create_payment needs the payments:write scope")");
}

BOOST_AUTO_TEST_CASE(resource_metadata_url_is_the_root_document)
{
    BOOST_TEST(oauth::resource_metadata_url("http://127.0.0.1:9000") ==
               "http://127.0.0.1:9000/.well-known/oauth-protected-resource");
}

BOOST_AUTO_TEST_CASE(dpop_is_advertised_and_offline_access_never_is)
{
    auto const plain = oauth::protected_resource_metadata("https://mcp.justifi.ai", "/mcp", "https://i.example/",
                                                          {"payments:read", "offline_access"});
    BOOST_TEST(strings_of(plain.at("scopes_supported")) == std::vector<std::string>{"payments:read"});
    BOOST_TEST(!plain.contains("dpop_signing_alg_values_supported"));
    auto const offered = oauth::protected_resource_metadata("https://mcp.justifi.ai", "/mcp", "https://i.example/",
                                                            {"payments:read"}, {.supported = true});
    BOOST_TEST(strings_of(offered.at("dpop_signing_alg_values_supported")) ==
               (std::vector<std::string>{"ES256", "RS256"}));
    BOOST_TEST(!offered.contains("dpop_bound_access_tokens_required"));
    auto const required = oauth::protected_resource_metadata("https://mcp.justifi.ai", "/mcp", "https://i.example/",
                                                             {"payments:read"}, {.supported = true, .required = true});
    BOOST_TEST(required.at("dpop_bound_access_tokens_required") == true);
    BOOST_TEST(oauth::bearer_challenge("https://mcp.justifi.ai", {"offline_access", "payments:read"}) ==
               "Bearer resource_metadata=\"https://mcp.justifi.ai/.well-known/oauth-protected-resource\", "
               "scope=\"payments:read\"");
}

BOOST_AUTO_TEST_CASE(challenges_offer_bearer_then_dpop_with_its_algorithms_or_dpop_alone)
{
    oauth::challenge_options const both{.bearer = true, .dpop = true, .resource_path = "/mcp"};
    BOOST_TEST(oauth::bearer_challenge("https://m.example", {"payments:read"}, both) ==
               "Bearer resource_metadata=\"https://m.example/.well-known/oauth-protected-resource/mcp\", "
               "scope=\"payments:read\", "
               "DPoP resource_metadata=\"https://m.example/.well-known/oauth-protected-resource/mcp\", "
               "scope=\"payments:read\", algs=\"ES256 RS256\"");
    oauth::challenge_options const dpop_only{.bearer = false, .dpop = true};
    BOOST_TEST(oauth::insufficient_scope_challenge("https://m.example", "refunds:write payments:read", "needs them",
                                                   dpop_only) ==
               "DPoP error=\"insufficient_scope\", scope=\"refunds:write payments:read\", "
               "resource_metadata=\"https://m.example/.well-known/oauth-protected-resource\", algs=\"ES256 RS256\", "
               "error_description=\"needs them\"");
    // A bad proof: the DPoP challenge names the error; the Bearer one only where to start.
    BOOST_TEST(oauth::invalid_dpop_proof_challenge("https://m.example", "htu differs", both) ==
               "Bearer resource_metadata=\"https://m.example/.well-known/oauth-protected-resource/mcp\", "
               "DPoP error=\"invalid_dpop_proof\", "
               "resource_metadata=\"https://m.example/.well-known/oauth-protected-resource/mcp\", "
               "algs=\"ES256 RS256\", error_description=\"htu differs\"");
}

BOOST_AUTO_TEST_SUITE_END()
