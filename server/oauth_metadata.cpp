#include "server/oauth_metadata.hpp"

#include <boost/json/array.hpp>

namespace justifi::oauth {

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
