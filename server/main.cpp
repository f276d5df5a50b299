#include "server/app.hpp"
#include "tools/catalog.hpp"

int main(int argc, char** argv)
{
    justifi::catalog_installer justifi_catalog;
    justifi_catalog.install = [](justifi::tools::tool_registry& registry, justifi::client::justifi_client& client,
                                 justifi::config::settings const& settings) {
        return justifi::tools::register_justifi_tools(registry, client, {settings.read_only, settings.enabled_tools});
    };
    return justifi::run(argc, argv, justifi_catalog);
}
