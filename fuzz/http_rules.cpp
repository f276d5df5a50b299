// The sans-io HTTP rules and the auth stage's reading of credentials: everything a request's
// request line and headers go through before any JSON is read. The input is one header value
// per line, in this order (missing lines are empty):
//   target, method, Accept, Content-Type, Origin, Host, X-Forwarded-Proto, X-Forwarded-Host,
//   Authorization, X-Client-Id, X-Client-Secret
// They are judged by two policies: a loopback server's defaults, and a public one behind a
// proxy with configured origins and hosts.
//
// Checked besides the sanitizers: parse_host_and_port and public_base_url give results that
// read back the same; a loopback host is parsed only from a URL that names it; CORS header
// values carry no line breaks; an accepted bearer token is a non-empty token68; a principal
// never shows a client secret.
#include "fuzz/harness.hpp"

#include "auth/auth_stage.hpp"
#include "server/http_rules.hpp"

#include <array>
#include <cctype>

namespace {

namespace auth = justifi::auth;
namespace rules = justifi::server::http_rules;
using namespace justifi::fuzz;

struct world {
    rules::origin_policy loopback = rules::default_policy("127.0.0.1", "", {}, {});
    rules::origin_policy public_server =
        rules::default_policy("0.0.0.0", "https://mcp.example.com", {"https://app.example.com"}, {"alt.example.com"});
    world() { quiet_process(); }
};

std::string lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The property parse_web_url exists for (boostorg/url#755): a loopback host comes only from a
// URL that names it, so "http://127.0.0.1.evil.example" can never pass for a local origin.
void check_url(std::string_view text)
{
    auto const url = rules::parse_web_url(text);
    if (!url) return;
    (void)rules::host_without_port(url->host);
    (void)url->origin();
    bool const loopback = url->host == "localhost" || url->host == "127.0.0.1" || url->host == "[::1]";
    if (!loopback || text.find('@') != std::string_view::npos) return;  // user info: the host is elsewhere
    auto const prefix = url->scheme + "://" + url->host;
    auto const rest = lower(text);
    if (!rest.starts_with(prefix)) std::abort();
    if (rest.size() > prefix.size() && std::string_view(":/?#").find(rest[prefix.size()]) == std::string_view::npos)
        std::abort();
}

void check_host(std::string_view text)
{
    auto const parsed = rules::parse_host_and_port(text);
    if (!parsed) return;
    auto const again = rules::parse_host_and_port(*parsed);
    if (!again || *again != *parsed) std::abort();
}

void check_base(std::string_view host, std::string_view proto, std::string_view forwarded_host)
{
    for (bool const trust : {false, true}) {
        auto const base = rules::public_base_url("", trust, host, proto, forwarded_host);
        if (!base) continue;
        // It becomes the "resource" of the metadata: an origin that reads back as itself.
        auto const url = rules::parse_web_url(*base);
        if (!url || !url->path.empty() || url->has_extras || url->origin() != *base) std::abort();
    }
    if (rules::public_base_url("https://mcp.example.com", true, host, proto, forwarded_host) != "https://mcp.example.com")
        std::abort();
}

void check_credentials(std::string_view authorization, std::string_view id, std::string_view secret)
{
    auto const outcome = auth::read_credentials({authorization, id, secret});
    if (!outcome) {
        // A refusal's words never depend on the secret presented, only on whether it is one: the
        // same refusal for a stand-in of the same length has the same words. (Checking for the
        // secret inside the words is not enough: "Authorization" may be both.)
        auto const refusal = outcome.error();
        std::string const stand_in(secret.size(), 'x');
        auto const again = auth::read_credentials({authorization, id, stand_in});
        if (!again && again.error().code == refusal.code && again.error().message != refusal.message) std::abort();
        return;
    }
    auto const* context = &*outcome;
    if (auto const* bearer = std::get_if<auth::bearer_token>(&context->credentials)) {
        if (bearer->token.empty() || bearer->token.find(' ') != std::string::npos) std::abort();
    }
    auto const principal = context->principal();
    if (auto const* c = std::get_if<auth::client_credentials>(&context->credentials)) {
        if (c->client_secret.size() >= 8 && c->client_id.find(c->client_secret) == std::string::npos &&
            principal.find(c->client_secret) != std::string::npos)
            std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    static world const w;
    auto const lines = split(as_text(data, size), "\n", 11);
    std::array<std::string_view, 11> f{};
    for (std::size_t i = 0; i < lines.size(); ++i) f[i] = lines[i];
    auto const [target, method, accept, content_type, origin, host, proto, forwarded_host, authorization, id, secret] = f;

    for (auto const* policy : {&w.loopback, &w.public_server}) {
        (void)rules::check_origin_and_host(*policy, origin, host, forwarded_host);
        (void)rules::check_origin_and_host(*policy, origin, host);
        (void)rules::origin_allowed(*policy, origin);
        for (auto const kind : {rules::cors_kind::actual, rules::cors_kind::preflight})
            for (auto const& [name, value] : rules::cors_headers(*policy, origin, kind))
                if (name.empty() || value.find_first_of("\r\n") != std::string::npos) std::abort();
    }
    auto const route = rules::match(target, method);
    if (route.target != rules::route::not_found && route.allow.empty()) std::abort();
    (void)rules::accepts(accept, {"application/json", "text/event-stream"});
    (void)rules::accepts(accept, {"text/event-stream"});
    (void)rules::is_json_content_type(content_type);
    (void)rules::last_list_value(forwarded_host);

    check_url(origin);
    check_url(target);
    check_host(host);
    check_base(host, proto, forwarded_host);
    check_credentials(authorization, id, secret);
    // A public URL as MCP_PUBLIC_URL would be given: the policy derived from it.
    (void)rules::default_policy(host, target, {std::string(origin)}, {std::string(host)});
    return 0;
}
