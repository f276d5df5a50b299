// The domain's own error codes. Mapped once, at the transport edge, to an HTTP
// status (with its challenge) or a JSON-RPC error; inside the pipeline they travel as
// error_code values, or as a refusal that carries the words for the caller.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>

namespace justifi::core {

enum class errc {
    session_missing = 1,
    session_malformed,
    session_forged,
    session_expired,
    unsupported_protocol_version,
    invalid_config,
    shutting_down,
    // HTTP framing and request bodies, answered by the HTTP server itself.
    missing_host,
    duplicate_host,
    unsupported_transfer_coding,
    transfer_coding_in_http10,
    request_body_too_large,
    request_bodies_over_budget,
    request_body_malformed,
    request_body_incomplete,
    // Why a request to the MCP endpoint ends before (or instead of) its JSON-RPC answer.
    origin_forbidden,            // Origin or Host not allowed: DNS rebinding defence
    bad_public_base_url,         // Host (or the proxy's headers) name no usable URL for the challenge
    authentication_required,     // no credentials at all
    malformed_credentials,       // credentials that cannot be read as any kind we accept
    invalid_token,               // credentials we (or JustiFi) refused
    insufficient_scope,          // a valid token without the scope the tool needs
    credentials_rejected,        // JustiFi answered 401 to a call made with the caller's token
    verification_busy,           // too many credential checks at once
    verification_unavailable,    // the authorization server (or JustiFi) cannot be asked now
    rate_limited,                // the caller is over its rate
    too_many_streams,            // the caller holds all of its event streams
    overloaded,                  // too many tool calls running
    not_acceptable,              // Accept lacks what the transport answers with
    unsupported_media_type,      // the body is not JSON
    bad_sub_account,             // a Sub-Account header that is not an id
    parse_error,                 // the body is not JSON
    invalid_message,             // JSON, but not a JSON-RPC message we take
    // Why a JSON-RPC request gets an error instead of its result.
    invalid_params,              // params the method cannot take (JSON-RPC -32602)
    method_not_found,            // a method this server does not serve (-32601)
    unknown_tool,                // tools/call names no tool this server has (-32602)
    internal_error,              // a bug, or a call cut short by shutdown (-32603)
    // Why a tool, a setting or a document is refused before any work is done.
    invalid_arguments,           // a tool's arguments do not fit its schema or its path
    unusable_document,           // an authorization server's metadata or key set we cannot use
    fetch_failed,                // a document could not be fetched (no answer, not 200, too large)
    // The modern era's own (MCP 2026-07-28).
    header_mismatch,               // a mirrored HTTP header is missing, malformed or differs from the body (-32020)
    missing_client_capability,     // the request needs a capability the client did not declare (-32021)
    protocol_version_unsupported,  // _meta names a version this server does not serve per request (-32022)
    // A request this server sent the client inside a call (legacy stdio elicitation/create).
    client_request_failed,    // the client answered with a JSON-RPC error, or not with a result object
    client_no_answer,         // no answer within the deadline (MCP_ELICITATION_TIMEOUT)
    client_gone,              // the client's input ended, or the server drains, before the answer came
    call_cancelled,           // the call waiting for the answer was cancelled
    // DPoP (RFC 9449).
    invalid_dpop_proof,       // the DPoP proof is missing, malformed, for another request, replayed or another key's
};

boost::system::error_category const& justifi_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), justifi_category()};
}

template <class T>
using result = boost::system::result<T>;

// The one error model: a code from the enum above, and where a person will read it, their words.
// Work the program will not do (a request, a tool call, a setting, a key set), with everything
// its answer needs: the code decides the HTTP status, challenge and JSON-RPC code
// (server/http_answers and mcp::jsonrpc::make_error map them, once).
struct refusal {
    errc code;
    std::string message;              // the JSON-RPC error's message
    std::string description = {};     // the challenge's error_description, when it differs
    std::string scope = {};           // insufficient_scope: what the call needs
    std::chrono::seconds retry_after{0};  // rate_limited, busy, overloaded: when to come back
    boost::json::value id = nullptr;  // the request's JSON-RPC id, once it has been read
    boost::json::value data = nullptr;  // the JSON-RPC error's data, when its code defines one
};

// A value, or the refusal that stands in its place. core::result<T> is the same without words.
template <class T>
using outcome = boost::system::result<T, refusal>;

inline refusal refuse(errc code, std::string message) { return refusal{.code = code, .message = std::move(message)}; }

// outcome<T>::value() on a refusal: a bug (callers test first), reported with the refusal's words.
[[noreturn]] void throw_exception_from_error(refusal const& r, boost::source_location const& where);

// The word an answer to this code starts with ("Unauthorized", "Too Many Requests"); empty for
// codes whose message says it already (JSON-RPC's "Parse error: ...").
std::string_view refusal_title(errc code) noexcept;
// The caller's words for a refusal: "<title>: <message>".
std::string refusal_text(refusal const& r);
// The same, for logs and test diagnostics.
std::ostream& operator<<(std::ostream& out, refusal const& r);

}  // namespace justifi::core

template <>
struct boost::system::is_error_code_enum<justifi::core::errc> : std::true_type {};
