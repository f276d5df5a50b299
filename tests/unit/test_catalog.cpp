// The JustiFi tool catalog: the table's invariants (names, schemas, annotations, scopes,
// no card data), its contract with the OpenAPI document, how arguments become a call,
// how JustiFi's answers become results, registration options, and the generator.
// Nothing here reaches the network: the client points at a closed loopback port and every
// handler call shown is refused before it would be used.
#include "tools/schema_validator.hpp"
#include "tools/catalog.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
namespace tools = justifi::tools;
namespace client = justifi::client;
namespace auth = justifi::auth;

namespace {

constexpr std::string_view id_pattern = "^[A-Za-z0-9_-]{1,128}$";

std::set<std::string> const money_moving{"create_payment", "capture_payment", "capture_payment_intent", "void_payment",
                                         "create_refund",  "refund_checkout", "complete_checkout"};

// The tools whose subject is a sub account: sub_account_id is their path parameter.
std::set<std::string> const about_a_sub_account{"get_sub_account", "get_sub_account_payout_account",
                                                "get_sub_account_settings"};

std::set<std::string> const known_scopes{
    "payments:read",        "payments:write",    "payouts:read",   "payouts:write", "checkouts:read",
    "checkouts:write",      "refunds:read",      "refunds:write",  "disputes:read", "balances:read",
    "payment_methods:read", "sub_accounts:read", "terminals:read", "proceeds:read"};

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

std::vector<std::string> path_parameters(std::string_view path_template)
{
    std::vector<std::string> names;
    for (auto open = path_template.find('{'); open != std::string_view::npos; open = path_template.find('{', open + 1))
        names.emplace_back(path_template.substr(open + 1, path_template.find('}', open) - open - 1));
    return names;
}

bool is_required(json::object const& schema, std::string_view name)
{
    auto const* required = schema.if_contains("required");
    if (!required) return false;
    auto const& list = required->as_array();
    return std::find(list.begin(), list.end(), json::value(name)) != list.end();
}

tools::endpoint_tool const& endpoint(std::string_view name)
{
    for (auto const& t : tools::justifi_endpoint_tools())
        if (t.name == name) return t;
    throw std::runtime_error("no endpoint tool " + std::string(name));
}

json::object obj(std::string_view text)
{
    return json::parse(text).as_object();
}

std::string text_of(tools::tool_result const& result)
{
    std::string text;
    auto const as_json = result.to_json();
    for (auto const& block : as_json.at("content").as_array()) text += block.as_object().at("text").as_string();
    return text;
}

// Every property name anywhere in a schema, nested objects and array items included.
void collect_property_names(json::value const& schema, std::vector<std::string>& names)
{
    auto const* object = schema.if_object();
    if (!object) return;
    if (auto const* properties = object->if_contains("properties"); properties && properties->is_object())
        for (auto const& [name, sub] : properties->get_object()) {
            names.emplace_back(name);
            collect_property_names(sub, names);
        }
    if (auto const* items = object->if_contains("items")) collect_property_names(*items, names);
}

// Every keyword of a schema and of the schemas inside it, and whether any object is closed.
void collect_keywords(json::value const& schema, std::set<std::string>& keywords, bool& closed)
{
    auto const* object = schema.if_object();
    if (!object) return;
    for (auto const& [key, value] : *object) {
        keywords.emplace(key);
        if (key == "properties" && value.is_object())
            for (auto const& [name, sub] : value.get_object()) collect_keywords(sub, keywords, closed);
        if (key == "items") collect_keywords(value, keywords, closed);
        if (key == "anyOf" && value.is_array())
            for (auto const& option : value.get_array()) collect_keywords(option, keywords, closed);
        if (key == "additionalProperties") {
            closed = closed || value == false;
            collect_keywords(value, keywords, closed);
        }
    }
}

// Every description in an input schema, nested objects and array items included.
void collect_descriptions(json::value const& schema, std::string const& path,
                          std::vector<std::pair<std::string, std::string>>& out)
{
    auto const* object = schema.if_object();
    if (!object) return;
    if (auto const* d = object->if_contains("description"); d && d->is_string()) out.emplace_back(path, d->get_string());
    if (auto const* properties = object->if_contains("properties"); properties && properties->is_object())
        for (auto const& [name, sub] : properties->get_object()) collect_descriptions(sub, path + "." + std::string(name), out);
    if (auto const* items = object->if_contains("items")) collect_descriptions(*items, path + "[]", out);
}

class test_context final : public tools::tool_context {
public:
    auth::auth_context identity;
    auth::auth_context const& auth() const override { return identity; }
    asio::awaitable<void> report_progress(double, std::optional<double>, std::string_view) override { co_return; }
    asio::awaitable<void> log(std::string_view, json::value) override { co_return; }
};

// A registry with the catalog over a client that could not connect anywhere (port 1).
struct catalog_fixture {
    asio::io_context io;
    client::justifi_client justifi{io.get_executor(), unreachable()};
    tools::tool_registry registry;

    static client::client_settings unreachable()
    {
        client::client_settings settings;
        settings.base_url = "http://127.0.0.1:1";
        return settings;
    }

    void register_catalog(tools::catalog_options const& options = {})
    {
        auto registered = tools::register_justifi_tools(registry, justifi, options);
        if (!registered) BOOST_FAIL("register_justifi_tools failed: " << registered.error());
    }

