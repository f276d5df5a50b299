#include "server/app.hpp"
#include "net/health_probe.hpp"
#include "tools/catalog.hpp"

#include <cstring>
#include <iostream>

int main(int argc, char** argv)
{
    // `justifi-mcp tools --markdown`: the catalog with its scopes (docs/scopes.md).
    if (argc == 3 && std::strcmp(argv[1], "tools") == 0 && std::strcmp(argv[2], "--markdown") == 0) {
        std::cout << justifi::tools::catalog_markdown();
        return 0;
    }
    // `justifi-mcp health [--port N]`: the container's HEALTHCHECK (no curl in the image).
    if (argc >= 2 && std::strcmp(argv[1], "health") == 0) return justifi::net::probe_health(argc, argv);
    justifi::server::catalog_installer justifi_catalog;
    justifi_catalog.install = [](justifi::tools::tool_registry& registry, justifi::client::justifi_client& client,
                                 justifi::server::config::settings const& settings) {
        return justifi::tools::register_justifi_tools(registry, client, {settings.read_only, settings.enabled_tools, settings.confirm_writes});
    };
    return justifi::server::run(argc, argv, justifi_catalog);
}
