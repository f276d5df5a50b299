// The building blocks of tool schemas (JSON Schema 2020-12). Input: every property says what
// it holds, so the model need not guess; every object is closed, so an unknown argument is
// an error that names it rather than something JustiFi silently ignores. Output: JustiFi's
// answers as they are, objects open (JustiFi adds fields without notice).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::tools::schema {

namespace json = boost::json;

// Every tool takes this optional argument: the Sub-Account the call applies to.
inline constexpr std::string_view sub_account_argument = "sub_account_id";
inline constexpr std::string_view amounts_note = " Amounts are integers in minor units (cents): 1050 means $10.50.";

json::object described(json::object schema, std::string_view description);
json::object string_field(std::string_view description);
json::object bounded_string(std::string_view description, std::int64_t min_length, std::int64_t max_length);
json::object id_field(std::string_view description);
json::object enum_field(std::string_view description, std::initializer_list<std::string_view> values);
json::object amount_field(std::string_view description);
json::object date_field(std::string_view description);
json::object metadata_field(std::string_view description);
json::object boolean_field(std::string_view description);

struct field {
    std::string name;
    json::object schema;
    bool required = false;
};
field req(std::string name, json::object schema);
field opt(std::string name, json::object schema);

// An object that accepts exactly these fields: tool arguments and JustiFi's nested request objects.
json::object closed_object(std::vector<field> fields);
json::object nested_object(std::string_view description, std::vector<field> fields);

json::object payment_method_token_field(std::string_view description);
json::object application_fees_field();
json::object statement_descriptor_field();

// Path parameters are required and restricted to id characters (build_path checks again).
field path_id(std::string name, std::string_view description);

// The shape every tool schema has: an object, no unknown arguments, and the Sub-Account override
// (optional; when `fields` already has sub_account_id, that one carries the header marking).
json::object tool_schema(std::vector<field> fields);
// A tool on one object: the path parameter that names it, then `extra`.
json::object id_schema(field id, std::vector<field> extra = {});
// A list tool: the filters, then limit and the two cursors (never both).
json::object list_schema(std::vector<field> filters = {}, std::int64_t default_limit = 25, std::int64_t max_limit = 100);

// Output schemas.
json::object typed(std::string_view type);
// The same schema that also accepts null (an enum gains null too).
json::object or_null(json::object schema);
json::object one_of_strings(std::initializer_list<std::string_view> values);
json::object array_of(json::object items);
// An object of one of these shapes (MCP wants an outputSchema's root to say type object).
json::object object_any_of(std::vector<json::object> options);
// An object that names these fields and accepts others.
json::object open_object(std::vector<field> fields);
// Only these of an open object's properties, none required: the view a shaper answers.
json::object view_of(json::object const& object, std::initializer_list<std::string_view> names);
// JustiFi's envelopes: {id, type, data: object} and {data: [...], page_info}.
json::object single_envelope(json::object data);
json::object list_envelope(json::object item);

}  // namespace justifi::tools::schema
