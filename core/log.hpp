// Structured logging: one JSON object a line on stderr.
// Cross-cutting: every layer may log, so this header depends on nothing of ours.
// Callers pass named fields, never whole headers or bodies, which is what keeps
// Authorization values, client secrets and tokens out of the log.
#pragma once

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

namespace justifi::core::log {

enum class level { debug = 0, info, warning, error, off };

std::optional<level> parse_level(std::string_view text);
std::string_view to_string(level l);

void set_threshold(level l);
level threshold();
inline bool enabled(level l) { return l >= threshold() && l != level::off; }

struct field {
    template <class T>
    field(std::string_view field_name, T&& field_value)
        : name(field_name), value(boost::json::value_from(std::forward<T>(field_value)))
    {
    }
    std::string_view name;
    boost::json::value value;
};

// Field names that could only carry credentials are dropped whatever their value.
bool is_sensitive_field_name(std::string_view name);

void write(level l, std::string_view message, std::initializer_list<field> fields = {});

// The request a line belongs to: its request id and, when the caller sent W3C trace context,
// the trace id, so that one trace's lines can be found across this server, its clients and
// JustiFi. Written before the line's own fields.
class request_tag {
public:
    explicit request_tag(std::string_view request_id, std::string_view trace_id = {})
        : request_id_(request_id), trace_id_(trace_id)
    {
    }
    std::string_view request_id() const { return request_id_; }
    std::string_view trace_id() const { return trace_id_; }

private:
    std::string_view request_id_;
    std::string_view trace_id_;
};

void write(level l, std::string_view message, request_tag const& tag, std::initializer_list<field> fields);

inline void debug(std::string_view m, std::initializer_list<field> f = {}) { if (enabled(level::debug)) write(level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<field> f = {}) { if (enabled(level::info)) write(level::info, m, f); }
inline void warning(std::string_view m, std::initializer_list<field> f = {}) { if (enabled(level::warning)) write(level::warning, m, f); }
inline void error(std::string_view m, std::initializer_list<field> f = {}) { if (enabled(level::error)) write(level::error, m, f); }

inline void debug(std::string_view m, request_tag const& t, std::initializer_list<field> f = {}) { if (enabled(level::debug)) write(level::debug, m, t, f); }
inline void info(std::string_view m, request_tag const& t, std::initializer_list<field> f = {}) { if (enabled(level::info)) write(level::info, m, t, f); }
inline void warning(std::string_view m, request_tag const& t, std::initializer_list<field> f = {}) { if (enabled(level::warning)) write(level::warning, m, t, f); }
inline void error(std::string_view m, request_tag const& t, std::initializer_list<field> f = {}) { if (enabled(level::error)) write(level::error, m, t, f); }

// Renders the line without writing it; exposed for tests.
std::string format_line(level l, std::string_view message, std::initializer_list<field> fields,
                        request_tag const* tag = nullptr);

}  // namespace justifi::core::log
