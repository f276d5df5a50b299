// The tool registry: what it accepts as a tool, how tools are described to
// clients, and cursor pagination of tools/list.
#include "tools/tool_registry.hpp"

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace tools = justifi::tools;

namespace {

tools::tool_definition make_tool(std::string name)
{
    tools::tool_definition def;
    def.name = std::move(name);
    def.description = "does " + def.name;
    def.input_schema = json::object{{"type", "object"}};
    def.handler = [](json::object const&, tools::tool_context&) -> asio::awaitable<tools::tool_result> {
        co_return tools::tool_result::text("ok");
    };
    return def;
}

// The message of the std::invalid_argument add() throws, or "" when it does not throw.
std::string add_error(tools::tool_registry& registry, tools::tool_definition def)
{
    try {
        registry.add(std::move(def));
    } catch (std::invalid_argument const& e) {
        return e.what();
    }
    return "";
}

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

std::vector<std::string> names_of(json::array const& tools)
{
    std::vector<std::string> names;
    for (auto const& t : tools) names.emplace_back(t.as_object().at("name").as_string());
    return names;
}

tools::tool_page page_of(tools::tool_registry const& registry, std::optional<std::string_view> cursor)
{
    auto page = registry.list(cursor);
    if (!page) BOOST_FAIL("list() failed: " << page.error());
    return *page;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tool_registry)

BOOST_AUTO_TEST_CASE(added_tool_is_found_by_name)
{
    tools::tool_registry registry;
    registry.add(make_tool("get_payment"));
    registry.add(make_tool("list_payments"));
    BOOST_TEST(registry.size() == 2u);
    auto const* found = registry.find("get_payment");
    BOOST_REQUIRE(found);
    BOOST_TEST(found->name == "get_payment");
    BOOST_TEST(!registry.find("get_payments"));
    BOOST_TEST(!registry.find("GET_PAYMENT"));  // names are case-sensitive
    BOOST_TEST(!registry.find(""));
}

BOOST_AUTO_TEST_CASE(tool_names_follow_spec_charset)
{
    tools::tool_registry registry;
    for (auto const& name : std::vector<std::string>{"a", "get_payment", "payments.list", "v2-refund", "ABC123",
                                                     std::string(128, 'x')})
        BOOST_TEST(add_error(registry, make_tool(name)) == "", name);
    BOOST_TEST(registry.size() == 6u);
}

BOOST_AUTO_TEST_CASE(invalid_tool_names_are_rejected_by_name)
{
    tools::tool_registry registry;
    for (auto const& name : std::vector<std::string>{"", "has space", "slash/name", "colon:name", "accent\u00e9",
                                                     std::string(129, 'x')}) {
        auto const err = add_error(registry, make_tool(name));
        BOOST_TEST(contains(err, "tool name \"" + name + "\""), "name \"" << name << "\" gave: " << err);
    }
    BOOST_TEST(registry.size() == 0u);
}

BOOST_AUTO_TEST_CASE(tool_without_handler_is_rejected)
{
    tools::tool_registry registry;
    auto def = make_tool("no_handler");
    def.handler = nullptr;
    auto const err = add_error(registry, std::move(def));
    BOOST_TEST(err == "tool \"no_handler\" has no handler");
}

BOOST_AUTO_TEST_CASE(input_schema_must_be_object_typed)
{
    tools::tool_registry registry;
    auto missing = make_tool("no_type");
    missing.input_schema = json::object{};
    BOOST_TEST(add_error(registry, std::move(missing)) == "tool \"no_type\" inputSchema must have type \"object\"");

    auto wrong = make_tool("array_type");
    wrong.input_schema = json::object{{"type", "array"}};
    BOOST_TEST(contains(add_error(registry, std::move(wrong)), "\"array_type\""));
    BOOST_TEST(registry.size() == 0u);
}

BOOST_AUTO_TEST_CASE(output_schema_when_given_must_be_object_typed)
{
    tools::tool_registry registry;
    auto rooted_in_any_of = make_tool("any_of_root");
    rooted_in_any_of.output_schema = json::object{{"anyOf", json::array{json::object{{"type", "object"}}}}};
    BOOST_TEST(add_error(registry, std::move(rooted_in_any_of)) ==
               "tool \"any_of_root\" outputSchema must have type \"object\"");
    auto fine = make_tool("object_root");
    fine.output_schema = json::object{{"type", "object"}, {"anyOf", json::array{json::object{}}}};
    BOOST_TEST(add_error(registry, std::move(fine)) == "");
    BOOST_TEST(registry.size() == 1u);
}

BOOST_AUTO_TEST_CASE(duplicate_tool_is_rejected)
{
    tools::tool_registry registry;
    registry.add(make_tool("dup"));
    auto replacement = make_tool("dup");
    replacement.description = "the second one";
    BOOST_TEST(!add_error(registry, std::move(replacement)).empty());
    // The first registration stands.
    BOOST_TEST(registry.size() == 1u);
    BOOST_TEST(registry.find("dup")->description == "does dup");
}

BOOST_AUTO_TEST_CASE(duplicate_tool_error_names_the_tool)
{
    // Every other add() error names the tool; so must this one.
    tools::tool_registry registry;
    registry.add(make_tool("dup"));
    BOOST_TEST(add_error(registry, make_tool("dup")) == "tool \"dup\" is registered twice");
}

BOOST_AUTO_TEST_CASE(describe_includes_schema_and_annotations)
{
    auto def = make_tool("get_payment");
    def.title = "Get payment";
    def.input_schema = json::object{{"type", "object"}, {"properties", json::object{{"id", json::object{{"type", "string"}}}}}};
    def.output_schema = json::object{{"type", "object"}};
    def.annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false};
    auto const d = def.describe();
    BOOST_TEST(d.at("name") == "get_payment");
    BOOST_TEST(d.at("title") == "Get payment");
    BOOST_TEST(d.at("description") == "does get_payment");
    BOOST_TEST(d.at("inputSchema") == json::value(def.input_schema));
    BOOST_TEST(d.at("outputSchema") == json::value(*def.output_schema));
    auto const& a = d.at("annotations").as_object();
    BOOST_TEST(a.at("readOnlyHint") == true);
    BOOST_TEST(a.at("destructiveHint") == false);
    BOOST_TEST(a.at("idempotentHint") == true);
    BOOST_TEST(a.at("openWorldHint") == false);
    BOOST_TEST(a.at("title") == "Get payment");
}

