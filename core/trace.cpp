#include "core/trace.hpp"

#include "core/encoding.hpp"

#include <algorithm>

namespace justifi::core::trace {
namespace {

bool is_lower_hex(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

// Printable ASCII without the characters a list-member's value may not hold, as a header can
// carry it; the list's own syntax is the vendors' business.
bool usable_tracestate(std::string_view text)
{
    return text.size() <= max_tracestate_length &&
           std::all_of(text.begin(), text.end(), [](char c) { return (c >= 0x20 && c <= 0x7e) || c == '\t'; });
}

}  // namespace

std::optional<context> parse(std::string_view traceparent, std::string_view tracestate)
{
    // version "-" trace-id "-" parent-id "-" flags
    constexpr std::size_t length_of_00 = 2 + 1 + 32 + 1 + 16 + 1 + 2;
    if (traceparent.size() < length_of_00) return std::nullopt;
    auto const version = traceparent.substr(0, 2);
    if (!is_lower_hex(version) || version == "ff") return std::nullopt;
    if (version == "00" ? traceparent.size() != length_of_00
                        : traceparent.size() > length_of_00 && traceparent[length_of_00] != '-')
        return std::nullopt;
    if (traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-') return std::nullopt;
    auto const trace_id = traceparent.substr(3, 32);
    auto const parent_id = traceparent.substr(36, 16);
    auto const flags = traceparent.substr(53, 2);
    if (!is_lower_hex(trace_id) || !is_lower_hex(parent_id) || !is_lower_hex(flags)) return std::nullopt;
    if (all_zero(trace_id) || all_zero(parent_id)) return std::nullopt;
    context out{std::string(trace_id), std::string(parent_id), std::string(flags), {}};
    if (usable_tracestate(tracestate)) out.tracestate = tracestate;
    return out;
}

std::string child_traceparent(context const& parent, std::string_view span_id)
{
    // Always version 00: the format this server writes, whatever version it read.
    std::string out = "00-";
    out.append(parent.trace_id).append("-").append(span_id).append("-").append(parent.flags);
    return out;
}

std::string new_span_id()
{
    for (;;) {
        auto id = encoding::hex_encode(encoding::random_bytes(8));
        if (!all_zero(id)) return id;
    }
}

}  // namespace justifi::core::trace
