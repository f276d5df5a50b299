// OAuth 2.0 Protected Resource Metadata (RFC 9728), sans-io: the document that tells an
// MCP client which authorization server issues tokens for this server and which scopes
// to ask for. Served without auth at /.well-known/oauth-protected-resource[/mcp].
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace justifi::oauth {

inline constexpr std::string_view resource_name = "JustiFi MCP Server";
// Where a person reading the metadata learns about the API behind this resource.
inline constexpr std::string_view resource_documentation = "https://docs.justifi.tech";
// The documents name only configuration; clients and caches may keep them for an hour.
inline constexpr std::string_view metadata_cache_control = "public, max-age=3600";

// `base` is the public base URL (no trailing slash); `endpoint_path` the MCP endpoint the
// document describes ("" for "/", or "/mcp"), so `resource` is base + endpoint_path.
boost::json::object protected_resource_metadata(std::string_view base, std::string_view endpoint_path,
                                                std::string_view issuer, std::vector<std::string> const& scopes);

}  // namespace justifi::oauth
