#include "server/oauth_metadata.hpp"

#include <boost/json/array.hpp>

namespace justifi::oauth {

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

std::string bearer_challenge(std::string_view base, std::vector<std::string> const& scopes)
{
    std::string out = "Bearer resource_metadata=" + quoted(resource_metadata_url(base));
    if (!scopes.empty()) {
        std::string joined;
        for (auto const& scope : scopes) {
            if (!joined.empty()) joined += ' ';
            joined += scope;
        }
        out += ", scope=" + quoted(joined);
    }
    return out;
}

std::string invalid_request_challenge(std::string_view base, std::string_view description)
{
    return "Bearer error=\"invalid_request\", error_description=" + quoted(description) +
           ", resource_metadata=" + quoted(resource_metadata_url(base));
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

}  // namespace justifi::oauth
