#include "tools/schema.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace justifi::tools::schema {
namespace {

constexpr std::string_view id_pattern = "^[A-Za-z0-9_-]{1,128}$";
constexpr std::string_view date_pattern =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$";

}  // namespace

json::object described(json::object schema, std::string_view description)
{
    schema["description"] = description;
    return schema;
}

json::object string_field(std::string_view description)
{
    return described({{"type", "string"}}, description);
}

json::object bounded_string(std::string_view description, std::int64_t min_length, std::int64_t max_length)
{
    return described({{"type", "string"}, {"minLength", min_length}, {"maxLength", max_length}}, description);
}

json::object id_field(std::string_view description)
{
    return described({{"type", "string"}, {"pattern", id_pattern}}, description);
}

json::object enum_field(std::string_view description, std::initializer_list<std::string_view> values)
{
    json::array options;
    for (auto v : values) options.emplace_back(v);
    return described({{"type", "string"}, {"enum", std::move(options)}}, description);
}

json::object amount_field(std::string_view description)
{
    return described({{"type", "integer"}, {"minimum", 1}, {"maximum", 99'999'999}},
                     std::string(description) + " Integer in minor units (cents): 1050 is $10.50.");
}

json::object date_field(std::string_view description)
{
    return described({{"type", "string"}, {"pattern", date_pattern}},
                     std::string(description) + " UTC date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z.");
}

// JustiFi stores metadata as given; what a model may send is bounded, so a call cannot carry a
// megabyte or a fifty-level tree to JustiFi: 50 entries, each a scalar or one level of 20 scalars,
// names up to 100 and strings up to 500 characters.
json::object metadata_field(std::string_view description)
{
    json::object const name_limit{{"maxLength", 100}};
    json::object const scalar{{"type", json::array{"string", "number", "boolean", "null"}}, {"maxLength", 500}};
    json::object const entry{{"type", json::array{"string", "number", "boolean", "null", "object", "array"}},
                             {"maxLength", 500},
                             {"maxProperties", 20},
                             {"propertyNames", name_limit},
                             {"additionalProperties", scalar},
                             {"maxItems", 20},
                             {"items", scalar}};
    return described({{"type", "object"},
                      {"maxProperties", 50},
                      {"propertyNames", name_limit},
                      {"additionalProperties", entry}},
                     std::string(description) +
                         " At most 50 entries; each a string (up to 500 characters), number, boolean or null, or "
                         "an object or array of up to 20 of those.");
}

json::object boolean_field(std::string_view description)
{
    return described({{"type", "boolean"}}, description);
}

field req(std::string name, json::object schema)
{
    return {std::move(name), std::move(schema), true};
}

field opt(std::string name, json::object schema)
{
    return {std::move(name), std::move(schema), false};
}

// An object that accepts exactly these fields: tool arguments and JustiFi's nested request objects.
json::object closed_object(std::vector<field> fields)
{
    json::object properties;
    json::array required;
    for (auto& f : fields) {
        if (f.required) required.emplace_back(f.name);
        properties[f.name] = std::move(f.schema);
    }
    json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) schema["required"] = std::move(required);
    schema["additionalProperties"] = false;
    return schema;
}

json::object nested_object(std::string_view description, std::vector<field> fields)
{
    return described(closed_object(std::move(fields)), description);
}

// JustiFi also accepts raw card and bank numbers here; this server never does: only a
// tokenized payment method (PCI scope stays with JustiFi's hosted fields).
json::object payment_method_token_field(std::string_view description)
{
    return nested_object(description,
                         {req("token", id_field("Payment method token, e.g. pm_123xyz (see list_payment_methods)."))});
}

json::object application_fees_field()
{
    return nested_object(
        "Platforms only: custom application fees instead of the configured rates (not for BNPL).",
        {opt("card",
             nested_object("Custom fee for card payments.", {opt("amount", amount_field("Fee for card payments."))})),
         opt("bank_account", nested_object("Custom fee for bank account payments.",
                                           {opt("amount", amount_field("Fee for bank account payments."))}))});
}