    tools::tool_result call(std::string_view name, json::object arguments, auth::auth_context identity = {})
    {
        auto const* tool = registry.find(name);
        if (!tool) BOOST_FAIL("tool " << name << " is not registered");
        test_context ctx;
        ctx.identity = std::move(identity);
        std::optional<tools::tool_result> result;
        auto run = [&]() -> asio::awaitable<void> {
            auto r = co_await tool->handler(arguments, ctx);
            result = std::move(r);
        };
        asio::co_spawn(io, run(), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        io.run();
        io.restart();
        BOOST_REQUIRE(result);
        return *result;
    }

    std::vector<std::string> listed_names()
    {
        std::vector<std::string> names;
        std::optional<std::string> cursor;
        do {
            auto page = registry.list(cursor ? std::optional<std::string_view>(*cursor) : std::nullopt);
            BOOST_REQUIRE(page);
            for (auto const& t : page->tools) names.emplace_back(t.as_object().at("name").as_string());
            cursor = page->next_cursor;
        } while (cursor);
        return names;
    }
};

client::call_request prepared(std::string_view tool, std::string_view arguments,
                              auth::auth_context const& identity = {})
{
    auto request = tools::prepare_call(endpoint(tool), obj(arguments), identity);
    if (!request) BOOST_FAIL("prepare_call(" << tool << ") failed: " << request.error());
    return *request;
}

std::string prepare_error(std::string_view tool, std::string_view arguments, auth::auth_context const& identity = {})
{
    auto request = tools::prepare_call(endpoint(tool), obj(arguments), identity);
    return request ? std::string() : request.error().message;
}

using query_list = std::vector<std::pair<std::string, std::string>>;

}  // namespace

BOOST_AUTO_TEST_SUITE(catalog)

// Table invariants.

BOOST_AUTO_TEST_CASE(catalog_offers_51_tools_with_unique_valid_names)
{
    auto const definitions = tools::justifi_tool_definitions();
    BOOST_TEST(definitions.size() == 51u);
    BOOST_TEST(tools::justifi_endpoint_tools().size() == 50u);
    std::set<std::string> names;
    for (auto const& d : definitions) names.insert(d.name);
    BOOST_TEST(names.size() == definitions.size());
    BOOST_TEST(names.contains(std::string(tools::integration_generator_name)));
    // Every name is accepted by the registry (charset, schema type).
    asio::io_context io;
    client::justifi_client justifi(io.get_executor(), catalog_fixture::unreachable());
    tools::tool_registry registry;
    BOOST_TEST(!!tools::register_justifi_tools(registry, justifi, {}));
    BOOST_TEST(registry.size() == 51u);
}

BOOST_AUTO_TEST_CASE(every_tool_has_a_title_and_a_description_for_a_model)
{
    for (auto const& d : tools::justifi_tool_definitions()) {
        BOOST_TEST(!d.title.empty(), d.name);
        BOOST_TEST(d.description.size() >= 60u, d.name << " description is too short to guide a model");
    }
}

BOOST_AUTO_TEST_CASE(every_argument_description_reads_as_a_sentence)
{
    for (auto const& d : tools::justifi_tool_definitions()) {
        std::vector<std::pair<std::string, std::string>> descriptions;
        collect_descriptions(d.input_schema, d.name, descriptions);
        for (auto const& [where, text] : descriptions) {
            BOOST_TEST((!text.empty() && std::isupper(static_cast<unsigned char>(text.front()))), where << ": " << text);
            BOOST_TEST(text.ends_with("."), where << ": " << text);
            BOOST_TEST(!contains(text, " id id"), where << ": " << text);
            BOOST_TEST(!contains(text, ") id."), where << ": " << text);
        }
    }
}

BOOST_AUTO_TEST_CASE(amount_taking_tools_say_amounts_are_integers_in_cents)
{
    for (auto const& d : tools::justifi_tool_definitions()) {
        auto const& properties = d.input_schema.at("properties").as_object();
        if (!properties.contains("amount")) continue;
        BOOST_TEST(contains(d.description, "integers in minor units (cents)"), d.name);
        BOOST_TEST(properties.at("amount").at("type") == "integer", d.name);
    }
}

BOOST_AUTO_TEST_CASE(every_input_schema_is_a_closed_object_with_optional_sub_account)
{
    for (auto const& d : tools::justifi_tool_definitions()) {
        auto const& schema = d.input_schema;
        BOOST_TEST(schema.at("type") == "object", d.name);
        BOOST_TEST(schema.at("additionalProperties") == false, d.name);
        auto const& properties = schema.at("properties").as_object();
        BOOST_TEST(properties.contains("sub_account_id"), d.name);
        BOOST_TEST(properties.at("sub_account_id").at("pattern").as_string() == id_pattern, d.name);
        BOOST_TEST(is_required(schema, "sub_account_id") == about_a_sub_account.contains(d.name), d.name);
        if (auto const* required = schema.if_contains("required"))
            for (auto const& name : required->as_array())
                BOOST_TEST(properties.contains(name.as_string()), d.name << " requires undeclared " << name);
    }
}

BOOST_AUTO_TEST_CASE(every_path_parameter_is_a_required_id_argument)
{
    for (auto const& t : tools::justifi_endpoint_tools()) {
        BOOST_TEST(t.path_template.starts_with("/v1/"), t.name);
        for (auto const& name : path_parameters(t.path_template)) {
            auto const& properties = t.input_schema.at("properties").as_object();
            BOOST_TEST_REQUIRE(properties.contains(name), t.name << " lacks path parameter " << name);
            BOOST_TEST(properties.at(name).at("type") == "string", t.name << " " << name);
            BOOST_TEST(properties.at(name).at("pattern").as_string() == id_pattern, t.name << " " << name);
            BOOST_TEST(is_required(t.input_schema, name), t.name << " " << name);
        }
    }
    BOOST_TEST(path_parameters(endpoint("remove_payment_method_from_group").path_template).size() == 2u);
    BOOST_TEST(path_parameters(endpoint("retrieve_payment_method").path_template) ==
               std::vector<std::string>{"payment_method_token"});
}

BOOST_AUTO_TEST_CASE(destructive_hint_is_set_exactly_on_money_moving_tools)
{
    std::set<std::string> destructive;
    for (auto const& d : tools::justifi_tool_definitions())
        if (d.annotations.destructive) destructive.insert(d.name);
    BOOST_TEST(destructive == money_moving);
    for (auto const& name : money_moving) {
        auto const& t = endpoint(name);
        BOOST_TEST(!t.annotations.read_only, name);
        BOOST_TEST(!t.annotations.idempotent, name);
    }
}

// The catalog entry says whether a person confirms a call: every tool that moves money or cannot
// be undone (destructiveHint), and no other.
BOOST_AUTO_TEST_CASE(a_person_confirms_exactly_the_destructive_tools)
{
    std::set<std::string> confirmed;
    for (auto const& d : tools::justifi_tool_definitions()) {
        if (d.asks_confirmation) confirmed.insert(d.name);
        BOOST_TEST(d.asks_confirmation == d.annotations.destructive, d.name);
    }
    BOOST_TEST(confirmed == money_moving);
    for (auto const& tool : tools::justifi_endpoint_tools())
        BOOST_TEST((tool.confirmation != nullptr) == tool.annotations.destructive, tool.name);
}

BOOST_AUTO_TEST_CASE(reads_are_read_only_idempotent_and_writes_are_not_read_only)
{
    for (auto const& t : tools::justifi_endpoint_tools()) {
        bool const is_get = t.method == http::verb::get;
        BOOST_TEST(t.annotations.read_only == is_get, t.name);
        BOOST_TEST(t.annotations.open_world, t.name);
        if (is_get) {
            BOOST_TEST(!t.annotations.destructive, t.name);
            BOOST_TEST(t.annotations.idempotent, t.name);
        }
    }
    auto const definitions = tools::justifi_tool_definitions();
    auto const generator = std::find_if(definitions.begin(), definitions.end(),
                                        [](auto const& d) { return d.name == tools::integration_generator_name; });
    BOOST_REQUIRE(generator != definitions.end());
    BOOST_TEST(generator->annotations.read_only);
    BOOST_TEST(!generator->annotations.open_world);  // it calls nothing
}

BOOST_AUTO_TEST_CASE(every_endpoint_tool_needs_one_known_scope)
{
    for (auto const& t : tools::justifi_endpoint_tools()) {
        BOOST_TEST(known_scopes.contains(t.scope), t.name << " has scope " << t.scope);
        if (t.annotations.read_only)
            BOOST_TEST(t.scope.ends_with(":read"), t.name);
        else
            BOOST_TEST(t.scope.ends_with(":write"), t.name);
    }
}

BOOST_AUTO_TEST_CASE(no_tool_accepts_card_or_bank_numbers_or_a_cvc)
{
    for (auto const& d : tools::justifi_tool_definitions()) {
        std::vector<std::string> names;
        collect_property_names(json::value(d.input_schema), names);
        for (auto name : names) {
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            for (auto banned : {"number", "cvc", "cvv", "verification", "card_", "routing", "pan"})
                BOOST_TEST(!contains(name, banned), d.name << " has property " << name);
        }
    }
}

BOOST_AUTO_TEST_CASE(list_tools_page_with_bounded_limit_and_exclusive_cursors)
{
    int lists = 0;
    for (auto const& t : tools::justifi_endpoint_tools()) {
        auto const& properties = t.input_schema.at("properties").as_object();
        if (!properties.contains("limit")) continue;
        ++lists;
        BOOST_TEST(properties.at("limit").at("minimum") == 1, t.name);
        BOOST_TEST(properties.at("limit").at("maximum").to_number<double>() <= 100, t.name);
        BOOST_TEST(properties.contains("after_cursor"), t.name);
        BOOST_TEST(properties.contains("before_cursor"), t.name);
        BOOST_TEST(t.input_schema.at("not") == json::parse(R"({"required": ["after_cursor", "before_cursor"]})"),
                   t.name);
        BOOST_TEST(contains(t.description, "after_cursor = page_info.end_cursor"), t.name);
        BOOST_TEST(t.method == http::verb::get, t.name);
    }
    BOOST_TEST(lists == 13);
}

// Contract with the OpenAPI document.

BOOST_AUTO_TEST_CASE(every_endpoint_tool_calls_an_operation_of_the_openapi_document)
{
    std::ifstream file(JUSTIFI_OPENAPI_OPERATIONS);
    BOOST_TEST_REQUIRE(file.good(), "cannot read " << JUSTIFI_OPENAPI_OPERATIONS);
    std::set<std::string> operations;
    for (std::string line; std::getline(file, line);)
        if (!line.empty() && line.front() != '#') operations.insert(line);
    BOOST_TEST_REQUIRE(operations.size() > 80u);
    // The OpenAPI calls every path parameter id (or token); the tools name what they hold.
    auto const unnamed = [](std::string text) {
        for (auto open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1))
            text.erase(open + 1, text.find('}', open) - open - 1);
        return text;
    };
    std::set<std::string> unnamed_operations;
    for (auto const& operation : operations) unnamed_operations.insert(unnamed(operation));
    for (auto const& t : tools::justifi_endpoint_tools()) {
        auto const operation = std::string(http::to_string(t.method)) + " " + t.path_template;
        BOOST_TEST(unnamed_operations.contains(unnamed(operation)),
                   t.name << ": " << operation << " is not in the OpenAPI document");
    }
    // The tools that are views of another endpoint call the endpoint they really use.
    BOOST_TEST(endpoint("list_payment_refunds").path_template == "/v1/payments/{payment_id}");
    BOOST_TEST(endpoint("get_payout_status").path_template == "/v1/payouts/{payout_id}");
    BOOST_TEST(endpoint("get_recent_payouts").path_template == "/v1/payouts");
}

