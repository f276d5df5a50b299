// What a text is as JSON, found without building a DOM: JustiFi's answers are passed on as the
// text they came in, so every byte is checked first, on every call, and fast.
#pragma once

#include <string_view>

namespace justifi::core::json_text {

enum class shape { invalid, object, other };

// Accepts exactly what boost::json::parse accepts with its default options: RFC 8259 with
// strict UTF-8, paired UTF-16 surrogate escapes, at most 32 nested arrays and objects, and
// an exponent that fits its accumulator (the rare number that might not is checked by
// Boost.JSON's own parser).
shape check(std::string_view text);

}  // namespace justifi::core::json_text
