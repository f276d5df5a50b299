// W3C Trace Context (https://www.w3.org/TR/trace-context/), sans-io: reading a caller's
// traceparent and tracestate, and the traceparent of a call made on its behalf, so one trace
// follows a tool call from the MCP client through this server to JustiFi. MCP 2026-07-28
// carries them as the `_meta` keys `traceparent` and `tracestate`; HTTP as headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace justifi::core::trace {

struct context {
    std::string trace_id;   // 32 lowercase hex digits, not all zero
    std::string parent_id;  // 16 lowercase hex digits: the caller's span
    std::string flags;      // 2 lowercase hex digits (01: sampled)
    std::string tracestate; // the vendors' list, passed on as it came (empty when absent or unusable)
};

// The longest tracestate passed on: the W3C limit for a list a vendor must propagate.
inline constexpr std::size_t max_tracestate_length = 512;

// Nothing when `traceparent` is not one: then the spec says to start afresh and ignore
// `tracestate` too. Version 00 must be exactly 55 characters; a later version is read by its
// first four fields, as the spec asks of a version this reader does not know; version ff is
// invalid. An unusable tracestate (too long, or characters a header cannot carry) is dropped.
std::optional<context> parse(std::string_view traceparent, std::string_view tracestate = {});

// The traceparent of a call made for `parent`: the same trace and flags, with `span_id`
// (16 lowercase hex digits) as the new parent id.
std::string child_traceparent(context const& parent, std::string_view span_id);

// A random span id: 16 lowercase hex digits, not all zero.
std::string new_span_id();

}  // namespace justifi::core::trace
