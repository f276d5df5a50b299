#include "tools/schema_validator.hpp"

#include "core/encoding.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdint>
#include <regex>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace justifi::tools {
namespace {

// Enough to fix a call in one round trip without burying the first problem.
constexpr std::size_t max_errors = 8;
// libstdc++'s std::regex recurses per character; a pattern is never run over more than this.
constexpr std::size_t max_pattern_input = 4096;
constexpr std::size_t max_echoed_chars = 40;

std::string describe_path(std::string_view path)
{
    return path.empty() ? std::string("the arguments") : "argument \"" + std::string(path) + "\"";
}

std::string child_path(std::string_view parent, std::string_view name)
{
    return parent.empty() ? std::string(name) : std::string(parent) + "." + std::string(name);
}

bool is_integer(json::value const& v)
{
    if (v.is_int64() || v.is_uint64()) return true;
    if (!v.is_double()) return false;
    double const d = v.get_double();
    return std::isfinite(d) && d == std::trunc(d);
}

double to_double(json::value const& v)
{
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return v.get_double();
}

// Boost.JSON writes 500.0 as "5E2"; a person expects "500".
std::string format_number(json::value const& v)
{
    if (v.is_int64()) return std::to_string(v.get_int64());
    if (v.is_uint64()) return std::to_string(v.get_uint64());
    double const d = v.get_double();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15)
        return std::to_string(static_cast<std::int64_t>(d));
    std::ostringstream out;
    out.precision(15);
    out << d;
    return out.str();
}

std::string quote(std::string_view text)
{
    // Arguments come from json::parse, so they are valid UTF-8; a cut must keep them so.
    if (text.size() <= max_echoed_chars) return json::serialize(json::string(text));
    return json::serialize(json::string(core::encoding::utf8_prefix(text, max_echoed_chars))) + "...";
}

std::string describe_value(json::value const& v)
{
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return format_number(v);
    case json::kind::string: return quote(v.get_string());
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
    }
    return "a value";
}

std::string_view type_noun(std::string_view type)
{
    if (type == "string") return "a string";
    if (type == "integer") return "an integer";
    if (type == "number") return "a number";
    if (type == "boolean") return "a boolean";
    if (type == "object") return "an object";
    if (type == "array") return "an array";
    if (type == "null") return "null";
    return "a value";
}

bool matches_type(json::value const& v, std::string_view type)
{
    if (type == "string") return v.is_string();
    if (type == "integer") return is_integer(v);
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_bool();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    return false;
}

std::vector<std::string_view> type_names(json::object const& schema)
{
    std::vector<std::string_view> names;
    auto const* type = schema.if_contains("type");
    if (!type) return names;
    if (type->is_string()) names.emplace_back(type->get_string());
    if (type->is_array())
        for (auto const& t : type->get_array())
            if (t.is_string()) names.emplace_back(t.get_string());
    return names;
}

std::string join_nouns(std::vector<std::string_view> const& types)
{
    std::string out;
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
        out += type_noun(types[i]);
    }
    return out;
}