// From arguments to a call.

BOOST_AUTO_TEST_CASE(get_sends_arguments_as_query_text_and_fills_the_path)
{
    auto const request =
        prepared("list_payments", R"({"limit": 10.0, "payment_status": "succeeded", "after_cursor": "abc"})");
    BOOST_TEST(request.method == http::verb::get);
    BOOST_TEST(request.path == "/v1/payments");
    BOOST_TEST(
        (request.query == query_list{{"limit", "10"}, {"payment_status", "succeeded"}, {"after_cursor", "abc"}}));
    BOOST_TEST(!request.body);

    auto const one = prepared("retrieve_payment", R"({"payment_id": "py_123"})");
    BOOST_TEST(one.path == "/v1/payments/py_123");
    BOOST_TEST(one.query.empty());
}

BOOST_AUTO_TEST_CASE(schema_defaults_are_sent_so_recent_payouts_asks_for_five)
{
    BOOST_TEST((prepared("get_recent_payouts", "{}").query == query_list{{"limit", "5"}}));
    BOOST_TEST((prepared("get_recent_payouts", R"({"limit": 20})").query == query_list{{"limit", "20"}}));
    BOOST_TEST((prepared("list_refunds", "{}").query == query_list{{"limit", "25"}}));
    BOOST_TEST(contains(prepare_error("get_recent_payouts", R"({"limit": 50})"),
                        "argument \"limit\" must be an integer between 1 and 25 (got 50)"));
}

