#include "auth/oauth_metadata.hpp"

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

std::string joined(std::vector<std::string> const& scopes)
{
    std::string out;
    for (auto const& scope : scopes) {
        if (!out.empty()) out += ' ';
        out += scope;
    }
    return out;
}

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

std::string error_challenge(std::string_view error, std::string_view scope, std::string_view base,
                            std::string_view description)
{
    std::string out = "Bearer error=" + quoted(error);
    if (!scope.empty()) out += ", scope=" + quoted(scope);
    out += ", resource_metadata=" + quoted(resource_metadata_url(base));
    out += ", error_description=" + quoted(description_text(description));
    return out;
}

}  // namespace

std::string bearer_challenge(std::string_view base, std::vector<std::string> const& scopes)
{
    std::string out = "Bearer resource_metadata=" + quoted(resource_metadata_url(base));
    if (!scopes.empty()) out += ", scope=" + quoted(joined(scopes));
    return out;
}

std::string invalid_request_challenge(std::string_view base, std::string_view description)
{
    return error_challenge("invalid_request", {}, base, description);
}

std::string invalid_token_challenge(std::string_view base, std::vector<std::string> const& scopes,
                                    std::string_view description)
{
    return error_challenge("invalid_token", joined(scopes), base, description);
}

std::string insufficient_scope_challenge(std::string_view base, std::string_view needed_scope,
                                         std::string_view description)
{
    return error_challenge("insufficient_scope", needed_scope, base, description);
}

boost::json::object protected_resource_metadata(std::string_view base, std::string_view endpoint_path,
                                                std::string_view issuer, std::vector<std::string> const& scopes)
{
    boost::json::array scopes_supported;
    for (auto const& scope : scopes) scopes_supported.emplace_back(scope);
    return {
        {"resource", std::string(base) + std::string(endpoint_path)},
        {"authorization_servers", boost::json::array{issuer}},
        {"scopes_supported", std::move(scopes_supported)},
        {"bearer_methods_supported", boost::json::array{"header"}},
        {"resource_name", resource_name},
        {"resource_documentation", resource_documentation},
    };
}

}  // namespace justifi::auth::oauth
