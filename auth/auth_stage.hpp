// The auth stage: turns what a request presents into the auth context that travels, as a
// value, down the pipeline to every JustiFi call made for that request. A bearer token is
// verified here when local validation is on (signature against the issuer's JWKS, iss, aud,
// lifetime) and its scopes recorded; otherwise it is passed through as it came. The HTTP
// transport turns a rejection into the matching 401 challenge.
#pragma once

#include "core/errors.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace justifi::auth {

class jwks_cache;
struct verification_rules;
namespace dpop {
class replay_cache;
}

struct bearer_token {
    std::string token;
    // Sent with the DPoP scheme (RFC 9449), its proof checked: the token is bound to the caller's key.
    bool dpop = false;
};

struct client_credentials {
    std::string client_id;
    std::string client_secret;
};

// How the request was authenticated, for logs and for what may be decided on it.
enum class auth_path {
    none,
    bearer_verified,            // a JWT checked here: its scopes decide which tools it may use
    bearer_passthrough,         // JUSTIFI_OAUTH_VALIDATION=none: JustiFi alone judges the token
    client_credential_headers,  // X-Client-Id / X-Client-Secret
    configured_credentials,     // the server's own client credentials (stdio, MCP_AUTH=none)
};
std::string_view to_string(auth_path path);

struct auth_context {
    std::variant<std::monostate, bearer_token, client_credentials> credentials;
    // The caller's Sub-Account scope (the HTTP request's Sub-Account header); a tool's
    // sub_account_id argument overrides it.
    std::string sub_account;
    auth_path path = auth_path::none;
    // Only for a verified token: its "sub" and its scopes ("scope" and Auth0's "permissions").
    // Without verification no claim is believed, so no scope decision is made.
    std::string subject;
    std::optional<std::set<std::string, std::less<>>> granted_scopes;
    // A verified token's expiry: nothing obtained with it (an exchanged token) outlives it.
    std::optional<std::chrono::system_clock::time_point> token_expires_at;
    // The scopes the JustiFi token for this call must carry (space-separated): the tool's, set by
    // the dispatcher once it knows the tool. What a token exchange asks for.
    std::string upstream_scope;

    bool anonymous() const { return std::holds_alternative<std::monostate>(credentials); }
    // Whether a tool that needs `scope` may be called: always, unless a verified token lacks it.
    bool may_use(std::string_view scope) const
    {
        return scope.empty() || !granted_scopes || granted_scopes->contains(scope);
    }
    // Safe to log: the verified subject, a client id, or a short fingerprint of a token; never a secret.
    std::string principal() const;
};

// What the transport hands the stage; empty views mean the header was absent.
struct presented_credentials {
    std::string_view authorization;
    std::string_view client_id;
    std::string_view client_secret;
    // DPoP: the proof header (how many were sent: more than one is refused), and the request it
    // must match: its method and its public URL without the query.
    std::string_view dpop_proof;
    std::size_t dpop_proof_count = 0;
    std::string_view method;
    std::string_view request_url;
};

// "a b  c" -> {"a", "b", "c"}: a scope parameter or claim (RFC 6749 section 3.3).
std::vector<std::string> split_scopes(std::string_view text);
// {"a", "b"} -> "a b".
std::string join_scopes(std::vector<std::string> const& scopes);

// Which scopes a broader one implies (MCP 2026-07-28: servers honour scope hierarchies).
struct scope_implication {
    std::string broader;
    std::string narrower;
};
using scope_implications = std::vector<scope_implication>;
// The default table: every "X:write" among `scopes` implies "X:read" when that is one of them too.
scope_implications default_scope_implications(std::vector<std::string> const& scopes);
// `granted` and everything it implies, through any number of steps.
std::set<std::string, std::less<>> with_implied_scopes(std::set<std::string, std::less<>> granted,
                                                       scope_implications const& implications);

// What checking client credentials found: JustiFi issued a token for them (or had before),
// refused them, could not be asked, or may not be asked again this second.
enum class credential_verdict { accepted, refused, unavailable, busy };
using credential_check =
    std::function<boost::asio::awaitable<credential_verdict>(client_credentials const&)>;

// The shape of a JustiFi client id ("test_..." or "live_..." in practice): 1-128 letters, digits,
// '_' or '-'; and of a secret: 1-512 visible ASCII characters. Anything else is refused
// before it is looked up, logged or sent anywhere.
bool is_client_id(std::string_view text);
bool is_client_secret(std::string_view text);

// The caller's identity, or why it has none: a refusal coded malformed_credentials,
// invalid_token, verification_unavailable or verification_busy, whose message never quotes
// a credential.
using auth_outcome = boost::system::result<auth_context, core::refusal>;

// Sans-io core of the stage, unit-tested without sockets: reads, does not verify.
auth_outcome read_credentials(presented_credentials const& presented);

// DPoP-bound tokens (JUSTIFI_UPSTREAM_AUTH=exchange): each request's proof is checked, and
// remembered so it is used once.
struct dpop_policy {
    dpop::replay_cache& replays;
    bool required = false;  // JUSTIFI_REQUIRE_DPOP: a Bearer token is refused
    std::chrono::seconds window{60};
};

// Local validation of bearer tokens (JUSTIFI_OAUTH_VALIDATION=jwks).
struct token_validation {
    jwks_cache& keys;
    verification_rules const& rules;
    scope_implications const* implications = nullptr;
    dpop_policy const* dpop = nullptr;  // null: the DPoP scheme is not accepted
};

// The pipeline stage. With `validation`, a bearer token must verify or the request is rejected
// (invalid_token, or verification_unavailable when no keys could be loaded). With
// `check_credentials`, client credentials from headers must be accepted by it (a JustiFi token).
boost::asio::awaitable<auth_outcome> authenticate(presented_credentials presented,
                                                  token_validation const* validation = nullptr,
                                                  credential_check const* check_credentials = nullptr);

}  // namespace justifi::auth
