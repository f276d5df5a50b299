#include "tools/catalog.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace justifi::tools {

namespace asio = boost::asio;

namespace {

std::vector<tool_definition> make_definitions(client::justifi_client* client,
                                             confirm_policy confirm_writes = confirm_policy::automatic)
{
    std::vector<tool_definition> out;
    for (auto const& tool : justifi_endpoint_tools()) {
        auto def = describe(tool);
        if (client)
            def.handler = [tool = &tool, client, confirm_writes](json::object const& arguments, tool_context& ctx) {
                return run_endpoint_tool(*tool, *client, arguments, ctx, confirm_writes);
            };
        out.push_back(std::move(def));
    }
    auto generator = describe_generator();
    if (client)
        generator.handler = [](json::object const& arguments, tool_context& ctx) {
            return run_generator(arguments, ctx);
        };
    out.push_back(std::move(generator));
    return out;
}

asio::awaitable<tool_result> refuse_read_only(std::string name)
{
    co_return tool_result::error("This server runs read-only, so " + name +
                                 " (which changes data at JustiFi) is turned off. Use the read-only tools, or ask "
                                 "whoever runs the server to turn read-only mode off.");
}

// Handlers are plain lambdas that start a coroutine taking its state as parameters: a
// coroutine lambda's captures would live in the std::function, not in the coroutine frame.
tool_handler refuse_in_read_only_mode(std::string name)
{
    return [name = std::move(name)](json::object const&, tool_context&) { return refuse_read_only(name); };
}


}  // namespace

std::vector<tool_definition> justifi_tool_definitions()
{
    return make_definitions(nullptr);
}

core::outcome<void> register_justifi_tools(tool_registry& registry, client::justifi_client& client,
                                           catalog_options const& options)
{
    auto definitions = make_definitions(&client, options.confirm_writes);
    std::set<std::string_view> known;
    for (auto const& def : definitions) known.insert(def.name);
    for (auto const& wanted : options.enabled_tools) {
        if (known.contains(wanted)) continue;
        std::string names;
        for (auto name : known) names += (names.empty() ? "" : ", ") + std::string(name);
        return core::refuse(core::errc::invalid_config,
                            "enabled tools name \"" + wanted + "\", which is not a JustiFi tool; known tools: " + names);
    }
    for (auto& def : definitions) {
        if (!options.enabled_tools.empty() && std::find(options.enabled_tools.begin(), options.enabled_tools.end(),
                                                        def.name) == options.enabled_tools.end())
            continue;
        if (options.read_only && !def.annotations.read_only) {
            // Registered but not listed: a call gets an error that explains, not "unknown tool".
            def.hidden = true;
            def.handler = refuse_in_read_only_mode(def.name);
        }
        registry.add(std::move(def));
    }
    return {};
}

}  // namespace justifi::tools