BOOST_AUTO_TEST_CASE(writes_send_the_other_arguments_as_a_json_body)
{
    auto const request =
        prepared("create_refund", R"({"payment_id": "py_1", "amount": 500, "reason": "duplicate", "sub_account_id": "acc_9"})");
    BOOST_TEST(request.method == http::verb::post);
    BOOST_TEST(request.path == "/v1/payments/py_1/refunds");
    BOOST_TEST(request.sub_account == "acc_9");
    BOOST_REQUIRE(request.body);
    BOOST_TEST(*request.body == json::parse(R"({"amount": 500, "reason": "duplicate"})"));
    BOOST_TEST(request.query.empty());

    auto const payment = prepared("create_payment", R"({"amount": 1050, "currency": "usd", "capture_strategy": "manual",
        "payment_method": {"token": "pm_1"}, "metadata": {"order": "A-1"}, "sub_account_id": "acc_1"})");
    BOOST_REQUIRE(payment.body);
    BOOST_TEST(payment.body->at("payment_method") == json::parse(R"({"token": "pm_1"})"));
    BOOST_TEST(!payment.body->as_object().contains("sub_account_id"));
}

BOOST_AUTO_TEST_CASE(writes_without_fields_send_no_body)
{
    auto const capture = prepared("capture_payment", R"({"payment_id": "py_1"})");
    BOOST_TEST(capture.path == "/v1/payments/py_1/capture");
    BOOST_TEST(!capture.body);

    auto const removal =
        prepared("remove_payment_method_from_group", R"({"group_id": "pmg_1", "payment_method_id": "pm_2"})");
    BOOST_TEST(removal.method == http::verb::delete_);
    BOOST_TEST(removal.path == "/v1/payment_method_groups/pmg_1/payment_methods/pm_2");
    BOOST_TEST(!removal.body);
}

BOOST_AUTO_TEST_CASE(sub_account_argument_overrides_the_connection_sub_account)
{
    auth::auth_context identity;
    identity.sub_account = "acc_from_header";
    BOOST_TEST(prepared("list_payouts", "{}", identity).sub_account == "acc_from_header");
    BOOST_TEST(prepared("list_payouts", R"({"sub_account_id": "acc_arg"})", identity).sub_account == "acc_arg");
    BOOST_TEST(prepared("list_payouts", "{}").sub_account == "");
    BOOST_TEST(prepared("list_payouts", "{}").query == (query_list{{"limit", "25"}}));
}

BOOST_AUTO_TEST_CASE(a_sub_account_tool_takes_its_subject_once_as_the_path_parameter_and_sends_no_header)
{
    auth::auth_context identity;
    identity.sub_account = "acc_from_header";
    for (auto const& name : about_a_sub_account) {
        auto const& t = endpoint(name);
        auto const serialized = json::serialize(t.input_schema);
        std::size_t declared = 0;
        for (auto at = serialized.find("\"sub_account_id\":"); at != std::string::npos;
             at = serialized.find("\"sub_account_id\":", at + 1))
            ++declared;
        BOOST_TEST(declared == 1u, name << " declares sub_account_id " << declared << " times");
        auto const& required = t.input_schema.at("required").as_array();
        BOOST_TEST(std::count(required.begin(), required.end(), json::value("sub_account_id")) == 1, name);
        auto const headers = tools::param_headers_of(t.input_schema);
        BOOST_REQUIRE_MESSAGE(headers, name << ": " << headers.error());
        BOOST_TEST(headers->size() == 1u, name);
        BOOST_TEST(headers->front().path == std::vector<std::string>{"sub_account_id"}, name);

        // Its endpoint takes no Sub-Account header (the OpenAPI), not even the connection's default.
        auto const request = prepared(name, R"({"sub_account_id": "acc_subject"})", identity);
        BOOST_TEST(request.path.starts_with("/v1/sub_accounts/acc_subject"), name << ": " << request.path);
        BOOST_TEST(request.sub_account.empty(), name << " sent Sub-Account " << request.sub_account);
        BOOST_TEST(request.query.empty(), name);
        BOOST_TEST(contains(prepare_error(name, "{}", identity), "argument \"sub_account_id\" is required"), name);
    }
    BOOST_TEST(prepared("get_sub_account_settings", R"({"sub_account_id": "acc_7"})").path ==
               "/v1/sub_accounts/acc_7/settings");
}

BOOST_AUTO_TEST_CASE(sub_account_with_control_characters_is_refused)
{
    auth::auth_context identity;
    identity.sub_account = "acc_1\r\nX-Evil: 1";
    BOOST_TEST(contains(prepare_error("list_payouts", "{}", identity), "control characters"));
    BOOST_TEST(contains(prepare_error("list_payouts", R"({"sub_account_id": "acc_1\r\nX: 1"})"),
                        "argument \"sub_account_id\" must match"));
}

BOOST_AUTO_TEST_CASE(tools_whose_endpoint_requires_a_sub_account_say_so)
{
    auto const error = prepare_error("create_checkout", R"({"amount": 100, "description": "x"})");
    BOOST_TEST(contains(error, "create_checkout needs a Sub-Account"));
    auth::auth_context identity;
    identity.sub_account = "acc_1";
    BOOST_TEST(prepare_error("create_checkout", R"({"amount": 100, "description": "x"})", identity) == "");
}

