// `justifi-mcp health`: the container's HEALTHCHECK without curl in the image. GETs
// /health on the local server (MCP_PORT, or --port) with a deadline and exits 0 on 200.
#pragma once

namespace justifi::net {

int probe_health(int argc, char const* const* argv);

}  // namespace justifi::net
