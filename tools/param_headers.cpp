#include "tools/param_headers.hpp"

#include "core/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace justifi::tools {
namespace {

bool is_token_char(unsigned char c)
{
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::size_t declarations_anywhere(json::value const& schema)
{
    std::size_t n = 0;
    if (auto const* object = schema.if_object()) {
        for (auto const& [key, value] : *object) n += (key == "x-mcp-header") + declarations_anywhere(value);
    } else if (auto const* array = schema.if_array()) {
        for (auto const& value : *array) n += declarations_anywhere(value);
    }
    return n;
}

}  // namespace

core::outcome<std::vector<param_header>> param_headers_of(json::object const& input_schema)
{
    std::vector<param_header> out;
    // Only chains of `properties` reach a declaration the spec allows; anything deeper is refused.
    auto visit = [&](auto& self, json::object const& schema, std::vector<std::string>& path) -> core::outcome<void> {
        auto const* properties = schema.if_contains("properties");
        if (!properties || !properties->is_object()) return {};
        for (auto const& [key, property] : properties->get_object()) {
            auto const* property_schema = property.if_object();
            if (!property_schema) continue;
            path.emplace_back(key);
            if (auto const* declared = property_schema->if_contains("x-mcp-header")) {
                auto const where = "the x-mcp-header of property \"" + std::string(key) + "\"";
                auto const* name = declared->if_string();
                if (!name || name->empty() ||
                    !std::all_of(name->begin(), name->end(), [](char c) { return is_token_char(static_cast<unsigned char>(c)); }))
                    return core::refuse(core::errc::invalid_config, where + " must be an HTTP token");
                auto folded = core::encoding::ascii_lower(*name);
                if (std::any_of(out.begin(), out.end(), [&](param_header const& h) { return h.folded_name == folded; }))
                    return core::refuse(core::errc::invalid_config, where + " repeats another's name");
                auto const* type = property_schema->if_contains("type");
                auto const type_name = type && type->is_string() ? std::string_view(type->get_string()) : std::string_view();
                param_header h{std::string(std::string_view(*name)), std::move(folded), path};
                if (type_name == "string") h.type = param_header::kind::string;
                else if (type_name == "integer") h.type = param_header::kind::integer;
                else if (type_name == "boolean") h.type = param_header::kind::boolean;
                else return core::refuse(core::errc::invalid_config, where + " is on a type other than string, integer or boolean");
                out.push_back(std::move(h));
            }
            if (auto nested = self(self, *property_schema, path); !nested) return nested;
            path.pop_back();
        }
        return {};
    };
    std::vector<std::string> path;
    if (auto walked = visit(visit, input_schema, path); !walked) return walked.error();
    // One under items, oneOf, $ref... names no single argument a client could mirror.
    if (declarations_anywhere(input_schema) != out.size())
        return core::refuse(core::errc::invalid_config,
                            "an x-mcp-header is on a property not reachable through \"properties\" alone");
    return out;
}

}  // namespace justifi::tools
