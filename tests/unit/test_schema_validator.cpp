// The argument validator: each supported JSON Schema keyword accepts what conforms and
// rejects what does not with a message that names the argument path and says what to send.
#include "tools/schema_validator.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;
using justifi::tools::validate_arguments;

namespace {

json::object obj(std::string_view text)
{
    return json::parse(text).as_object();
}

// The validator's message, or "" when the arguments conform.
std::string problem(std::string_view arguments, std::string_view schema)
{
    auto const checked = validate_arguments(obj(arguments), obj(schema));
    if (checked) return {};
    BOOST_TEST((checked.error().code == justifi::core::errc::invalid_arguments));
    return checked.error().message;
}

constexpr std::string_view list_schema = R"({
    "type": "object",
    "properties": {
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "after_cursor": {"type": "string"},
        "before_cursor": {"type": "string"}
    },
    "additionalProperties": false,
    "not": {"required": ["after_cursor", "before_cursor"]}
})";

constexpr std::string_view payment_schema = R"({
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "minimum": 1},
        "currency": {"type": "string", "enum": ["usd"]},
        "description": {"type": "string", "minLength": 1, "maxLength": 5},
        "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$"},
        "payment_method": {
            "type": "object",
            "properties": {"token": {"type": "string"}},
            "required": ["token"],
            "additionalProperties": false
        },
        "resources": {
            "type": "array", "minItems": 1, "maxItems": 2,
            "items": {"type": "string", "pattern": "^write:"}
        },
        "expedited": {"type": ["boolean", "null"]},
        "ratio": {"type": "number", "minimum": 0.5, "maximum": 2.5},
        "kind": {"const": "card"},
        "metadata": {"type": "object"}
    },
    "required": ["amount", "currency"],
    "additionalProperties": false
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(schema_validator)

BOOST_AUTO_TEST_CASE(conforming_arguments_pass)
{
    BOOST_TEST(problem(R"({})", list_schema) == "");
    BOOST_TEST(problem(R"({"limit": 1, "after_cursor": "abc"})", list_schema) == "");
    BOOST_TEST(problem(R"({"limit": 100, "before_cursor": "abc"})", list_schema) == "");
    BOOST_TEST(problem(R"({"amount": 1050, "currency": "usd", "description": "abc", "id": "py_123-x",
                           "payment_method": {"token": "pm_1"}, "resources": ["write:a", "write:b"],
                           "expedited": null, "ratio": 1, "kind": "card", "metadata": {"any": ["thing"]}})",
                       payment_schema) == "");
}

BOOST_AUTO_TEST_CASE(missing_required_argument_is_named)
{
    BOOST_TEST(problem(R"({"currency": "usd"})", payment_schema) == "argument \"amount\" is required");
}

BOOST_AUTO_TEST_CASE(unknown_argument_is_refused_and_the_accepted_ones_listed)
{
    BOOST_TEST(problem(R"({"limit": 5, "limt": 5})", list_schema) ==
               "unknown argument \"limt\" (accepted: limit, after_cursor, before_cursor)");
}

BOOST_AUTO_TEST_CASE(unknown_argument_is_allowed_without_additional_properties_false)
{
    BOOST_TEST(problem(R"({"anything": 1})", R"({"type": "object", "properties": {}})") == "");
}

BOOST_AUTO_TEST_CASE(integer_out_of_range_names_both_bounds_and_the_value)
{
    BOOST_TEST(problem(R"({"limit": 500})", list_schema) ==
               "argument \"limit\" must be an integer between 1 and 100 (got 500)");
    BOOST_TEST(problem(R"({"limit": 0})", list_schema) ==
               "argument \"limit\" must be an integer between 1 and 100 (got 0)");
    BOOST_TEST(problem(R"({"limit": -3})", list_schema) ==
               "argument \"limit\" must be an integer between 1 and 100 (got -3)");
}

BOOST_AUTO_TEST_CASE(one_sided_bounds_say_at_least_or_at_most)
{
    BOOST_TEST(problem(R"({"amount": 0, "currency": "usd"})", payment_schema) ==
               "argument \"amount\" must be at least 1 (got 0)");
    BOOST_TEST(
        problem(R"({"n": 11})", R"({"type": "object", "properties": {"n": {"type": "integer", "maximum": 10}}})") ==
        "argument \"n\" must be at most 10 (got 11)");
}

