// HTTP rules of the Streamable HTTP transport: routing, content negotiation and the
// Origin/Host checks that stop DNS-rebinding attacks on a local server.
#include "server/http_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

namespace rules = justifi::server::http_rules;

namespace {

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

// A server bound to loopback with no configuration: the case DNS rebinding targets.
rules::origin_policy local_policy() { return rules::default_policy("127.0.0.1", "", {}, {}); }

bool allowed(rules::origin_policy const& policy, std::string_view origin, std::string_view host,
             std::string_view forwarded_host = {})
{
    return rules::check_origin_and_host(policy, origin, host, forwarded_host).has_value();
}

// The words of an origin_forbidden refusal ("" when the request may proceed).
std::string refused_because(rules::origin_policy const& policy, std::string_view origin, std::string_view host)
{
    auto const checked = rules::check_origin_and_host(policy, origin, host);
    if (checked) return {};
    BOOST_TEST((checked.error().code == justifi::core::errc::origin_forbidden));
    return checked.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_rules)

// ---- routing

BOOST_AUTO_TEST_CASE(mcp_endpoint_at_root_and_mcp)
{
    for (auto target : {"/", "/mcp", "/mcp?session=1", "/?x"}) {
        for (auto method : {"GET", "POST"}) {
            auto const m = rules::match(target, method);
            BOOST_TEST((m.target == rules::route::mcp), target);
            BOOST_TEST(m.method_allowed, target << " " << method);
        }
    }
}

BOOST_AUTO_TEST_CASE(mcp_endpoint_allows_options_for_cors_preflight)
{
    for (auto target : {"/", "/mcp"}) {
        auto const m = rules::match(target, "OPTIONS");
        BOOST_TEST((m.target == rules::route::mcp), target);
        BOOST_TEST(m.method_allowed, target);
    }
}

BOOST_AUTO_TEST_CASE(mcp_endpoint_refuses_other_methods_with_allow_header)
{
    // DELETE too: sessions are signed tokens with nothing on the server to end.
    for (auto method : {"DELETE", "PUT", "PATCH", "HEAD", "post", "options"}) {
        auto const m = rules::match("/mcp", method);
        BOOST_TEST((m.target == rules::route::mcp));
        BOOST_TEST(!m.method_allowed, method);
        BOOST_TEST(m.allow == "GET, POST, OPTIONS");
    }
}

BOOST_AUTO_TEST_CASE(resource_metadata_documents_at_both_well_known_paths)
{
    auto const root = rules::match("/.well-known/oauth-protected-resource", "GET");
    BOOST_TEST((root.target == rules::route::resource_metadata));
    BOOST_TEST(root.method_allowed);
    BOOST_TEST(root.resource_path == "");
    auto const mcp = rules::match("/.well-known/oauth-protected-resource/mcp?x=1", "GET");
    BOOST_TEST((mcp.target == rules::route::resource_metadata));
    BOOST_TEST(mcp.resource_path == "/mcp");
    for (auto method : {"HEAD", "OPTIONS"})
        BOOST_TEST(rules::match("/.well-known/oauth-protected-resource/mcp", method).method_allowed, method);
}

BOOST_AUTO_TEST_CASE(resource_metadata_refuses_writes_with_allow_header)
{
    for (auto method : {"POST", "DELETE", "PUT"}) {
        auto const m = rules::match("/.well-known/oauth-protected-resource", method);
        BOOST_TEST((m.target == rules::route::resource_metadata));
        BOOST_TEST(!m.method_allowed, method);
        BOOST_TEST(m.allow == "GET, HEAD, OPTIONS");
    }
}

BOOST_AUTO_TEST_CASE(other_well_known_paths_are_not_found)
{
    for (auto target : {"/.well-known/oauth-protected-resource/", "/.well-known/oauth-protected-resource/other",
                        "/.well-known/oauth-protected-resourcex", "/.well-known/oauth-authorization-server",
                        "/.well-known/openid-configuration", "/mcp/.well-known/oauth-protected-resource"}) {
        BOOST_TEST((rules::match(target, "GET").target == rules::route::not_found), target);
    }
}

BOOST_AUTO_TEST_CASE(health_does_not_take_options)
{
    auto const m = rules::match("/health", "OPTIONS");
    BOOST_TEST(!m.method_allowed);
    BOOST_TEST(m.allow == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(health_allows_get_and_head_only)
{
    BOOST_TEST(rules::match("/health", "GET").method_allowed);
    BOOST_TEST(rules::match("/health?verbose", "HEAD").method_allowed);
    auto const post = rules::match("/health", "POST");
    BOOST_TEST((post.target == rules::route::health));
    BOOST_TEST(!post.method_allowed);
    BOOST_TEST(post.allow == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(other_paths_are_not_found)
{
    for (auto target : {"/mcp/", "/MCP", "/mcpx", "/healthz", "/health/", "", "/sse", "/messages"}) {
        auto const m = rules::match(target, "GET");
        BOOST_TEST((m.target == rules::route::not_found), "target \"" << target << "\"");
        BOOST_TEST(!m.method_allowed);
    }
}

// ---- content negotiation

BOOST_AUTO_TEST_CASE(accepts_exact_types)
{
    BOOST_TEST(rules::accepts("application/json, text/event-stream", {"application/json", "text/event-stream"}));
    BOOST_TEST(rules::accepts("text/event-stream,application/json", {"application/json", "text/event-stream"}));
    BOOST_TEST(rules::accepts("application/json", {"application/json"}));
}

BOOST_AUTO_TEST_CASE(accept_requires_every_listed_type)
{
    // A POST must accept both JSON and SSE; one of them is not enough.
    BOOST_TEST(!rules::accepts("application/json", {"application/json", "text/event-stream"}));
    BOOST_TEST(!rules::accepts("text/event-stream", {"application/json", "text/event-stream"}));
    BOOST_TEST(!rules::accepts("", {"application/json"}));
    BOOST_TEST(!rules::accepts("text/html", {"application/json"}));
}

BOOST_AUTO_TEST_CASE(accept_wildcards)
{
    BOOST_TEST(rules::accepts("*/*", {"application/json", "text/event-stream"}));
    BOOST_TEST(rules::accepts("application/*, text/*", {"application/json", "text/event-stream"}));
    BOOST_TEST(!rules::accepts("application/*", {"application/json", "text/event-stream"}));
    // A family wildcard does not leak into another family.
    BOOST_TEST(!rules::accepts("text/*", {"application/json"}));
}

BOOST_AUTO_TEST_CASE(accept_ignores_parameters_whitespace_and_case)
{
    BOOST_TEST(rules::accepts(" Application/JSON ; charset=utf-8 ,\ttext/event-stream;q=0.9",
                              {"application/json", "text/event-stream"}));
    BOOST_TEST(rules::accepts("application/json;q=1", {"application/json"}));
    BOOST_TEST(rules::accepts("application/json;q=0.5", {"application/json"}));
}

BOOST_AUTO_TEST_CASE(accept_q_zero_refuses_type)
{
    // q=0 means "not acceptable" (RFC 9110 12.4.2), even next to a wildcard for it.
    BOOST_TEST(!rules::accepts("application/json;q=0, text/event-stream", {"application/json"}));
    BOOST_TEST(!rules::accepts("application/json; q=0", {"application/json"}));
    BOOST_TEST(rules::accepts("application/json;q=0, application/*", {"application/json"}));
}

BOOST_AUTO_TEST_CASE(accept_q_zero_with_decimals_refuses_type)
{
    // RFC 9110 qvalue grammar: "0" [ "." 0*3DIGIT ], so q=0.0 and q=0.000 are also weight 0.
    BOOST_TEST(!rules::accepts("application/json;q=0.0", {"application/json"}));
    BOOST_TEST(!rules::accepts("application/json;q=0.000", {"application/json"}));
}

BOOST_AUTO_TEST_CASE(json_content_type_detection)
{
    BOOST_TEST(rules::is_json_content_type("application/json"));
    BOOST_TEST(rules::is_json_content_type("application/json; charset=utf-8"));
    BOOST_TEST(rules::is_json_content_type(" Application/JSON "));
    BOOST_TEST(!rules::is_json_content_type(""));
    BOOST_TEST(!rules::is_json_content_type("text/json"));
    BOOST_TEST(!rules::is_json_content_type("application/json-seq"));
    BOOST_TEST(!rules::is_json_content_type("application/x-www-form-urlencoded"));
    BOOST_TEST(!rules::is_json_content_type("text/plain; x=application/json"));
}

// ---- host_without_port

BOOST_AUTO_TEST_CASE(host_without_port_strips_port_and_lowercases)
{
    BOOST_TEST(rules::host_without_port("example.com:8080") == "example.com");
    BOOST_TEST(rules::host_without_port("Example.COM") == "example.com");
    BOOST_TEST(rules::host_without_port("[::1]:80") == "[::1]");
    BOOST_TEST(rules::host_without_port("[::1]") == "[::1]");
    BOOST_TEST(rules::host_without_port(" localhost:3000 ") == "localhost");
    BOOST_TEST(rules::host_without_port("") == "");
}

// ---- default_policy

BOOST_AUTO_TEST_CASE(loopback_default_checks_localhost_hosts)
{
    for (auto bind : {"127.0.0.1", "::1", "127.0.0.2"}) {
        auto const p = rules::default_policy(bind, "", {}, {});
        BOOST_TEST(p.check_host, bind);
        BOOST_TEST(p.localhost_origins, bind);
        std::vector<std::string> const expected{"localhost", "127.0.0.1", "[::1]"};
        BOOST_TEST(p.allowed_hosts == expected, boost::test_tools::per_element());
        BOOST_TEST(p.allowed_origins.empty());
    }
}

BOOST_AUTO_TEST_CASE(routable_bind_does_not_guess_host_names)
{
    // Behind a load balancer the server cannot know the names it is reached by.
    auto const p = rules::default_policy("0.0.0.0", "", {}, {});
    BOOST_TEST(!p.check_host);
    BOOST_TEST(p.allowed_hosts.empty());
    BOOST_TEST(allowed(p, "", "anything.example.com"));
}

BOOST_AUTO_TEST_CASE(configured_lists_replace_defaults)
{
    auto const p = rules::default_policy("127.0.0.1", "", {"https://app.example.com"}, {"mcp.example.com"});
    BOOST_TEST(p.check_host);
    BOOST_TEST(!p.localhost_origins);  // an explicit origin list is the whole list
    BOOST_TEST(p.allowed_hosts == std::vector<std::string>{"mcp.example.com"}, boost::test_tools::per_element());
    BOOST_TEST(!allowed(p, "", "localhost"));
    BOOST_TEST(!allowed(p, "http://localhost:3000", "mcp.example.com"));
    BOOST_TEST(allowed(p, "https://app.example.com", "mcp.example.com:443"));
}

BOOST_AUTO_TEST_CASE(configured_hosts_are_checked_on_routable_bind)
{
    auto const p = rules::default_policy("0.0.0.0", "", {}, {"mcp.example.com"});
    BOOST_TEST(p.check_host);
    BOOST_TEST(allowed(p, "", "MCP.example.com:8080"));
    BOOST_TEST(!allowed(p, "", "evil.example.com"));
}

BOOST_AUTO_TEST_CASE(public_url_adds_its_origin_and_host)
{
    auto const p = rules::default_policy("127.0.0.1", "https://MCP.Justifi.ai/base", {}, {});
    BOOST_TEST(p.allowed_origins == std::vector<std::string>{"https://mcp.justifi.ai"},
               boost::test_tools::per_element());
    BOOST_TEST(p.allowed_hosts.back() == "mcp.justifi.ai");
    BOOST_TEST(allowed(p, "https://mcp.justifi.ai", "mcp.justifi.ai"));
    // Localhost stays allowed: no origin list was configured.
    BOOST_TEST(allowed(p, "http://localhost:5173", "localhost:8080"));
}

BOOST_AUTO_TEST_CASE(public_url_is_not_duplicated)
{
    auto const p =
        rules::default_policy("127.0.0.1", "https://mcp.example.com", {"https://mcp.example.com"}, {"mcp.example.com"});
    BOOST_TEST(p.allowed_origins.size() == 1u);
    BOOST_TEST(p.allowed_hosts.size() == 1u);
}

BOOST_AUTO_TEST_CASE(public_url_host_not_added_when_hosts_unchecked)
{
    auto const p = rules::default_policy("10.0.0.5", "https://mcp.example.com:8443", {}, {});
    BOOST_TEST(!p.check_host);
    BOOST_TEST(p.allowed_hosts.empty());
    BOOST_TEST(p.allowed_origins == std::vector<std::string>{"https://mcp.example.com:8443"},
               boost::test_tools::per_element());
}

// ---- check_origin_and_host

BOOST_AUTO_TEST_CASE(localhost_origin_any_port_allowed)
{
    auto const p = local_policy();
    for (auto origin : {"http://localhost", "http://localhost:3000", "https://localhost:443", "http://127.0.0.1:5173",
                        "http://[::1]:8080", "HTTP://LOCALHOST:1"})
        BOOST_TEST(allowed(p, origin, "localhost:8080"), origin);
}

BOOST_AUTO_TEST_CASE(origin_from_evil_host_is_forbidden)
{
    auto const p = local_policy();
    auto const why = refused_because(p, "https://evil.example", "localhost:8080");
    BOOST_REQUIRE(!why.empty());
    BOOST_TEST(why == "Origin \"https://evil.example\" is not allowed (see MCP_ALLOWED_ORIGINS)");
}

BOOST_AUTO_TEST_CASE(lookalike_localhost_origins_are_forbidden)
{
    auto const p = local_policy();
    for (auto origin : {"http://localhost.evil.com", "http://evil.com/localhost", "http://evil.com?localhost",
                        "http://localhost@evil.com", "ftp://localhost", "file://localhost", "null", "localhost:3000"})
        BOOST_TEST(!allowed(p, origin, "localhost"), origin);
}

BOOST_AUTO_TEST_CASE(a_refused_origin_or_host_is_quoted_as_utf8_and_kept_short)
{
    // HTTP lets a header carry any byte above 0x7F; the message goes into a JSON body.
    auto const p = local_policy();
    auto const why = refused_because(p, "http://caf\xE9.example", "localhost:8080");
    BOOST_REQUIRE(!why.empty());
    BOOST_TEST(why == "Origin \"http://caf?.example\" is not allowed (see MCP_ALLOWED_ORIGINS)");
    BOOST_TEST(rules::quotable(std::string(500, 'x')) == std::string(200, 'x') + "...");
    BOOST_TEST(rules::quotable("2025-11-25") == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(web_urls_whose_host_could_be_read_two_ways_are_refused)
{
    // Found by fuzz.http_rules: "[::1]:x" came out as a host.
    for (auto const* text : {"http://[::1]:x:", "http://[::1]x", "http://[fe80::1%25eth0]/", "http://[]/", "http://[::1"})
        BOOST_TEST(!rules::parse_web_url(text), text);
    auto const v6 = rules::parse_web_url("http://[::1]:8080/mcp");
    BOOST_REQUIRE(v6);
    BOOST_TEST(v6->host == "[::1]");
    BOOST_TEST(v6->port == "8080");
    auto const name = rules::parse_web_url("https://MCP.Example.com/");
    BOOST_REQUIRE(name);
    BOOST_TEST(name->host == "mcp.example.com");
    BOOST_TEST(name->port.empty());
}

BOOST_AUTO_TEST_CASE(ipv4_prefixed_domain_origin_is_forbidden)
{
    // "127.0.0.1.evil.example" is a domain anyone can register and point anywhere.
    // Boost.URL 1.81 (boostorg/url#755) parses it as host 127.0.0.1 plus path
    // ".evil.example", so it must not be trusted as a localhost origin.
    auto const origin = "http://127.0.0.1.evil.example";
    BOOST_TEST(!allowed(local_policy(), origin, "localhost:8080"));
    // Where it matters most: a routable bind has no Host check, so Origin is the only defence.
    BOOST_TEST(!allowed(rules::default_policy("0.0.0.0", "", {}, {}), origin, "mcp.example.com"));
    BOOST_TEST(!allowed(rules::default_policy("0.0.0.0", "", {}, {}), "https://127.0.0.1.evil.example:8443",
                        "mcp.example.com"));
}

BOOST_AUTO_TEST_CASE(public_url_with_ipv4_prefixed_domain_keeps_full_host)
{
    // Same parser quirk, other direction: a real public name like 10.1.2.3.nip.io
    // must be allowed as itself, not truncated to the address 10.1.2.3.
    auto const p = rules::default_policy("127.0.0.1", "https://10.1.2.3.nip.io", {}, {});
    BOOST_TEST(p.allowed_origins == std::vector<std::string>{"https://10.1.2.3.nip.io"},
               boost::test_tools::per_element());
    BOOST_TEST(p.allowed_hosts.back() == "10.1.2.3.nip.io");
}

BOOST_AUTO_TEST_CASE(missing_origin_is_allowed)
{
    // Non-browser clients send no Origin; only the Host check applies to them.
    BOOST_TEST(allowed(local_policy(), "", "127.0.0.1:8080"));
}

BOOST_AUTO_TEST_CASE(rebound_host_is_forbidden)
{
    // DNS rebinding: the browser's Host is the attacker's name resolving to 127.0.0.1.
    auto const why = refused_because(local_policy(), "", "attacker.example:8080");
    BOOST_REQUIRE(!why.empty());
    BOOST_TEST(why == "Host \"attacker.example:8080\" is not allowed (see MCP_ALLOWED_HOSTS)");
}

BOOST_AUTO_TEST_CASE(host_check_runs_before_origin_check)
{
    // Even a good Origin does not excuse a bad Host.
    auto const why = refused_because(local_policy(), "http://localhost:3000", "attacker.example");
    BOOST_REQUIRE(!why.empty());
    BOOST_TEST(contains(why, "Host \"attacker.example\""));
}

BOOST_AUTO_TEST_CASE(missing_host_is_forbidden_when_checked)
{
    auto const why = refused_because(local_policy(), "", "");
    BOOST_REQUIRE(!why.empty());
    BOOST_TEST(why == "a Host header is required");
}

BOOST_AUTO_TEST_CASE(localhost_hosts_allowed_with_any_port_and_case)
{
    auto const p = local_policy();
    for (auto host : {"localhost", "LOCALHOST:8080", "127.0.0.1:1", "[::1]:8080", "[::1]"})
        BOOST_TEST(allowed(p, "", host), host);
}

BOOST_AUTO_TEST_CASE(wildcards_allow_everything)
{
    auto const p = rules::default_policy("127.0.0.1", "", {"*"}, {"*"});
    BOOST_TEST(allowed(p, "https://anything.example", "any.example:1234"));
    BOOST_TEST(allowed(p, "null", ""));
}

BOOST_AUTO_TEST_CASE(configured_origin_must_match_exactly)
{
    auto const p = rules::default_policy("0.0.0.0", "", {"https://app.example.com"}, {});
    BOOST_TEST(allowed(p, "https://app.example.com", ""));
    BOOST_TEST(allowed(p, "HTTPS://APP.EXAMPLE.COM", ""));  // scheme and host compare case-insensitively
    BOOST_TEST(!allowed(p, "http://app.example.com", ""));   // other scheme
    BOOST_TEST(!allowed(p, "https://app.example.com:8443", ""));  // other port
    BOOST_TEST(!allowed(p, "https://sub.app.example.com", ""));
}

// ---- X-Forwarded-Host under MCP_TRUST_PROXY

BOOST_AUTO_TEST_CASE(host_named_by_trusted_proxy_passes_the_loopback_host_check)
{
    // ngrok passes Host through and reports it in X-Forwarded-Host.
    BOOST_TEST(allowed(local_policy(), "", "abc.ngrok.app", "abc.ngrok.app"));
    // A chain: the proxy's own entry is the last one.
    BOOST_TEST(allowed(local_policy(), "", "ABC.ngrok.app:443", "client-sent.example, abc.ngrok.app"));
    BOOST_TEST(!allowed(local_policy(), "", "evil.example", "evil.example, abc.ngrok.app"));
    // With --host-header=rewrite the Host is localhost, which passes anyway.
    BOOST_TEST(allowed(local_policy(), "", "localhost:8080", "abc.ngrok.app"));
}

BOOST_AUTO_TEST_CASE(forwarded_host_does_not_excuse_another_host_or_a_bad_origin)
{
    BOOST_TEST(!allowed(local_policy(), "", "evil.example", "abc.ngrok.app"));
    BOOST_TEST(!allowed(local_policy(), "", "abc.ngrok.app", ""));
    BOOST_TEST(!allowed(local_policy(), "https://evil.example", "abc.ngrok.app", "abc.ngrok.app"));
}

// ---- CORS

BOOST_AUTO_TEST_CASE(origin_allowed_follows_the_origin_policy)
{
    BOOST_TEST(rules::origin_allowed(local_policy(), "http://localhost:6274"));
    BOOST_TEST(!rules::origin_allowed(local_policy(), ""));
    BOOST_TEST(!rules::origin_allowed(local_policy(), "https://evil.example"));
    BOOST_TEST(!rules::origin_allowed(local_policy(), "http://127.0.0.1.evil.example"));
    BOOST_TEST(rules::origin_allowed(rules::default_policy("0.0.0.0", "", {"*"}, {}), "https://any.example"));
}

BOOST_AUTO_TEST_CASE(preflight_for_allowed_origin_echoes_it_with_methods_headers_and_max_age)
{
    auto const headers = rules::cors_headers(local_policy(), "http://localhost:6274", rules::cors_kind::preflight);
    std::map<std::string, std::string> got(headers.begin(), headers.end());
    BOOST_TEST(got["Access-Control-Allow-Origin"] == "http://localhost:6274");
    BOOST_TEST(got["Vary"] == "Origin");
    BOOST_TEST(got["Access-Control-Allow-Methods"] == "GET, POST, DELETE, OPTIONS");
    BOOST_TEST(got["Access-Control-Allow-Headers"] ==
               "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, "
               "Mcp-Param-Sub-Account, Last-Event-ID, X-Client-Id, X-Client-Secret, Sub-Account, traceparent, "
               "tracestate");
    BOOST_TEST(got["Access-Control-Expose-Headers"] == "Mcp-Session-Id, WWW-Authenticate");
    BOOST_TEST(got["Access-Control-Max-Age"] == "86400");
}

BOOST_AUTO_TEST_CASE(actual_response_to_allowed_origin_exposes_session_and_challenge_headers)
{
    auto const headers = rules::cors_headers(local_policy(), "http://127.0.0.1:5173", rules::cors_kind::actual);
    std::map<std::string, std::string> got(headers.begin(), headers.end());
    BOOST_TEST(got["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173");
    BOOST_TEST(got["Access-Control-Expose-Headers"] == "Mcp-Session-Id, WWW-Authenticate");
    BOOST_TEST(got.count("Access-Control-Allow-Methods") == 0u);
    BOOST_TEST(got.count("Access-Control-Max-Age") == 0u);
}

BOOST_AUTO_TEST_CASE(no_cors_headers_for_absent_or_disallowed_origin)
{
    for (auto kind : {rules::cors_kind::actual, rules::cors_kind::preflight}) {
        BOOST_TEST(rules::cors_headers(local_policy(), "", kind).empty());
        BOOST_TEST(rules::cors_headers(local_policy(), "https://evil.example", kind).empty());
        BOOST_TEST(rules::cors_headers(local_policy(), "null", kind).empty());
    }
}

// ---- parse_host_and_port

BOOST_AUTO_TEST_CASE(host_and_port_accepts_names_addresses_and_ports)
{
    BOOST_TEST(rules::parse_host_and_port("Example.COM").value_or("-") == "example.com");
    BOOST_TEST(rules::parse_host_and_port("localhost:8080").value_or("-") == "localhost:8080");
    BOOST_TEST(rules::parse_host_and_port("127.0.0.1:1").value_or("-") == "127.0.0.1:1");
    BOOST_TEST(rules::parse_host_and_port("[::1]:65535").value_or("-") == "[::1]:65535");
    BOOST_TEST(rules::parse_host_and_port("[2001:DB8::1]").value_or("-") == "[2001:db8::1]");
    BOOST_TEST(rules::parse_host_and_port("abc-123.ngrok-free.app").value_or("-") == "abc-123.ngrok-free.app");
}

BOOST_AUTO_TEST_CASE(host_and_port_refuses_anything_else)
{
    for (auto text : {"", ":80", "host:", "host:0", "host:65536", "host:123456", "host:8o", "a b", "a/b", "a@b",
                      "user@host", "host:80:81", "[::1", "[::1]x", "[::1]:", "[zz::1]", "[]", ".example.com",
                      "-example.com", "exa_mple.com", "http://host", "host\r\nX: y", "ex\"ample"})
        BOOST_TEST(!rules::parse_host_and_port(text).has_value(), "accepted \"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(last_list_value_takes_what_the_trusted_proxy_appended)
{
    BOOST_TEST(rules::last_list_value("evil.example, abc.ngrok.app") == "abc.ngrok.app");
    BOOST_TEST(rules::last_list_value(" abc.ngrok.app ") == "abc.ngrok.app");
    BOOST_TEST(rules::last_list_value("1.2.3.4,10.0.0.7") == "10.0.0.7");
    BOOST_TEST(rules::last_list_value("") == "");
}

// ---- regressions found by fuzz/http_rules (fuzz/regressions/http_rules)

BOOST_AUTO_TEST_CASE(an_ipv6_host_with_a_zone_or_a_nul_names_no_public_url)
{
    BOOST_TEST(!rules::public_base_url("", false, "[fe80::1%eth0]:8080", "", ""));
    BOOST_TEST(!rules::public_base_url("", false, std::string_view("[::1\0evil]", 11), "", ""));
    BOOST_TEST(rules::public_base_url("", false, "[::1]:8080", "", "").value_or("-") == "http://[::1]:8080");
}

// ---- public_base_url

BOOST_AUTO_TEST_CASE(public_url_setting_wins_over_every_header)
{
    auto const base = rules::public_base_url("https://mcp.justifi.ai", true, "localhost:8080", "http", "evil.example");
    BOOST_TEST(base.value_or("-") == "https://mcp.justifi.ai");
}

BOOST_AUTO_TEST_CASE(base_url_is_plain_http_from_the_host_header)
{
    BOOST_TEST(rules::public_base_url("", false, "LocalHost:8080", "", "").value_or("-") == "http://localhost:8080");
    BOOST_TEST(rules::public_base_url("", false, "[::1]:9000", "", "").value_or("-") == "http://[::1]:9000");
    BOOST_TEST(rules::public_base_url("", false, "mcp.example.com:80", "", "").value_or("-") == "http://mcp.example.com");
}

BOOST_AUTO_TEST_CASE(forwarded_headers_are_ignored_unless_the_proxy_is_trusted)
{
    auto const base = rules::public_base_url("", false, "localhost:8080", "https", "abc.ngrok.app");
    BOOST_TEST(base.value_or("-") == "http://localhost:8080");
    // Not even a malformed one matters when nobody trusts it.
    BOOST_TEST(rules::public_base_url("", false, "localhost:8080", "gopher", "bad host").has_value());
}

BOOST_AUTO_TEST_CASE(trusted_proxy_names_scheme_and_host)
{
    BOOST_TEST(rules::public_base_url("", true, "localhost:8080", "https", "abc.ngrok.app").value_or("-") ==
               "https://abc.ngrok.app");
    // The last entry of each list is the proxy's (a client may have sent the first); the default
    // port is dropped; case is normalised.
    BOOST_TEST(rules::public_base_url("", true, "localhost:8080", "http, HTTPS", "smuggled.example, ABC.ngrok.app:443")
                   .value_or("-") == "https://abc.ngrok.app");
    BOOST_TEST(rules::public_base_url("", true, "localhost:8080", "https", "mcp.example.com:8443").value_or("-") ==
               "https://mcp.example.com:8443");
    // Only the scheme forwarded: the Host stays.
    BOOST_TEST(rules::public_base_url("", true, "mcp.example.com", "https", "").value_or("-") ==
               "https://mcp.example.com");
    // Nothing forwarded: plain http from Host.
    BOOST_TEST(rules::public_base_url("", true, "localhost:8080", "", "").value_or("-") == "http://localhost:8080");
}

BOOST_AUTO_TEST_CASE(invalid_host_or_forwarded_scheme_gives_no_base_url)
{
    for (auto host : {"", "evil.example/path", "user@evil.example", "a b", "host:99999"})
        BOOST_TEST(!rules::public_base_url("", false, host, "", "").has_value(), "host \"" << host << "\"");
    BOOST_TEST(!rules::public_base_url("", true, "localhost", "ftp", "").has_value());
    BOOST_TEST(!rules::public_base_url("", true, "localhost", "https", "evil.example/x").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