json::object statement_descriptor_field()
{
    return bounded_string("Text on the customer's bank statement: 5-22 letters and digits, '-' or '_'.", 5, 22);
}

// Path parameters are required and restricted to id characters (build_path checks again).
field path_id(std::string name, std::string_view description)
{
    return req(std::move(name), id_field(description));
}

// The shape every tool schema has: an object, no unknown arguments, and the Sub-Account override.
json::object tool_schema(std::vector<field> fields)
{
    auto subject =
        std::find_if(fields.begin(), fields.end(), [](field const& f) { return f.name == sub_account_argument; });
    if (subject == fields.end()) {
        fields.push_back(opt(std::string(sub_account_argument),
                             id_field("Sub-Account id (acc_...) the call applies to; defaults to the Sub-Account "
                                      "header of this MCP connection, if any.")));
        subject = std::prev(fields.end());
    }
    // 2026-07-28 clients mirror it as Mcp-Param-Sub-Account, so a gateway can route on it unread.
    subject->schema["x-mcp-header"] = "Sub-Account";
    return closed_object(std::move(fields));
}

json::object id_schema(field id, std::vector<field> extra)
{
    extra.insert(extra.begin(), std::move(id));
    return tool_schema(std::move(extra));
}

json::object list_schema(std::vector<field> filters, std::int64_t default_limit, std::int64_t max_limit)
{
    filters.push_back(opt(
        "limit", described({{"type", "integer"}, {"minimum", 1}, {"maximum", max_limit}, {"default", default_limit}},
                           "How many records to return (1-" + std::to_string(max_limit) + ", default " +
                               std::to_string(default_limit) + ").")));
    filters.push_back(
        opt("after_cursor", bounded_string("Next page: page_info.end_cursor of the previous answer.", 1, 1024)));
    filters.push_back(
        opt("before_cursor", bounded_string("Previous page: page_info.start_cursor of the previous answer.", 1, 1024)));
    auto schema = tool_schema(std::move(filters));
    schema["not"] = json::object{{"required", json::array{"after_cursor", "before_cursor"}}};
    return schema;
}

json::object typed(std::string_view type)
{
    return {{"type", type}};
}

json::object or_null(json::object schema)
{
    if (auto* type = schema.if_contains("type"); type && type->is_string())
        *type = json::array{type->get_string(), "null"};
    if (auto* values = schema.if_contains("enum"); values && values->is_array())
        values->get_array().emplace_back(nullptr);
    return schema;
}

json::object one_of_strings(std::initializer_list<std::string_view> values)
{
    json::array options;
    for (auto v : values) options.emplace_back(v);
    return {{"type", "string"}, {"enum", std::move(options)}};
}

json::object array_of(json::object items)
{
    return {{"type", "array"}, {"items", std::move(items)}};
}

json::object object_any_of(std::vector<json::object> options)
{
    json::array list;
    for (auto& o : options) list.emplace_back(std::move(o));
    return {{"type", "object"}, {"anyOf", std::move(list)}};
}

json::object open_object(std::vector<field> fields)
{
    auto schema = closed_object(std::move(fields));
    schema.erase("additionalProperties");
    return schema;
}

json::object view_of(json::object const& object, std::initializer_list<std::string_view> names)
{
    auto const& properties = object.at("properties").as_object();
    json::object picked;
    for (auto name : names) picked[name] = properties.at(name);
    return {{"type", "object"}, {"properties", std::move(picked)}};
}

json::object single_envelope(json::object data)
{
    return open_object({opt("id", typed("string")), opt("type", typed("string")), req("data", std::move(data))});
}

json::object list_envelope(json::object item)
{
    // JustiFi's Envelope-list gives the list an id (a number) and a type, "array".
    auto const cursor = or_null(typed("string"));
    return open_object({opt("id", json::object{{"type", json::array{"number", "string", "null"}}}),
                        opt("type", typed("string")),
                        req("data", array_of(std::move(item))),
                        opt("page_info", open_object({opt("has_next", typed("boolean")),
                                                      opt("has_previous", typed("boolean")),
                                                      opt("start_cursor", cursor), opt("end_cursor", cursor)}))});
}

}  // namespace justifi::tools::schema
