// Argument validation against a tool's inputSchema: the JSON Schema subset the
// catalog uses, checked before any JustiFi call so a model gets an error it can fix.
// The tests check structuredContent against outputSchema with it too.
// Sans-io: plain functions over boost::json values.
//
// Supported keywords: type (one name or an array of names), properties, required,
// additionalProperties (false, or a schema), maxProperties, propertyNames, enum, const,
// minimum, maximum, minLength, maxLength, pattern (ECMAScript), items, minItems, maxItems, not,
// anyOf. Annotations (description, default, format, title, examples) are ignored. A number with
// a zero fraction is an integer.
#pragma once

#include "core/errors.hpp"

#include <boost/json/object.hpp>

namespace justifi::tools {

namespace json = boost::json;

// Nothing when the arguments conform; otherwise an invalid_arguments refusal whose message is every
// problem found, joined by "; ", each naming its argument path:
// `argument "limit" must be an integer between 1 and 100 (got 500)`.
core::outcome<void> validate_arguments(json::object const& arguments, json::object const& schema);

}  // namespace justifi::tools