BOOST_AUTO_TEST_CASE(invalid_arguments_never_become_a_call)
{
    BOOST_TEST(prepare_error("retrieve_payment", R"({"payment_id": "../oauth/token"})") ==
               "Invalid arguments for retrieve_payment: argument \"payment_id\" must match ^[A-Za-z0-9_-]{1,128}$ (got "
               "\"../oauth/token\").");
    BOOST_TEST(prepare_error("retrieve_payment", "{}") ==
               "Invalid arguments for retrieve_payment: argument \"payment_id\" is required.");
    BOOST_TEST(contains(prepare_error("list_payments", R"({"after_cursor": "a", "before_cursor": "b"})"),
                        "\"after_cursor\" and \"before_cursor\" cannot be used together"));
    BOOST_TEST(contains(prepare_error("create_refund", R"({"payment_id": "py_1", "amout": 5})"), "unknown argument \"amout\""));
}

// Shaped results.

BOOST_AUTO_TEST_CASE(payment_refunds_are_read_from_the_payment)
{
    auto const& tool = endpoint("list_payment_refunds");
    BOOST_REQUIRE(tool.shape);
    auto const body = json::parse(R"({"id": "py_1", "type": "payment", "page_info": null, "data": {"id": "py_1",
        "amount": 1000, "amount_refunded": 300, "amount_refundable": 700, "currency": "usd", "refunded": true,
        "status": "succeeded", "refunds": [{"id": "re_1", "amount": 300}]}})");
    BOOST_TEST(tool.shape(body, obj(R"({"payment_id": "py_1"})")) ==
               json::parse(R"({"payment_id": "py_1", "amount": 1000, "amount_refunded": 300, "amount_refundable": 700,
                   "currency": "usd", "refunded": true, "refunds": [{"id": "re_1", "amount": 300}]})"));

    auto const without = tool.shape(json::parse(R"({"data": {"id": "py_2", "amount": 5}})"), obj(R"({"payment_id": "py_2"})"));
    BOOST_TEST(without.at("refunds") == json::array{});
    BOOST_TEST(contains(without.at("note").as_string(), "list_refunds"));
}

BOOST_AUTO_TEST_CASE(payout_status_keeps_only_the_status_facts)
{
    auto const& tool = endpoint("get_payout_status");
    BOOST_REQUIRE(tool.shape);
    auto const body = json::parse(R"({"id": "po_1", "type": "payout", "data": {"id": "po_1", "status": "in_transit",
        "amount": 9000, "currency": "usd", "deposits_at": "2025-01-02T00:00:00Z", "fees_total": 10,
        "bank_account": {"acct_last_four": "1234"}, "metadata": {}}})");
    BOOST_TEST(tool.shape(body, obj(R"({"payout_id": "po_1"})")) ==
               json::parse(R"({"id": "po_1", "status": "in_transit", "amount": 9000, "currency": "usd",
                   "deposits_at": "2025-01-02T00:00:00Z"})"));
}

// From JustiFi's answer to a result.

BOOST_AUTO_TEST_CASE(success_is_structured_json_with_the_same_text)
{
    auto const body = json::parse(R"({"id": null, "type": "array", "data": [{"id": "py_1"}],
        "page_info": {"has_next": true, "end_cursor": "c2"}})");
    auto const result = tools::result_from_upstream(200, body);
    BOOST_TEST(!result.is_error);
    BOOST_REQUIRE(result.structured);
    BOOST_TEST(*result.structured == body);  // page_info stays for paging
    BOOST_TEST(json::parse(text_of(result)) == body);

    auto const wrapped = tools::result_from_upstream(200, json::parse("[1, 2]"));
    BOOST_TEST(*wrapped.structured == json::parse(R"({"data": [1, 2]})"));
}

BOOST_AUTO_TEST_CASE(no_content_answers_done)
{
    auto const result = tools::result_from_upstream(204, nullptr);
    BOOST_TEST(!result.is_error);
    BOOST_TEST(*result.structured == json::parse(R"({"status": "done"})"));
    BOOST_TEST(contains(text_of(result), "HTTP 204, no content"));
}

BOOST_AUTO_TEST_CASE(decline_quotes_code_decline_code_and_message)
{
    auto const result = tools::result_from_upstream(402, json::parse(R"({"error": {"code": "card_declined",
        "decline_code": "do_not_retry", "message": "This card has been rejected"}})"));
    BOOST_TEST(result.is_error);
    BOOST_TEST(
        text_of(result).starts_with("JustiFi error (HTTP 402, code card_declined, decline code do_not_retry): "
                                    "This card has been rejected. The payment was declined"));
}

BOOST_AUTO_TEST_CASE(plain_string_error_is_quoted)
{
    auto const result = tools::result_from_upstream(404, json::parse(R"({"error": "Not Found"})"));
    BOOST_TEST(result.is_error);
    BOOST_TEST(text_of(result).starts_with("JustiFi error (HTTP 404): Not Found. Check the id, and the Sub-Account"));
}

BOOST_AUTO_TEST_CASE(each_status_class_gets_its_hint)
{
    auto hint = [](int status, std::string_view scope = {}) {
        auto const r =
            tools::result_from_upstream(status, json::parse(R"({"error": {"code": "x", "message": "m"}})"), scope);
        BOOST_TEST(r.is_error, status);
        return text_of(r);
    };
    BOOST_TEST(contains(hint(400), "input schema"));
    BOOST_TEST(contains(hint(401), "credentials"));
    BOOST_TEST(contains(hint(403, "payouts:read"), "needs the payouts:read scope"));
    BOOST_TEST(contains(hint(404), "Sub-Account"));
    BOOST_TEST(contains(hint(409), "Idempotency conflict"));
    BOOST_TEST(contains(hint(422), "Fix the fields named"));
    BOOST_TEST(contains(hint(429), "slow down"));
    BOOST_TEST(contains(hint(500), "JustiFi had a problem"));
    BOOST_TEST(contains(hint(503), "whether it went through"));
    BOOST_TEST(contains(hint(418), "Check the request"));
    BOOST_TEST(contains(hint(422), "HTTP 422, code x): m."));
}

