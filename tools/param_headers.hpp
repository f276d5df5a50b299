// A tool's `x-mcp-header` declarations (MCP 2026-07-28): an argument a client mirrors into an
// HTTP header, Mcp-Param-<name>, so a gateway can route on it without reading bodies. Read once,
// when the tool is registered; the header check itself is mcp/envelope's.
#pragma once

#include "core/errors.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace justifi::tools {

namespace json = boost::json;

// One `x-mcp-header` of a tool's inputSchema: the header's name (Mcp-Param-<name>), the path of
// properties that leads to the argument, and the argument's type.
struct param_header {
    enum class kind { string, integer, boolean };
    std::string name;
    std::string folded_name;  // lower-cased: how the transport keys the Mcp-Param-* it received
    std::vector<std::string> path;
    kind type = kind::string;
};

// The x-mcp-header declarations of an inputSchema, or invalid_config naming the first one the
// spec forbids (empty or not a token, a duplicate ignoring case, a type other than string,
// integer or boolean, or a property not reachable through `properties` alone): clients drop
// such a tool, so the catalog must never register one.
core::outcome<std::vector<param_header>> param_headers_of(json::object const& input_schema);

}  // namespace justifi::tools
