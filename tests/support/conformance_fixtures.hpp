// The tools the MCP conformance suite (0.2.0) calls by name, registered by the test server only:
// its tools-call-*, logging and header-validation scenarios then run against our real pipeline.
// Names, arguments and answers are the suite's (its everything-server fixture).
#pragma once

#include "tools/tool_registry.hpp"

namespace justifi::test {

void register_conformance_fixtures(tools::tool_registry& registry);

}  // namespace justifi::test