BOOST_AUTO_TEST_CASE(error_without_a_body_still_names_the_status)
{
    auto const result = tools::result_from_upstream(502, nullptr);
    BOOST_TEST(result.is_error);
    BOOST_TEST(text_of(result).starts_with("JustiFi error (HTTP 502) with no message. JustiFi had a problem"));
    auto const field = tools::result_from_upstream(
        422, json::parse(R"({"error": {"code": "param_invalid", "message": "amount is invalid", "param": "amount"}})"));
    BOOST_TEST(contains(text_of(field), "field amount"));
}

BOOST_AUTO_TEST_CASE(redirect_status_is_an_error_about_the_base_url)
{
    auto const result = tools::result_from_upstream(302, nullptr);
    BOOST_TEST(result.is_error);
    BOOST_TEST(contains(text_of(result), "JUSTIFI_BASE_URL"));
}

BOOST_AUTO_TEST_CASE(failures_without_an_answer_say_what_to_do)
{
    auto const missing = tools::result_from_failure(client::client_error::no_credentials, false);
    BOOST_TEST(missing.is_error);
    BOOST_TEST(text_of(missing).starts_with("Could not reach JustiFi: no JustiFi credentials"));
    BOOST_TEST(contains(text_of(missing), "JUSTIFI_CLIENT_ID"));

    auto const lost_write = tools::result_from_failure(client::client_error::timed_out, true);
    BOOST_TEST(contains(text_of(lost_write), "may still have taken effect"));
    auto const lost_read = tools::result_from_failure(client::client_error::timed_out, false);
    BOOST_TEST(contains(text_of(lost_read), "try again in a moment"));
}

// Registration options and handlers, with no network.

BOOST_FIXTURE_TEST_CASE(invalid_argument_is_a_tool_error_before_any_call, catalog_fixture)
{
    register_catalog();
    auto const result = call("list_payments", obj(R"({"limit": 500})"));
    BOOST_TEST(result.is_error);
    BOOST_TEST(
        text_of(result) ==
        "Invalid arguments for list_payments: argument \"limit\" must be an integer between 1 and 100 (got 500).");
}

BOOST_FIXTURE_TEST_CASE(raw_card_number_is_refused_before_any_call, catalog_fixture)
{
    register_catalog();
    auth::auth_context identity;
    identity.credentials = auth::bearer_token{"token"};
    identity.sub_account = "acc_1";
    auto const result =
        call("create_payment", obj(R"({"amount": 100, "currency": "usd", "capture_strategy": "automatic",
        "payment_method": {"card": {"number": "4111111111111111", "verification": "123"}}})"),
             identity);
    BOOST_TEST(result.is_error);
    BOOST_TEST(contains(text_of(result), "unknown argument \"payment_method.card\" (accepted: token)"));
    BOOST_TEST(contains(text_of(result), "argument \"payment_method.token\" is required"));
}

BOOST_FIXTURE_TEST_CASE(read_only_mode_lists_only_reads_and_explains_refused_writes, catalog_fixture)
{
    register_catalog({.read_only = true});
    auto const listed = listed_names();
    std::size_t reads = 0;
    for (auto const& d : tools::justifi_tool_definitions())
        if (d.annotations.read_only) ++reads;
    BOOST_TEST(listed.size() == reads);
    BOOST_TEST(reads == 33u);  // 32 GET tools and the generator
    for (auto const& name : listed) BOOST_TEST(registry.find(name)->annotations.read_only, name);
    BOOST_TEST((std::find(listed.begin(), listed.end(), "create_payment") == listed.end()));

    auto const refused = call("create_payment", obj(R"({"amount": 100})"));
    BOOST_TEST(refused.is_error);
    BOOST_TEST(text_of(refused).starts_with("This server runs read-only, so create_payment"));
}

BOOST_AUTO_TEST_CASE(read_only_listing_pages_past_hidden_tools_without_gaps_or_repeats)
{
    asio::io_context io;
    client::justifi_client justifi(io.get_executor(), catalog_fixture::unreachable());
    tools::tool_registry registry(7);
    BOOST_REQUIRE(tools::register_justifi_tools(registry, justifi, {.read_only = true}));
    std::vector<std::string> listed;
    std::optional<std::string> cursor;
    int pages = 0;
    do {
        auto page = registry.list(cursor ? std::optional<std::string_view>(*cursor) : std::nullopt);
        BOOST_REQUIRE(page);
        BOOST_TEST(page->tools.size() <= 7u);
        for (auto const& t : page->tools) listed.emplace_back(t.as_object().at("name").as_string());
        cursor = page->next_cursor;
        ++pages;
    } while (cursor);
    std::vector<std::string> expected;
    for (auto const& d : tools::justifi_tool_definitions())
        if (d.annotations.read_only) expected.push_back(d.name);
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(listed == expected);
    BOOST_TEST(pages == 5);  // 33 read-only tools, 7 a page
}

BOOST_FIXTURE_TEST_CASE(enabled_tools_registers_only_the_named_tools, catalog_fixture)
{
    register_catalog({.enabled_tools = {"list_payments", "create_refund"}});
    BOOST_TEST(registry.size() == 2u);
    BOOST_TEST((listed_names() == std::vector<std::string>{"create_refund", "list_payments"}));
    BOOST_TEST(!registry.find("retrieve_payment"));
}

BOOST_FIXTURE_TEST_CASE(read_only_wins_over_enabled_tools, catalog_fixture)
{
    register_catalog({.read_only = true, .enabled_tools = {"list_payments", "create_refund"}});
    BOOST_TEST((listed_names() == std::vector<std::string>{"list_payments"}));
    BOOST_TEST(registry.find("create_refund")->hidden);
}

