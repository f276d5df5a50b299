// The building blocks of tool input schemas (JSON Schema 2020-12). Every property says what
// it holds, so the model need not guess; every object is closed, so an unknown argument is
// an error that names it rather than something JustiFi silently ignores.
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

// The shape every tool schema has: an object, no unknown arguments, and the Sub-Account override.
json::object tool_schema(std::vector<field> fields);
// A tool on one object: its id, then `extra`.
json::object id_schema(std::string_view what, std::vector<field> extra = {});
// A list tool: the filters, then limit and the two cursors (never both).
json::object list_schema(std::vector<field> filters = {}, std::int64_t default_limit = 25, std::int64_t max_limit = 100);

}  // namespace justifi::tools::schema