BOOST_AUTO_TEST_CASE(describe_omits_absent_optional_fields)
{
    auto const d = make_tool("plain").describe();
    BOOST_TEST(!d.contains("title"));
    BOOST_TEST(!d.contains("outputSchema"));
    // The conservative defaults: a tool is assumed destructive and open-world.
    auto const& a = d.at("annotations").as_object();
    BOOST_TEST(a.at("readOnlyHint") == false);
    BOOST_TEST(a.at("destructiveHint") == true);
    BOOST_TEST(a.at("idempotentHint") == false);
    BOOST_TEST(a.at("openWorldHint") == true);
}

BOOST_AUTO_TEST_CASE(tool_result_text_and_error)
{
    auto const ok = tools::tool_result::text("hello").to_json();
    BOOST_TEST(json::value(ok) == json::parse(R"({"content":[{"type":"text","text":"hello"}]})"));
    BOOST_TEST(!ok.contains("isError"));  // absent, not false

    auto const failed = tools::tool_result::error("payment not found; check the id").to_json();
    BOOST_TEST(failed.at("isError") == true);
    BOOST_TEST(failed.at("content").as_array().at(0).as_object().at("text") == "payment not found; check the id");
}

BOOST_AUTO_TEST_CASE(structured_result_also_carries_text)
{
    // Clients that only read text content still see the JSON.
    json::value const data = {{"id", "py_1"}, {"amount", 1000}};
    auto const out = tools::tool_result::structured_json(data).to_json();
    BOOST_TEST(out.at("structuredContent") == data);
    auto const& text = out.at("content").as_array().at(0).as_object().at("text").as_string();
    BOOST_TEST(json::parse(text) == data);
}

BOOST_AUTO_TEST_CASE(list_is_sorted_by_name)
{
    tools::tool_registry registry;
    for (auto name : {"charlie", "alpha", "bravo"}) registry.add(make_tool(name));
    auto const page = page_of(registry, std::nullopt);
    std::vector<std::string> const expected{"alpha", "bravo", "charlie"};
    BOOST_TEST(names_of(page.tools) == expected, boost::test_tools::per_element());
    BOOST_TEST(!page.next_cursor);
}

BOOST_AUTO_TEST_CASE(empty_registry_lists_nothing)
{
    tools::tool_registry registry;
    auto const page = page_of(registry, std::nullopt);
    BOOST_TEST(page.tools.empty());
    BOOST_TEST(!page.next_cursor);
}