BOOST_FIXTURE_TEST_CASE(unknown_enabled_tool_is_an_error_naming_it, catalog_fixture)
{
    auto const registered =
        tools::register_justifi_tools(registry, justifi, {.enabled_tools = {"list_payments", "lst_refunds"}});
    BOOST_REQUIRE(!registered);
    BOOST_TEST(contains(registered.error().message, "\"lst_refunds\", which is not a JustiFi tool"));
    BOOST_TEST(contains(registered.error().message, "list_refunds"));
    BOOST_TEST(registry.size() == 0u);
}

// The integration generator.

BOOST_AUTO_TEST_CASE(generator_writes_server_page_package_and_readme)
{
    auto const result = tools::generate_checkout_integration(
        obj(R"({"amount": 1050, "description": "Order \"42\"\n</script>", "sub_account_id": "acc_7"})"));
    BOOST_TEST(!result.is_error);
    BOOST_REQUIRE(result.structured);
    auto const& files = result.structured->at("files").as_array();
    std::vector<std::string> paths;
    for (auto const& f : files) paths.emplace_back(f.at("path").as_string());
    BOOST_TEST((paths == std::vector<std::string>{"package.json", "server.js", "public/index.html", "README.md"}));

    auto content = [&](std::size_t i) { return std::string(files.at(i).at("content").as_string()); };
    auto const package = json::parse(content(0));
    BOOST_TEST(package.at("dependencies").at("express").is_string());
    BOOST_TEST(package.at("scripts").at("start") == "node server.js");

    auto const server = content(1);
    BOOST_TEST(contains(server, "import express from 'express';"));
    BOOST_TEST(contains(server, "'/v1/checkouts'"));
    BOOST_TEST(contains(server, "'/v1/web_component_tokens'"));
    BOOST_TEST(contains(server, "`write:checkout:${checkoutId}`"));
    BOOST_TEST(contains(server, "amount: 1050, description: \"Order \\\"42\\\"\\n</script>\""));
    BOOST_TEST(contains(server, "process.env.JUSTIFI_SUB_ACCOUNT_ID ?? \"acc_7\""));
    BOOST_TEST(contains(server, "$10.50"));
    BOOST_TEST(!contains(server, "{{"));

    auto const page = content(2);
    BOOST_TEST(
        contains(page, "https://cdn.jsdelivr.net/npm/@justifi/webcomponents/dist/webcomponents/webcomponents.esm.js"));
    BOOST_TEST(contains(page, "document.createElement('justifi-checkout')"));
    BOOST_TEST(contains(page, "setAttribute('checkout-id', checkoutId)"));
    BOOST_TEST(contains(page, "setAttribute('auth-token', authToken)"));

    // The text blocks carry every file for clients that read only text.
    BOOST_TEST(result.content.size() == 5u);
    BOOST_TEST(contains(text_of(result), server));
}

BOOST_AUTO_TEST_CASE(generator_node_flavour_needs_no_dependencies)
{
    auto const result =
        tools::generate_checkout_integration(obj(R"({"amount": 5, "description": "Tea", "framework": "node"})"));
    auto const& files = result.structured->at("files").as_array();
    BOOST_TEST(!json::parse(files.at(0).at("content").as_string()).as_object().contains("dependencies"));
    auto const server = std::string(files.at(1).at("content").as_string());
    BOOST_TEST(contains(server, "import http from 'node:http';"));
    BOOST_TEST(!contains(server, "express"));
    BOOST_TEST(contains(server, "process.env.JUSTIFI_SUB_ACCOUNT_ID ?? undefined"));
    BOOST_TEST(contains(server, "$0.05"));
}

BOOST_FIXTURE_TEST_CASE(generator_validates_and_defaults_to_the_connection_sub_account, catalog_fixture)
{
    register_catalog();
    auto const invalid =
        call(std::string(tools::integration_generator_name), obj(R"({"amount": 0, "description": "x"})"));
    BOOST_TEST(invalid.is_error);
    BOOST_TEST(contains(text_of(invalid), "argument \"amount\" must be an integer between 1 and 99999999 (got 0)"));

    auth::auth_context identity;
    identity.sub_account = "acc_header";
    auto const result =
        call(std::string(tools::integration_generator_name), obj(R"({"amount": 100, "description": "x"})"), identity);
    BOOST_TEST(!result.is_error);
    BOOST_TEST(contains(text_of(result), "?? \"acc_header\""));
}

BOOST_AUTO_TEST_CASE(metadata_is_bounded_in_size_and_depth_in_every_schema_that_takes_it)
{
    // 900 KB, and a tree 55 levels deep, both reached JustiFi once.
    json::object wide;
    for (int i = 0; i < 51; ++i) wide["k" + std::to_string(i)] = "v";
    json::value deep = "leaf";
    for (int i = 0; i < 55; ++i) deep = json::object{{"n", deep}};
    json::object const big{{"blob", std::string(900 * 1024, 'x')}};
    json::object const long_name{{std::string(101, 'n'), 1}};
    json::object const fine{{"order", "A-1"}, {"count", 3}, {"paid", true}, {"note", nullptr},
                            {"shipping", json::object{{"city", "Oslo"}}}, {"tags", json::array{"a", "b"}}};
    int checked = 0;
    for (auto const& d : tools::justifi_tool_definitions()) {
        auto const& properties = d.input_schema.at("properties").as_object();
        if (!properties.contains("metadata")) continue;
        ++checked;
        auto const& schema = properties.at("metadata").as_object();
        json::object const schema_only{{"type", "object"}, {"properties", json::object{{"metadata", schema}}}};
        // The validator's words, or "" when the metadata conforms.
        auto const verdict = [&](json::value metadata) -> std::string {
            auto checked = tools::validate_arguments(json::object{{"metadata", std::move(metadata)}}, schema_only);
            return checked ? std::string() : checked.error().message;
        };
        BOOST_TEST(verdict(fine).empty(), d.name << ": " << verdict(fine));
        BOOST_TEST(contains(verdict(wide), "at most 50 entries"), d.name);
        BOOST_TEST(contains(verdict(deep), "metadata.n.n"), d.name << ": " << verdict(deep));
        BOOST_TEST(contains(verdict(big), "at most 500 characters"), d.name);
        BOOST_TEST(contains(verdict(long_name), "at most 100 characters"), d.name);
    }
    BOOST_TEST(checked >= 4);
}

