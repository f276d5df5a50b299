// The JustiFi tool catalog: the endpoint table (tools/endpoint_table.cpp) served by one
// generic handler (tools/endpoint_tool.cpp), plus a local code generator
// (tools/checkout_generator.cpp), registered with the read-only and allow-list policy.
#pragma once

#include "client/justifi_client.hpp"
#include "core/errors.hpp"
#include "tools/checkout_generator.hpp"
#include "tools/endpoint_tool.hpp"
#include "tools/tool_registry.hpp"

#include <string>
#include <vector>

namespace justifi::tools {

struct catalog_options {
    bool read_only = false;
    std::vector<std::string> enabled_tools;  // empty: all
    confirm_policy confirm_writes = confirm_policy::automatic;  // JUSTIFI_CONFIRM_WRITES
};

// Every tool of the catalog (endpoint tools and the generator) as it is listed, without
// handlers: for tests and documentation.
std::vector<tool_definition> justifi_tool_definitions();

// Registers the catalog. An unknown name in enabled_tools is an invalid_config refusal naming it. In read-only
// mode a tool that changes data is registered hidden (not listed), and calling it answers a
// tool error saying the server is read-only.
core::outcome<void> register_justifi_tools(tool_registry& registry, client::justifi_client& client,
                                           catalog_options const& options);

// docs/scopes.md: every tool with its OAuth scope and hints, as `justifi-mcp tools --markdown`
// prints it; a test keeps the committed file equal to this.
std::string catalog_markdown();

}  // namespace justifi::tools
