// OAuth 2.0 Protected Resource Metadata (RFC 9728), sans-io: the document that tells an
// MCP client which authorization server issues tokens for this server and which scopes
// to ask for. Served without auth at /.well-known/oauth-protected-resource[/mcp].
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace justifi::auth::oauth {

inline constexpr std::string_view resource_name = "JustiFi MCP Server";
// Where a person reading the metadata learns about the API behind this resource.
inline constexpr std::string_view resource_documentation = "https://docs.justifi.tech";
// The documents name only configuration; clients and caches may keep them for an hour.
inline constexpr std::string_view metadata_cache_control = "public, max-age=3600";
// When the document is built from the request's Host, only the client may keep it.
inline constexpr std::string_view request_metadata_cache_control = "private, max-age=3600";

// `base` is the public base URL (no trailing slash); `endpoint_path` the MCP endpoint the
// document describes ("" for "/", or "/mcp"), so `resource` is base + endpoint_path.
// Where the root document lives; the 401 challenge points clients at it.
inline constexpr std::string_view resource_metadata_path = "/.well-known/oauth-protected-resource";

// Which schemes the challenges offer: Bearer (RFC 6750) and DPoP (RFC 9449 section 7.1, with
// the proof algorithms accepted), both when both are accepted, Bearer first; and which
// metadata document they point at: the root one, or with `resource_path` ("/mcp") the one of
// that endpoint, whose resource is what a token for it must name (exchange mode).
struct challenge_options {
    bool bearer = true;
    bool dpop = false;
    std::string_view resource_path;
};

// What the protected resource metadata says about DPoP (RFC 9449 section 5.1 of RFC 9728's registry).
struct dpop_metadata {
    bool supported = false;  // dpop_signing_alg_values_supported
    bool required = false;   // dpop_bound_access_tokens_required
};

// The scopes a resource advertises: `scopes` without offline_access, which asks for a refresh
// token and is no resource requirement (MCP 2026-07-28, authorization: SHOULD NOT be listed).
std::vector<std::string> advertised_scopes(std::vector<std::string> const& scopes);

// base + resource_metadata_path.
std::string resource_metadata_url(std::string_view base);

// An RFC 7230 quoted-string: `text` in double quotes, with '"' and '\\' escaped.
std::string quoted(std::string_view text);

// The WWW-Authenticate value of the 401 for a request that brings no credentials (RFC 9728
// section 5.1, RFC 6750): Bearer resource_metadata="<base>/.well-known/oauth-protected-resource",
// scope="<scopes, space-separated>" (scope left out when there are none).
std::string bearer_challenge(std::string_view base, std::vector<std::string> const& scopes,
                             challenge_options schemes = {});

// The challenges that name an error (RFC 6750 section 3), all of the form
//   Bearer error="<error>"[, scope="<scopes>"], resource_metadata="<base>/.well-known/oauth-protected-resource",
//          error_description="<description>"
// with the description reduced to the characters RFC 6750 allows there.

// 401 for malformed credentials.
std::string invalid_request_challenge(std::string_view base, std::string_view description,
                                      challenge_options schemes = {});
// 401 for a token that is expired, forged, for another audience, or that JustiFi refused: the
// client refreshes it or signs in again, asking for `scopes`.
std::string invalid_token_challenge(std::string_view base, std::vector<std::string> const& scopes,
                                    std::string_view description, challenge_options schemes = {});
// 403 for a valid token that lacks scopes a tool needs: the client may step up to `needed_scopes`
// (space-separated: every scope the operation needs, in one challenge).
std::string insufficient_scope_challenge(std::string_view base, std::string_view needed_scopes,
                                         std::string_view description, challenge_options schemes = {});
// 401 for a DPoP proof that is missing, malformed or does not match (RFC 9449 section 7.1): the
// DPoP challenge names the error; a Bearer challenge, when offered too, does not.
std::string invalid_dpop_proof_challenge(std::string_view base, std::string_view description,
                                         challenge_options schemes);

boost::json::object protected_resource_metadata(std::string_view base, std::string_view endpoint_path,
                                                std::string_view issuer, std::vector<std::string> const& scopes,
                                                dpop_metadata dpop = {});

}  // namespace justifi::auth::oauth