// Output schemas.

BOOST_AUTO_TEST_CASE(every_tool_declares_an_object_output_schema_in_keywords_the_validator_checks)
{
    // What tools/schema_validator checks (description is an annotation); nothing a test could not verify.
    std::set<std::string> const checked{"type",  "properties", "required", "additionalProperties", "enum",
                                        "const", "items",      "anyOf",    "description"};
    for (auto const& d : tools::justifi_tool_definitions()) {
        BOOST_REQUIRE_MESSAGE(d.output_schema, d.name << " has no outputSchema");
        BOOST_TEST(d.output_schema->at("type") == "object", d.name);
        std::set<std::string> keywords;
        bool closed = false;
        collect_keywords(*d.output_schema, keywords, closed);
        for (auto const& k : keywords) BOOST_TEST(checked.contains(k), d.name << " uses the keyword " << k);
        // JustiFi adds fields to its objects; only our own {status: "done"} is closed.
        BOOST_TEST((!closed || json::serialize(*d.output_schema).find("\"done\"") != std::string::npos), d.name);
    }
}

BOOST_AUTO_TEST_CASE(shaped_and_contentless_results_match_their_output_schemas)
{
    auto const conforms = [](std::string_view tool, json::value const& structured) {
        auto checked = tools::validate_arguments(structured.as_object(), json::parse(endpoint(tool).output_schema_text).as_object());
        return checked ? std::string() : checked.error().message;
    };
    auto const payment = json::parse(R"({"id": "py_1", "type": "payment", "page_info": null, "data": {"id": "py_1",
        "amount": 1000, "amount_refunded": 300, "amount_refundable": 700, "currency": "usd", "refunded": true,
        "status": "succeeded", "description": null, "refunds": [{"id": "re_1", "amount": 300, "status": "succeeded",
        "reason": null, "payment_id": "py_1"}]}})");
    BOOST_TEST(conforms("retrieve_payment", payment) == "");
    auto const refunds = endpoint("list_payment_refunds").shape(payment, obj(R"({"payment_id": "py_1"})"));
    BOOST_TEST(conforms("list_payment_refunds", refunds) == "");
    auto const payout = json::parse(R"({"id": "po_1", "type": "payout", "data": {"id": "po_1", "status": "paid",
        "amount": 9000, "currency": "usd", "deposits_at": "2025-01-02T00:00:00Z", "description": null}})");
    BOOST_TEST(conforms("get_payout_status", endpoint("get_payout_status").shape(payout, {})) == "");

    auto const done = tools::result_from_upstream(204, nullptr);
    BOOST_REQUIRE(done.structured);
    BOOST_TEST(conforms("identify_terminal", *done.structured) == "");
    BOOST_TEST(conforms("remove_payment_method_from_group", *done.structured) == "");
    BOOST_TEST(conforms("update_payment_method_group",
                        json::parse(R"({"id": "pmg_1", "type": "payment_method_group", "data": {"id": "pmg_1"}})")) ==
               "");
    // The simulator's envelope and the OpenAPI's bare intent.
    auto const intent = json::parse(R"({"id": "pi_1", "amount": 100, "status": "pending", "payment_method": null})");
    BOOST_TEST(conforms("retrieve_payment_intent", intent) == "");
    BOOST_TEST(conforms("retrieve_payment_intent", json::object{{"id", "pi_1"}, {"type", "payment_intent"},
                                                                {"data", intent}}) == "");
}

BOOST_AUTO_TEST_CASE(output_schemas_catch_what_a_client_would_reject)
{
    auto const problem = [](std::string_view tool, std::string_view structured) {
        auto checked = tools::validate_arguments(obj(structured), json::parse(endpoint(tool).output_schema_text).as_object());
        return checked ? std::string() : checked.error().message;
    };
    BOOST_TEST(contains(problem("list_payments", R"({"data": [{"id": "py_1", "amount": "10.50"}]})"),
                        "\"data[0].amount\" must be an integer"));
    BOOST_TEST(contains(problem("list_refunds", R"({"data": [{"id": "re_1", "status": "done"}]})"),
                        "\"data[0].status\" must be one of"));
    BOOST_TEST(contains(problem("retrieve_payout", R"({"id": "po_1", "type": "payout"})"), "\"data\" is required"));
    BOOST_TEST(contains(problem("list_payouts", R"({"data": [{"amount": 5}]})"), "\"data[0].id\" is required"));
    BOOST_TEST(contains(problem("identify_terminal", R"({"status": "queued"})"), "\"status\" must be \"done\""));
    BOOST_TEST(contains(problem("update_payment_method_group", R"({"status": "queued"})"), "none of the 2 allowed shapes"));
    // Open objects: a field JustiFi adds tomorrow is no error.
    BOOST_TEST(problem("retrieve_refund", R"({"id": "re_1", "data": {"id": "re_1", "new_field": [1]}})") == "");
}

BOOST_AUTO_TEST_CASE(every_sub_account_argument_is_mirrored_as_mcp_param_sub_account)
{
    int marked = 0;
    for (auto const& d : tools::justifi_tool_definitions()) {
        auto const declared = tools::param_headers_of(d.input_schema);
        BOOST_REQUIRE_MESSAGE(declared, d.name << ": " << declared.error());
        auto const& properties = d.input_schema.at("properties").as_object();
        bool const has_argument = properties.contains("sub_account_id");
        bool const mirrored = std::any_of(declared->begin(), declared->end(), [](tools::param_header const& h) {
            return h.name == "Sub-Account" && h.path == std::vector<std::string>{"sub_account_id"} &&
                   h.type == tools::param_header::kind::string;
        });
        BOOST_TEST(mirrored == has_argument, d.name);
        marked += mirrored;
    }
    BOOST_TEST(marked > 40);
}

BOOST_AUTO_TEST_SUITE_END()
