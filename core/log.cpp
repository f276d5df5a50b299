#include "core/log.hpp"

#include "core/encoding.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace justifi::core::log {
namespace {

std::atomic<level> current_threshold{level::info};
std::mutex stderr_mutex;

std::string iso8601_now()
{
    auto const now = std::chrono::system_clock::now();
    auto const secs = std::chrono::system_clock::to_time_t(now);
    auto const millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
    return buf;
}

bool contains_ci(std::string_view haystack, std::string_view needle)
{
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != haystack.end();
}

}  // namespace

std::optional<level> parse_level(std::string_view text)
{
    auto const lower = encoding::ascii_lower(text);
    if (lower == "debug" || lower == "trace") return level::debug;
    if (lower == "info" || lower == "notice") return level::info;
    if (lower == "warning" || lower == "warn") return level::warning;
    if (lower == "error" || lower == "critical" || lower == "alert" || lower == "emergency") return level::error;
    if (lower == "off" || lower == "none") return level::off;
    return std::nullopt;
}

std::string_view to_string(level l)
{
    switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warning: return "warning";
    case level::error: return "error";
    case level::off: return "off";
    }
    return "unknown";
}

void set_threshold(level l) { current_threshold.store(l, std::memory_order_relaxed); }
level threshold() { return current_threshold.load(std::memory_order_relaxed); }

bool is_sensitive_field_name(std::string_view name)
{
    for (std::string_view word : {"authorization", "secret", "token", "password", "cookie", "credential", "api_key"})
        if (contains_ci(name, word)) return true;
    return false;
}

std::string format_line(level l, std::string_view message, std::initializer_list<field> fields, request_tag const* tag)
{
    boost::json::object line;
    line["timestamp"] = iso8601_now();
    line["level"] = to_string(l);
    line["message"] = message;
    if (tag && !tag->request_id().empty()) line["request_id"] = tag->request_id();
    if (tag && !tag->trace_id().empty()) line["trace_id"] = tag->trace_id();
    for (auto const& [name, value] : fields) {  // NOLINT
        if (value.is_null() || (value.is_string() && value.as_string().empty())) continue;
        line[name] = is_sensitive_field_name(name) ? boost::json::value("[redacted]") : value;
    }
    auto text = boost::json::serialize(line);
    text.push_back('\n');
    return text;
}

namespace {

void write_line(std::string const& text)
{
    std::lock_guard lock(stderr_mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

void write(level l, std::string_view message, std::initializer_list<field> fields)
{
    write_line(format_line(l, message, fields));
}

void write(level l, std::string_view message, request_tag const& tag, std::initializer_list<field> fields)
{
    write_line(format_line(l, message, fields, &tag));
}

}  // namespace justifi::core::log
