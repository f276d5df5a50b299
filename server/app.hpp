// The process: settings, the pipeline's parts, a transport, signals and draining.
#pragma once

#include "client/justifi_client.hpp"
#include "core/errors.hpp"
#include "server/config.hpp"
#include "tools/tool_registry.hpp"

#include <functional>
#include <string>

namespace justifi::server {

// What fills the tool registry: the product's JustiFi catalog, or a test build's tools.
struct catalog_installer {
    std::function<core::outcome<void>(tools::tool_registry&, client::justifi_client&, server::config::settings const&)>
        install;
    // The product cannot do anything over stdio without JustiFi credentials.
    bool needs_justifi_credentials = true;
};

// Runs the server until EOF (stdio) or a signal and a drain (both); returns the exit code.
int run(int argc, char const* const* argv, catalog_installer const& catalog);

}  // namespace justifi::server