// UTF-8 code points, which is what JSON Schema lengths count.
std::size_t code_points(std::string_view text)
{
    std::size_t n = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::optional<std::size_t> size_keyword(json::object const& schema, std::string_view name)
{
    auto const* v = schema.if_contains(name);
    if (!v || !v->is_number() || !is_integer(*v)) return std::nullopt;
    double const d = to_double(*v);
    return d < 0 ? 0 : static_cast<std::size_t>(d);
}

std::regex const* compiled(std::string const& pattern)
{
    // Schemas are static tables: a handful of patterns, compiled once per thread.
    thread_local std::unordered_map<std::string, std::regex> cache;
    if (auto it = cache.find(pattern); it != cache.end()) return &it->second;
    try {
        return &cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first->second;
    } catch (std::regex_error const&) {
        return nullptr;
    }
}

std::string range_phrase(std::size_t min, std::size_t max, bool has_min, bool has_max, std::string_view unit)
{
    if (has_min && has_max) {
        if (min == max) return "exactly " + std::to_string(min) + " " + std::string(unit);
        return std::to_string(min) + "-" + std::to_string(max) + " " + std::string(unit);
    }
    if (has_min) return "at least " + std::to_string(min) + " " + std::string(unit);
    return "at most " + std::to_string(max) + " " + std::string(unit);
}

class validator {
public:
    std::vector<std::string> errors;

    void check(json::value const& value, json::object const& schema, std::string const& path)
    {
        if (full()) return;
        auto const types = type_names(schema);
        if (!types.empty()) {
            bool matched = false;
            for (auto t : types) matched = matched || matches_type(value, t);
            if (!matched) {
                add(describe_path(path) + " must be " + join_nouns(types) + " (got " + describe_value(value) + ")");
                return;  // the other keywords would only repeat this
            }
        }
        if (auto const* e = schema.if_contains("enum"); e && e->is_array()) check_enum(value, e->get_array(), path);
        if (auto const* c = schema.if_contains("const"); c && value != *c)
            add(describe_path(path) + " must be " + describe_value(*c) + " (got " + describe_value(value) + ")");
        if (value.is_number()) check_range(value, schema, types, path);
        if (value.is_string()) check_string(value.get_string(), schema, path);
        if (value.is_array()) check_array(value.get_array(), schema, path);
        if (value.is_object()) check_object(value.get_object(), schema, path);
        if (auto const* n = schema.if_contains("not"); n && n->is_object()) check_not(value, n->get_object(), path);
        if (auto const* a = schema.if_contains("anyOf"); a && a->is_array()) check_any_of(value, a->get_array(), path);
    }

private:
    bool full() const { return errors.size() >= max_errors; }

    void add(std::string message)
    {
        if (!full()) errors.push_back(std::move(message));
    }

    void check_enum(json::value const& value, json::array const& options, std::string const& path)
    {
        for (auto const& option : options)
            if (option == value) return;
        std::string list;
        for (auto const& option : options) {
            if (!list.empty()) list += ", ";
            list += describe_value(option);
        }
        add(describe_path(path) + " must be one of " + list + " (got " + describe_value(value) + ")");
    }

    void check_range(json::value const& value, json::object const& schema, std::vector<std::string_view> const& types,
                     std::string const& path)
    {
        auto const* min = schema.if_contains("minimum");
        auto const* max = schema.if_contains("maximum");
        if (min && !min->is_number()) min = nullptr;
        if (max && !max->is_number()) max = nullptr;
        double const v = to_double(value);
        bool const below = min && v < to_double(*min);
        bool const above = max && v > to_double(*max);
        if (!below && !above) return;
        std::string_view noun = "a number";
        for (auto t : types)
            if (t == "integer") noun = "an integer";
        std::string const got = " (got " + format_number(value) + ")";
        if (min && max)
            add(describe_path(path) + " must be " + std::string(noun) + " between " + format_number(*min) + " and " +
                format_number(*max) + got);
        else if (min)
            add(describe_path(path) + " must be at least " + format_number(*min) + got);
        else
            add(describe_path(path) + " must be at most " + format_number(*max) + got);
    }

    void check_string(json::string const& text, json::object const& schema, std::string const& path)
    {
        auto const min = size_keyword(schema, "minLength");
        auto const max = size_keyword(schema, "maxLength");
        auto const length = code_points(text);
        if ((min && length < *min) || (max && length > *max)) {
            if (length == 0 && min && *min == 1 && !max)
                add(describe_path(path) + " must not be empty");
            else
                add(describe_path(path) + " must be " +
                    range_phrase(min.value_or(0), max.value_or(0), min.has_value(), max.has_value(),
                                 "characters long") +
                    " (got " + std::to_string(length) + ")");
            return;
        }
        auto const* pattern = schema.if_contains("pattern");
        if (!pattern || !pattern->is_string()) return;
        std::string const source(pattern->get_string());
        if (text.size() > max_pattern_input) {
            add(describe_path(path) + " must match " + source + " (got " + std::to_string(length) + " characters)");
            return;
        }
        auto const* re = compiled(source);
        if (!re) {
            add("the schema of " + describe_path(path) + " has a pattern that does not compile: " + source);
            return;
        }
        if (!std::regex_search(text.begin(), text.end(), *re))
            add(describe_path(path) + " must match " + source + " (got " + quote(text) + ")");
    }

    void check_array(json::array const& items, json::object const& schema, std::string const& path)
    {
        auto const min = size_keyword(schema, "minItems");
        auto const max = size_keyword(schema, "maxItems");
        if ((min && items.size() < *min) || (max && items.size() > *max))
            add(describe_path(path) + " must have " +
                range_phrase(min.value_or(0), max.value_or(0), min.has_value(), max.has_value(), "items") + " (got " +
                std::to_string(items.size()) + ")");
        auto const* item_schema = schema.if_contains("items");
        if (!item_schema || !item_schema->is_object()) return;
        for (std::size_t i = 0; i < items.size() && !full(); ++i)
            check(items[i], item_schema->get_object(), path + "[" + std::to_string(i) + "]");
    }

    void check_object(json::object const& object, json::object const& schema, std::string const& path)
    {
        if (auto const max = size_keyword(schema, "maxProperties"); max && object.size() > *max) {
            // Its members would only bury this in messages about each of them.
            add(describe_path(path) + " must have at most " + std::to_string(*max) + " entries (got " +
                std::to_string(object.size()) + ")");
            return;
        }
        if (auto const* names = schema.if_contains("propertyNames"); names && names->is_object())
            for (auto const& [key, member] : object) {
                validator name;
                name.check(json::value(key), names->get_object(), "");
                if (!name.errors.empty()) {
                    auto const max = size_keyword(names->get_object(), "maxLength");
                    add("the names in " + describe_path(path) + " must be " +
                        (max ? "at most " + std::to_string(*max) + " characters" : std::string("valid")) + " (got " +
                        quote(key) + ")");
                    return;
                }
            }
        json::object const* properties = nullptr;
        if (auto const* p = schema.if_contains("properties"); p && p->is_object()) properties = &p->get_object();
        auto const* additional = schema.if_contains("additionalProperties");

        for (auto const& [key, member] : object) {
            if (properties)
                if (auto const* sub = properties->if_contains(key); sub && sub->is_object()) {
                    check(member, sub->get_object(), child_path(path, key));
                    continue;
                }
            if (additional && additional->is_bool() && !additional->get_bool())
                add("unknown argument \"" + child_path(path, key) + "\"" + accepted_names(properties));
            else if (additional && additional->is_object())
                check(member, additional->get_object(), child_path(path, key));
        }
        if (auto const* required = schema.if_contains("required"); required && required->is_array())
            for (auto const& name : required->get_array())
                if (name.is_string() && !object.contains(name.get_string()))
                    add(describe_path(child_path(path, name.get_string())) + " is required");
    }

    static std::string accepted_names(json::object const* properties)
    {
        if (!properties || properties->empty()) return " (this takes no arguments)";
        std::string names;
        for (auto const& [name, _] : *properties) {
            if (!names.empty()) names += ", ";
            names += name;
        }
        return " (accepted: " + names + ")";
    }

    // The value's problems against the option it comes closest to (fewest problems).
    void check_any_of(json::value const& value, json::array const& options, std::string const& path)
    {
        std::vector<std::string> closest;
        bool first = true;
        for (auto const& option : options) {
            if (!option.is_object()) continue;
            validator inner;
            inner.check(value, option.get_object(), path);
            if (inner.errors.empty()) return;
            if (first || inner.errors.size() < closest.size()) closest = std::move(inner.errors);
            first = false;
        }
        std::string why;
        for (auto const& e : closest) why += (why.empty() ? "" : "; ") + e;
        add("none of the " + std::to_string(options.size()) + " allowed shapes fits " + describe_path(path) +
            "; the closest fails: " + why);
    }

    void check_not(json::value const& value, json::object const& forbidden, std::string const& path)
    {
        validator inner;
        inner.check(value, forbidden, path);
        if (!inner.errors.empty()) return;
        // The one use in the catalog: options that exclude each other (after_cursor/before_cursor).
        auto const* required = forbidden.if_contains("required");
        if (forbidden.size() == 1 && required && required->is_array() && required->get_array().size() >= 2) {
            std::string names;
            auto const& list = required->get_array();
            for (std::size_t i = 0; i < list.size(); ++i) {
                if (i > 0) names += i + 1 == list.size() ? " and " : ", ";
                names +=
                    "\"" + child_path(path, list[i].is_string() ? std::string_view(list[i].get_string()) : "?") + "\"";
            }
            add("arguments " + names + " cannot be used together; pass only one of them");
            return;
        }
        add(describe_path(path) + " must not match " + json::serialize(forbidden));
    }
};

}  // namespace

core::outcome<void> validate_arguments(json::object const& arguments, json::object const& schema)
{
    validator v;
    v.check(json::value(arguments), schema, "");
    if (v.errors.empty()) return {};
    std::string out;
    for (auto const& e : v.errors) {
        if (!out.empty()) out += "; ";
        out += e;
    }
    return core::refuse(core::errc::invalid_arguments, std::move(out));
}

}  // namespace justifi::tools