BOOST_AUTO_TEST_CASE(number_bounds_accept_fractions_and_report_them)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "ratio": 2.5})", payment_schema) == "");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "ratio": 0.25})", payment_schema) ==
               "argument \"ratio\" must be a number between 0.5 and 2.5 (got 0.25)");
}

BOOST_AUTO_TEST_CASE(number_with_zero_fraction_counts_as_integer)
{
    BOOST_TEST(problem(R"({"limit": 25.0})", list_schema) == "");
    BOOST_TEST(problem(R"({"limit": 1e2})", list_schema) == "");
    BOOST_TEST(problem(R"({"limit": 2.5})", list_schema) == "argument \"limit\" must be an integer (got 2.5)");
    BOOST_TEST(problem(R"({"limit": 500.0})", list_schema) ==
               "argument \"limit\" must be an integer between 1 and 100 (got 500)");
}

BOOST_AUTO_TEST_CASE(wrong_type_says_what_was_expected_and_what_came)
{
    BOOST_TEST(problem(R"({"limit": "10"})", list_schema) == "argument \"limit\" must be an integer (got \"10\")");
    BOOST_TEST(problem(R"({"limit": true})", list_schema) == "argument \"limit\" must be an integer (got true)");
    BOOST_TEST(problem(R"({"after_cursor": 7})", list_schema) == "argument \"after_cursor\" must be a string (got 7)");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "metadata": []})", payment_schema) ==
               "argument \"metadata\" must be an object (got an array)");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "ratio": null})", payment_schema) ==
               "argument \"ratio\" must be a number (got null)");
}

BOOST_AUTO_TEST_CASE(type_array_accepts_any_listed_type)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "expedited": true})", payment_schema) == "");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "expedited": null})", payment_schema) == "");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "expedited": "yes"})", payment_schema) ==
               "argument \"expedited\" must be a boolean or null (got \"yes\")");
}

BOOST_AUTO_TEST_CASE(enum_lists_the_allowed_values)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "eur"})", payment_schema) ==
               "argument \"currency\" must be one of \"usd\" (got \"eur\")");
    auto const schema = R"({"type": "object", "properties": {"s": {"enum": ["a", "b", 3]}}})";
    BOOST_TEST(problem(R"({"s": 3})", schema) == "");
    BOOST_TEST(problem(R"({"s": "c"})", schema) == "argument \"s\" must be one of \"a\", \"b\", 3 (got \"c\")");
}

BOOST_AUTO_TEST_CASE(const_requires_the_exact_value)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "kind": "bank"})", payment_schema) ==
               "argument \"kind\" must be \"card\" (got \"bank\")");
}

BOOST_AUTO_TEST_CASE(string_length_is_counted_in_characters_not_bytes)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "description": "ééééé"})", payment_schema) == "");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "description": "abcdef"})", payment_schema) ==
               "argument \"description\" must be 1-5 characters long (got 6)");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "description": ""})", payment_schema) ==
               "argument \"description\" must be 1-5 characters long (got 0)");
    BOOST_TEST(
        problem(R"({"s": ""})", R"({"type": "object", "properties": {"s": {"type": "string", "minLength": 1}}})") ==
        "argument \"s\" must not be empty");
    BOOST_TEST(
        problem(R"({"s": "abc"})", R"({"type": "object", "properties": {"s": {"type": "string", "maxLength": 2}}})") ==
        "argument \"s\" must be at most 2 characters long (got 3)");
}

BOOST_AUTO_TEST_CASE(pattern_mismatch_quotes_pattern_and_value)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "id": "../oauth/token"})", payment_schema) ==
               "argument \"id\" must match ^[A-Za-z0-9_-]{1,128}$ (got \"../oauth/token\")");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "id": "py 1"})", payment_schema) ==
               "argument \"id\" must match ^[A-Za-z0-9_-]{1,128}$ (got \"py 1\")");
}

