// The process: settings, the pipeline's parts, a transport, signals and draining.
#pragma once

#include "tools/tool_registry.hpp"

#include <functional>

namespace justifi {

// Runs the server until EOF (stdio) or a signal and a drain (both); returns the exit code.
// `register_tools` fills the catalog: the product's, or a test build's.
int run(int argc, char const* const* argv, std::function<void(tools::tool_registry&)> const& register_tools);

}  // namespace justifi
