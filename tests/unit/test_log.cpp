// Structured logging: level names and thresholds, the JSON line format, and
// redaction of fields whose names can only carry credentials.
#include "core/log.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <regex>
#include <string>

namespace json = boost::json;
namespace jlog = justifi::core::log;

namespace {

// The parsed line, after checking it is exactly one newline-terminated JSON object.
json::object parsed_line(std::string const& line)
{
    BOOST_REQUIRE(!line.empty());
    BOOST_TEST(line.back() == '\n');
    BOOST_TEST(line.find('\n') == line.size() - 1, "more than one line: " << line);
    return json::parse(line).as_object();
}

// Restores the process-wide threshold whatever a test sets it to.
struct threshold_guard {
    jlog::level saved = jlog::threshold();
    ~threshold_guard() { jlog::set_threshold(saved); }
};

}  // namespace

// An outer namespace because the suite's own namespace, "log", would collide with ::log from <cmath>.
namespace justifi_unit {

BOOST_AUTO_TEST_SUITE(log)

BOOST_AUTO_TEST_CASE(parse_level_accepts_names_and_aliases)
{
    struct { char const* text; jlog::level expected; } const cases[] = {
        {"debug", jlog::level::debug},     {"trace", jlog::level::debug},    {"info", jlog::level::info},
        {"notice", jlog::level::info},     {"warning", jlog::level::warning}, {"warn", jlog::level::warning},
        {"error", jlog::level::error},     {"critical", jlog::level::error},  {"alert", jlog::level::error},
        {"emergency", jlog::level::error}, {"off", jlog::level::off},         {"none", jlog::level::off},
        {"INFO", jlog::level::info},       {"Warn", jlog::level::warning},
    };
    for (auto const& c : cases) {
        auto const got = jlog::parse_level(c.text);
        BOOST_REQUIRE_MESSAGE(got, "\"" << c.text << "\" was not recognised");
        BOOST_TEST((*got == c.expected), c.text);
    }
}

BOOST_AUTO_TEST_CASE(parse_level_rejects_unknown)
{
    for (auto text : {"", "verbose", "information", " info", "info ", "0", "fatal"})
        BOOST_TEST(!jlog::parse_level(text).has_value(), "\"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(level_names_round_trip)
{
    for (auto l : {jlog::level::debug, jlog::level::info, jlog::level::warning, jlog::level::error, jlog::level::off}) {
        auto const back = jlog::parse_level(jlog::to_string(l));
        BOOST_TEST((back && *back == l), jlog::to_string(l));
    }
    BOOST_TEST(jlog::to_string(jlog::level::warning) == "warning");
}

BOOST_FIXTURE_TEST_CASE(threshold_filters_lower_levels, threshold_guard)
{
    jlog::set_threshold(jlog::level::warning);
    BOOST_TEST((jlog::threshold() == jlog::level::warning));
    BOOST_TEST(!jlog::enabled(jlog::level::debug));
    BOOST_TEST(!jlog::enabled(jlog::level::info));
    BOOST_TEST(jlog::enabled(jlog::level::warning));
    BOOST_TEST(jlog::enabled(jlog::level::error));

    jlog::set_threshold(jlog::level::debug);
    BOOST_TEST(jlog::enabled(jlog::level::debug));
}

BOOST_FIXTURE_TEST_CASE(off_disables_everything, threshold_guard)
{
    jlog::set_threshold(jlog::level::off);
    for (auto l : {jlog::level::debug, jlog::level::info, jlog::level::warning, jlog::level::error, jlog::level::off})
        BOOST_TEST(!jlog::enabled(l), jlog::to_string(l));
    // "off" is a threshold, never a level a line is written at.
    jlog::set_threshold(jlog::level::debug);
    BOOST_TEST(!jlog::enabled(jlog::level::off));
}

BOOST_AUTO_TEST_CASE(format_line_is_one_json_object_per_line)
{
    auto const line = parsed_line(jlog::format_line(jlog::level::warning, "listening", {{"port", 8080}, {"host", "127.0.0.1"}}));
    BOOST_TEST(line.at("level") == "warning");
    BOOST_TEST(line.at("message") == "listening");
    BOOST_TEST(line.at("port") == 8080);
    BOOST_TEST(line.at("host") == "127.0.0.1");
    BOOST_TEST(line.size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_request_tag_puts_request_and_trace_ids_first_and_omits_an_absent_trace)
{
    jlog::request_tag const traced("a1b2", "4bf92f3577b34da6a3ce929d0e0e4736");
    auto const text = jlog::format_line(jlog::level::info, "tool call started", {{"tool", "list_payments"}}, &traced);
    BOOST_TEST(text.find(R"("message":"tool call started","request_id":"a1b2","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","tool":"list_payments")") !=
               std::string::npos, text);
    jlog::request_tag const untraced("a1b2");
    auto const line = parsed_line(jlog::format_line(jlog::level::info, "x", {}, &untraced));
    BOOST_TEST(line.at("request_id") == "a1b2");
    BOOST_TEST(!line.contains("trace_id"));
}

BOOST_AUTO_TEST_CASE(timestamp_is_utc_iso8601_with_millis)
{
    auto const line = parsed_line(jlog::format_line(jlog::level::info, "x", {}));
    std::string const ts(line.at("timestamp").as_string());
    BOOST_TEST(std::regex_match(ts, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")), ts);
}

BOOST_AUTO_TEST_CASE(newlines_in_values_cannot_forge_lines)
{
    // A client-controlled string must not be able to start a second log record.
    auto const text = jlog::format_line(jlog::level::info, "first\n{\"level\":\"error\"}",
                                        {{"client", "evil\n{\"message\":\"forged\"}"}});
    auto const line = parsed_line(text);
    BOOST_TEST(line.at("message") == "first\n{\"level\":\"error\"}");
    BOOST_TEST(line.at("level") == "info");
}

BOOST_AUTO_TEST_CASE(sensitive_fields_redacted_in_log_line)
{
    auto const text = jlog::format_line(jlog::level::info, "request",
                                        {{"authorization", "Bearer eyJ-live-token"},
                                         {"client_secret", "cs-live-secret"},
                                         {"access_token", "at-live-token"},
                                         {"Password", "hunter2"},
                                         {"cookie", "sid=abc123"},
                                         {"api_key", "ak-live-key"},
                                         {"credentials", "cred-value"},
                                         {"X-Client-Secret", "header-secret"},
                                         {"tool", "get_payment"}});
    for (auto leaked : {"eyJ-live-token", "cs-live-secret", "at-live-token", "hunter2", "sid=abc123", "ak-live-key",
                        "cred-value", "header-secret"})
        BOOST_TEST(text.find(leaked) == std::string::npos, "leaked " << leaked);
    auto const line = parsed_line(text);
    for (auto name : {"authorization", "client_secret", "access_token", "Password", "cookie", "api_key", "credentials",
                      "X-Client-Secret"})
        BOOST_TEST(line.at(name) == "[redacted]", name);
    // Ordinary fields pass through untouched.
    BOOST_TEST(line.at("tool") == "get_payment");
}

BOOST_AUTO_TEST_CASE(sensitive_fields_redacted_whatever_their_type)
{
    auto const line = parsed_line(jlog::format_line(
        jlog::level::error, "x", {{"token", 123456789}, {"secret", json::object{{"nested", "deep-secret"}}}}));
    BOOST_TEST(line.at("token") == "[redacted]");
    BOOST_TEST(line.at("secret") == "[redacted]");
}

BOOST_AUTO_TEST_CASE(empty_and_null_fields_are_dropped)
{
    auto const line = parsed_line(
        jlog::format_line(jlog::level::info, "x", {{"empty", ""}, {"none", nullptr}, {"zero", 0}, {"no", false}}));
    BOOST_TEST(!line.contains("empty"));
    BOOST_TEST(!line.contains("none"));
    // Falsy but meaningful values stay.
    BOOST_TEST(line.at("zero") == 0);
    BOOST_TEST(line.at("no") == false);
}

BOOST_AUTO_TEST_CASE(sensitive_names_match_case_insensitively_as_substrings)
{
    for (auto name : {"Authorization", "PROXY-AUTHORIZATION", "client_secret", "refresh_token", "TokenId", "db_password",
                      "Set-Cookie", "client_credentials", "x_api_key", "API_KEY"})
        BOOST_TEST(jlog::is_sensitive_field_name(name), name);
    for (auto name : {"request_id", "tool", "client", "status", "host", "origin", "method", "api", "key", "session"})
        BOOST_TEST(!jlog::is_sensitive_field_name(name), name);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace justifi_unit