BOOST_AUTO_TEST_CASE(pagination_visits_every_tool_once)
{
    tools::tool_registry registry(2);
    for (auto name : {"e", "d", "c", "b", "a"}) registry.add(make_tool(name));

    std::vector<std::string> seen;
    std::optional<std::string> cursor;
    int pages = 0;
    do {
        auto const page = page_of(registry, cursor ? std::optional<std::string_view>(*cursor) : std::nullopt);
        BOOST_TEST(page.tools.size() <= 2u);
        for (auto const& n : names_of(page.tools)) seen.push_back(n);
        cursor = page.next_cursor;
        BOOST_REQUIRE(++pages <= 5);
    } while (cursor);
    std::vector<std::string> const expected{"a", "b", "c", "d", "e"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
    BOOST_TEST(pages == 3);
}

BOOST_AUTO_TEST_CASE(exactly_full_last_page_has_no_cursor)
{
    // Four tools in pages of two: the second page ends the list, so no third (empty) page.
    tools::tool_registry registry(2);
    for (auto name : {"a", "b", "c", "d"}) registry.add(make_tool(name));
    auto const first = page_of(registry, std::nullopt);
    BOOST_REQUIRE(first.next_cursor);
    auto const second = page_of(registry, *first.next_cursor);
    BOOST_TEST(names_of(second.tools) == (std::vector<std::string>{"c", "d"}), boost::test_tools::per_element());
    BOOST_TEST(!second.next_cursor);
}

BOOST_AUTO_TEST_CASE(cursor_survives_tool_added_between_pages)
{
    // Cursors name the last tool seen, not an offset: an addition does not repeat or skip tools.
    tools::tool_registry registry(2);
    for (auto name : {"b", "d", "f"}) registry.add(make_tool(name));
    auto const first = page_of(registry, std::nullopt);
    BOOST_TEST(names_of(first.tools) == (std::vector<std::string>{"b", "d"}), boost::test_tools::per_element());
    registry.add(make_tool("a"));
    auto const second = page_of(registry, *first.next_cursor);
    BOOST_TEST(names_of(second.tools) == (std::vector<std::string>{"f"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(invalid_cursor_is_an_error)
{
    tools::tool_registry registry(2);
    for (auto name : {"a", "b", "c"}) registry.add(make_tool(name));
    // Not base64url; base64url of the wrong thing; empty.
    for (auto const& cursor : std::vector<std::string>{"!!!", justifi::core::encoding::base64url_encode("offset:2"), ""}) {
        auto const page = registry.list(cursor);
        BOOST_REQUIRE_MESSAGE(!page, "cursor \"" << cursor << "\" was accepted");
        BOOST_TEST(contains(page.error().message, "unknown cursor"));
        BOOST_TEST((page.error().code == justifi::core::errc::invalid_params));
        BOOST_TEST(justifi::core::refusal_text(page.error()).starts_with("Invalid params: unknown cursor"));
    }
}

BOOST_AUTO_TEST_CASE(the_text_pages_of_tools_list_are_the_dom_pages_serialized)
{
    tools::tool_registry registry(2);
    for (auto name : {"a", "b", "c", "d", "e"}) registry.add(make_tool(name));
    auto const not_c = [](tools::tool_definition const& t) { return t.name != "c"; };
    for (bool filtered : {false, true}) {
        tools::tool_registry::visibility const visible = filtered ? tools::tool_registry::visibility(not_c) : nullptr;
        std::optional<std::string> cursor;
        int pages = 0;
        do {
            ++pages;
            auto const as_dom = registry.list(cursor, visible);
            auto const as_text = registry.list_text(cursor, visible);
            BOOST_REQUIRE(as_dom);
            BOOST_REQUIRE(as_text);
            BOOST_TEST(json::parse(as_text->tools_json) == json::value(as_dom->tools));
            BOOST_TEST((as_text->next_cursor == as_dom->next_cursor));
            cursor = as_dom->next_cursor;
        } while (cursor && pages < 10);
        BOOST_TEST(pages == (filtered ? 2 : 3));  // a b | d e, or a b | c d | e
    }
    BOOST_TEST((registry.list_text(std::string_view("!!!")).error().code == justifi::core::errc::invalid_params));
    tools::tool_registry empty;
    BOOST_TEST(empty.list_text(std::nullopt)->tools_json == "[]");
}

BOOST_AUTO_TEST_CASE(cursor_past_the_end_gives_empty_page)
{
    tools::tool_registry registry(2);
    registry.add(make_tool("a"));
    auto const cursor = justifi::core::encoding::base64url_encode("tools-after:zzz");
    auto const page = page_of(registry, cursor);
    BOOST_TEST(page.tools.empty());
    BOOST_TEST(!page.next_cursor);
}

BOOST_AUTO_TEST_SUITE_END()
