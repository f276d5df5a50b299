// The tool that calls no API: a complete JustiFi unified checkout integration (a small Node
// server and the page with JustiFi's web component), written from the templates in
// tools/templates/checkout/, which the build embeds (cmake/embed_files.cmake).
#include "tools/checkout_generator.hpp"

#include "checkout_templates.hpp"
#include "tools/answer_schemas.hpp"
#include "tools/schema.hpp"
#include "tools/schema_validator.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdint>
#include <utility>

namespace justifi::tools {

namespace asio = boost::asio;

namespace {

using namespace schema;
using namespace checkout_templates;

json::object generator_schema()
{
    return tool_schema(
        {req("amount", amount_field("Checkout amount.")),
         req("description", bounded_string("What the customer pays for; shown in the checkout summary.", 1, 255)),
         // Checkouts carry no currency in the OpenAPI: they are in USD.
         opt("currency", described({{"type", "string"}, {"enum", json::array{"usd"}}, {"default", "usd"}},
                                   "Currency; JustiFi checkouts are in usd.")),
         opt("framework",
             described({{"type", "string"}, {"enum", json::array{"express", "node"}}, {"default", "express"}},
                       "Server flavour: express (Express 4) or node (built-in node:http, no dependencies)."))});
}

std::string replace_all(std::string text, std::string_view marker, std::string_view value)
{
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size()))
        text.replace(at, marker.size(), value);
    return text;
}

std::string format_dollars(std::int64_t cents)
{
    auto const fraction = std::to_string(cents % 100);
    return "$" + std::to_string(cents / 100) + "." + (fraction.size() == 1 ? "0" : "") + fraction;
}

}  // namespace

tool_result generate_checkout_integration(json::object const& arguments)
{
    auto const amount = static_cast<std::int64_t>(std::llround(arguments.at("amount").to_number<double>()));
    std::string const description(arguments.at("description").as_string());
    std::string framework = "express";
    if (auto const* f = arguments.if_contains("framework"); f && f->is_string()) framework = f->get_string();
    std::string sub_account = "undefined";
    if (auto const* s = arguments.if_contains(sub_account_argument); s && s->is_string())
        sub_account = json::serialize(s->get_string());

    bool const express = framework == "express";
    auto server = std::string(server_common) + std::string(express ? express_routes : node_routes);
    server = replace_all(std::move(server), "{{IMPORTS}}", express ? express_imports : node_imports);
    server = replace_all(std::move(server), "{{SUB_ACCOUNT}}", sub_account);
    server = replace_all(std::move(server), "{{DOLLARS}}", format_dollars(amount));
    server = replace_all(std::move(server), "{{AMOUNT}}", std::to_string(amount));
    // A JSON string is a valid JavaScript string literal.
    server = replace_all(std::move(server), "{{DESCRIPTION}}", json::serialize(json::string(description)));

    json::object package{{"name", "justifi-checkout-integration"},
                         {"private", true},
                         {"type", "module"},
                         {"scripts", json::object{{"start", "node server.js"}}},
                         {"engines", json::object{{"node", ">=18"}}}};
    if (express) package["dependencies"] = json::object{{"express", "^4.21.2"}};

    auto readme = replace_all(std::string(readme_text), "{{DOLLARS}}", format_dollars(amount));
    readme = replace_all(std::move(readme), "{{DESCRIPTION_TEXT}}", description);

    std::vector<std::pair<std::string, std::string>> const files{
        {"package.json", json::serialize(package) + "\n"},
        {"server.js", std::move(server)},
        {"public/index.html", std::string(checkout_page)},
        {"README.md", std::move(readme)},
    };

    tool_result result;
    json::array file_list;
    std::string const summary = "A complete JustiFi unified checkout integration (" + framework + " server, " +
                                format_dollars(amount) +
                                " USD checkout). Write these files into an empty folder, run npm install, then start "
                                "it with JUSTIFI_CLIENT_ID, JUSTIFI_CLIENT_SECRET and JUSTIFI_SUB_ACCOUNT_ID set; "
                                "README.md has the details.";
    result.content.push_back(json::object{{"type", "text"}, {"text", summary}});
    for (auto const& [path, content] : files) {
        std::string_view const fence = path.ends_with(".js")     ? "js"
                                       : path.ends_with(".html") ? "html"
                                       : path.ends_with(".json") ? "json"
                                                                 : "markdown";
        std::string text = "File " + path + ":\n```" + std::string(fence) + "\n" + content + "```";
        result.content.push_back(json::object{{"type", "text"}, {"text", std::move(text)}});
        file_list.push_back(json::object{{"path", path}, {"content", content}});
    }
    json::object structured;
    structured["files"] = std::move(file_list);
    structured["start"] = "npm install && npm start";
    result.structured = std::move(structured);
    return result;
}

asio::awaitable<tool_result> run_generator(json::object const& arguments, tool_context& ctx)
{
    static json::object const schema = generator_schema();
    if (auto checked = validate_arguments(arguments, schema); !checked)
        co_return tool_result::refused(core::refuse(core::errc::invalid_arguments,
                                                    "Invalid arguments for " + std::string(integration_generator_name) +
                                                        ": " + checked.error().message + "."));
    // The caller's Sub-Account, when it has one, is the natural default for the generated server.
    if (!arguments.contains(sub_account_argument) && !ctx.auth().sub_account.empty()) {
        json::object with_sub_account = arguments;
        with_sub_account[sub_account_argument] = ctx.auth().sub_account;
        if (validate_arguments(with_sub_account, schema)) co_return generate_checkout_integration(with_sub_account);
    }
    co_return generate_checkout_integration(arguments);
}

tool_definition describe_generator()
{
    return {.name = std::string(integration_generator_name),
            .title = "Generate a unified checkout integration",
            .description =
                "Write a complete, working JustiFi checkout integration for the user (no API call): a small Node "
                "server (Express, or plain node:http) that creates a checkout (POST /v1/checkouts) and a web "
                "component token (POST /v1/web_component_tokens) per visit, and an HTML page that renders JustiFi's "
                "justifi-checkout web component with that checkout id and token. Answers the files as text and as "
                "structuredContent {files: [{path, content}]}; write them out as given." +
                std::string(amounts_note),
            .input_schema = generator_schema(),
            .output_schema = answers::generated_integration(),
            .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
            .required_scope = ""};
}

}  // namespace justifi::tools