BOOST_AUTO_TEST_CASE(a_value_cut_short_in_a_message_is_never_cut_inside_a_character)
{
    // Found by fuzz.jsonrpc: 39 ASCII bytes and then "ю" (two bytes) were cut after byte 40,
    // leaving half a character: the answer was not valid UTF-8, so not JSON.
    std::string const value = std::string(39, 'a') + "\xD1\x8E" + "tail";
    auto const message = problem(R"({"amount": 1, "currency": "usd", "id": ")" + value + R"("})", payment_schema);
    BOOST_TEST(message.find("(got \"" + std::string(39, 'a') + "\"...)") != std::string::npos, message);
    boost::system::error_code ec;
    (void)json::parse(json::serialize(json::string(message)), ec);
    BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(long_values_are_cut_short_in_messages)
{
    std::string const long_value(300, '!');
    auto const message = problem(R"({"amount": 1, "currency": "usd", "id": ")" + long_value + R"("})", payment_schema);
    BOOST_TEST(message ==
               "argument \"id\" must match ^[A-Za-z0-9_-]{1,128}$ (got \"" + std::string(40, '!') + "\"...)");
}

BOOST_AUTO_TEST_CASE(nested_object_problems_name_the_dotted_path)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "payment_method": {}})", payment_schema) ==
               "argument \"payment_method.token\" is required");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "payment_method": {"token": "pm_1", "number": "4111"}})",
                       payment_schema) == "unknown argument \"payment_method.number\" (accepted: token)");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "payment_method": {"token": 5}})", payment_schema) ==
               "argument \"payment_method.token\" must be a string (got 5)");
}

BOOST_AUTO_TEST_CASE(array_items_and_sizes_are_checked_with_indexed_paths)
{
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "resources": ["write:a", "read:b"]})", payment_schema) ==
               "argument \"resources[1]\" must match ^write: (got \"read:b\")");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "resources": []})", payment_schema) ==
               "argument \"resources\" must have 1-2 items (got 0)");
    BOOST_TEST(problem(R"({"amount": 1, "currency": "usd", "resources": ["write:a", "write:b", "write:c"]})",
                       payment_schema) == "argument \"resources\" must have 1-2 items (got 3)");
}

BOOST_AUTO_TEST_CASE(mutually_exclusive_cursors_are_refused_together)
{
    BOOST_TEST(problem(R"({"after_cursor": "a", "before_cursor": "b"})", list_schema) ==
               "arguments \"after_cursor\" and \"before_cursor\" cannot be used together; pass only one of them");
}

BOOST_AUTO_TEST_CASE(general_not_schema_is_enforced)
{
    auto const schema = R"({"type": "object", "properties": {"s": {"type": "string", "not": {"const": "x"}}}})";
    BOOST_TEST(problem(R"({"s": "y"})", schema) == "");
    BOOST_TEST(problem(R"({"s": "x"})", schema) == "argument \"s\" must not match {\"const\":\"x\"}");
}

BOOST_AUTO_TEST_CASE(any_of_accepts_a_value_that_matches_one_option)
{
    auto const schema = R"({"type": "object", "anyOf": [
        {"properties": {"data": {"type": "object"}}, "required": ["data"]},
        {"properties": {"status": {"const": "done"}}, "required": ["status"]}]})";
    BOOST_TEST(problem(R"({"data": {}})", schema) == "");
    BOOST_TEST(problem(R"({"status": "done"})", schema) == "");
    BOOST_TEST(problem(R"({"data": {}, "status": "done"})", schema) == "");
}

BOOST_AUTO_TEST_CASE(any_of_reports_the_problems_of_the_closest_option)
{
    auto const schema = R"({"type": "object", "anyOf": [
        {"properties": {"data": {"type": "object"}, "id": {"type": "string"}}, "required": ["data", "id"]},
        {"properties": {"status": {"const": "done"}}, "required": ["status"]}]})";
    BOOST_TEST(problem(R"({"status": "queued"})", schema) ==
               "none of the 2 allowed shapes fits the arguments; the closest fails: argument \"status\" must be "
               "\"done\" (got \"queued\")");
    BOOST_TEST(problem(R"({"status": "done", "extra": 1})", schema) == "");
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_in_one_message)
{
    BOOST_TEST(problem(R"({"limit": 0, "after_cursor": 1, "extra": true})", list_schema) ==
               "argument \"limit\" must be an integer between 1 and 100 (got 0); "
               "argument \"after_cursor\" must be a string (got 1); "
               "unknown argument \"extra\" (accepted: limit, after_cursor, before_cursor)");
}

BOOST_AUTO_TEST_CASE(an_uncompilable_pattern_is_reported_not_thrown)
{
    auto const schema = R"({"type": "object", "properties": {"s": {"type": "string", "pattern": "(unclosed"}}})";
    BOOST_TEST(problem(R"({"s": "x"})", schema) ==
               "the schema of argument \"s\" has a pattern that does not compile: (unclosed");
}

BOOST_AUTO_TEST_SUITE_END()
