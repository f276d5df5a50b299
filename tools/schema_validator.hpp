// Argument validation against a tool's inputSchema: the JSON Schema subset the
// catalog uses, checked before any JustiFi call so a model gets an error it can fix.
// Sans-io: plain functions over boost::json values.
//
// Supported keywords: type (one name or an array of names), properties, required,
// additionalProperties (false, or a schema), maxProperties, propertyNames, enum, const,
// minimum, maximum, minLength, maxLength, pattern (ECMAScript), items, minItems, maxItems, not. Annotations (description,
// default, format, title, examples) are ignored. A number with a zero fraction is an integer.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace justifi::tools {

namespace json = boost::json;

// nullopt when the arguments conform; otherwise every problem found, joined by "; ",
// each naming its argument path: `argument "limit" must be an integer between 1 and 100 (got 500)`.
std::optional<std::string> validate_arguments(json::object const& arguments, json::object const& schema);

}  // namespace justifi::tools
