// The tool that calls no API: it writes a complete JustiFi unified checkout integration.
#pragma once

#include "tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <string_view>

namespace justifi::tools {

inline constexpr std::string_view integration_generator_name = "generate_unified_checkout_integration";

// The generator's result for already validated arguments: text plus
// structuredContent {files: [{path, content}], ...}.
tool_result generate_checkout_integration(boost::json::object const& arguments);

// Its handler: validates, defaults sub_account_id to the caller's Sub-Account, generates.
boost::asio::awaitable<tool_result> run_generator(boost::json::object const& arguments, tool_context& ctx);

// The generator as tools/list shows it (no handler).
tool_definition describe_generator();

}  // namespace justifi::tools
