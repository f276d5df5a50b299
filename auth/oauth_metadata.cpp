#include "auth/oauth_metadata.hpp"

#include "auth/auth_stage.hpp"
#include "auth/dpop.hpp"

#include <boost/json/array.hpp>

namespace justifi::auth::oauth {

std::string resource_metadata_url(std::string_view base)
{
    return std::string(base) + std::string(resource_metadata_path);
}

std::string quoted(std::string_view text)
{
    std::string out = "\"";
    for (char const c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

namespace {

// RFC 6750 section 3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
std::string description_text(std::string_view description)
{
    std::string out;
    for (char const c : description) {
        auto const u = static_cast<unsigned char>(c);
        if (c == '"') out += '\'';
        else if (u >= 0x20 && u <= 0x7e && c != '\\') out += c;
        else out += ' ';
    }
    return out;
}

// One challenge per offered scheme, each with the same parameters; the DPoP one adds the
// algorithms it accepts. `dpop_error` goes on the DPoP challenge in place of `error`.
std::string challenges(challenge_options schemes, std::string_view error, std::string_view dpop_error,
                       std::string_view scope, std::string_view base, std::string_view description)
{
    auto const one = [&](std::string_view scheme, std::string_view this_error) {
        std::string out(scheme);
        char const* separator = " ";
        auto const add = [&](std::string_view name, std::string const& value) {
            out += separator;
            out += name;
            out += '=';
            out += value;
            separator = ", ";
        };
        // RFC 9728's plain challenge starts with where to go; RFC 6750's error ones with the error.
        if (this_error.empty()) {
            add("resource_metadata", quoted(resource_metadata_url(base) + std::string(schemes.resource_path)));
            if (!scope.empty()) add("scope", quoted(scope));
        } else {
            add("error", quoted(this_error));
            if (!scope.empty()) add("scope", quoted(scope));
            add("resource_metadata", quoted(resource_metadata_url(base) + std::string(schemes.resource_path)));
        }
        if (scheme == "DPoP") add("algs", quoted(dpop::supported_algorithms));
        if (!this_error.empty()) add("error_description", quoted(description_text(description)));
        return out;
    };
    std::string out;
    if (schemes.bearer) out = one("Bearer", error);
    if (schemes.dpop) {
        if (!out.empty()) out += ", ";
        out += one("DPoP", dpop_error.empty() ? error : dpop_error);
    }
    return out;
}

}  // namespace

std::vector<std::string> advertised_scopes(std::vector<std::string> const& scopes)
{
    std::vector<std::string> out;
    for (auto const& scope : scopes)
        if (scope != "offline_access") out.push_back(scope);
    return out;
}

std::string bearer_challenge(std::string_view base, std::vector<std::string> const& scopes, challenge_options schemes)
{
    return challenges(schemes, {}, {}, join_scopes(advertised_scopes(scopes)), base, {});
}

std::string invalid_request_challenge(std::string_view base, std::string_view description, challenge_options schemes)
{
    return challenges(schemes, "invalid_request", {}, {}, base, description);
}

std::string invalid_token_challenge(std::string_view base, std::vector<std::string> const& scopes,
                                    std::string_view description, challenge_options schemes)
{
    return challenges(schemes, "invalid_token", {}, join_scopes(advertised_scopes(scopes)), base, description);
}

std::string insufficient_scope_challenge(std::string_view base, std::string_view needed_scopes,
                                         std::string_view description, challenge_options schemes)
{
    return challenges(schemes, "insufficient_scope", {}, needed_scopes, base, description);
}

std::string invalid_dpop_proof_challenge(std::string_view base, std::string_view description,
                                         challenge_options schemes)
{
    schemes.dpop = true;
    // The Bearer challenge, when offered, only says where to start; the error is DPoP's.
    std::string out;
    if (schemes.bearer)
        out = challenges({.bearer = true, .dpop = false, .resource_path = schemes.resource_path}, {}, {}, {}, base, {}) +
              ", ";
    return out + challenges({.bearer = false, .dpop = true, .resource_path = schemes.resource_path},
                            "invalid_dpop_proof", {}, {}, base, description);
}

boost::json::object protected_resource_metadata(std::string_view base, std::string_view endpoint_path,
                                                std::string_view issuer, std::vector<std::string> const& scopes,
                                                dpop_metadata dpop)
{
    boost::json::array scopes_supported;
    for (auto const& scope : advertised_scopes(scopes)) scopes_supported.emplace_back(scope);
    boost::json::object out{
        {"resource", std::string(base) + std::string(endpoint_path)},
        {"authorization_servers", boost::json::array{issuer}},
        {"scopes_supported", std::move(scopes_supported)},
        {"bearer_methods_supported", boost::json::array{"header"}},
        {"resource_name", resource_name},
        {"resource_documentation", resource_documentation},
    };
    if (dpop.supported) {
        boost::json::array algs;
        for (auto const* alg : {"ES256", "RS256"}) algs.emplace_back(alg);
        out["dpop_signing_alg_values_supported"] = std::move(algs);
        if (dpop.required) out["dpop_bound_access_tokens_required"] = true;
    }
    return out;
}

}  // namespace justifi::auth::oauth
