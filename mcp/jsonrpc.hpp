// JSON-RPC 2.0 framing for MCP, sans-io: text in, typed messages out, and back.
#pragma once

#include "core/errors.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace justifi::mcp::jsonrpc {

namespace json = boost::json;

enum error_code : int {
    parse_error = -32700,
    invalid_request = -32600,
    method_not_found = -32601,
    invalid_params = -32602,
    internal_error = -32603,
    // MCP's own: a request the server will not serve in its current state.
    server_error = -32000,
    // 2026-07-28's own codes (-32020 to -32099 are the specification's alone).
    header_mismatch = -32020,
    missing_required_client_capability = -32021,
    unsupported_protocol_version = -32022,
    request_cancelled = -32800,
};

struct request {
    json::value id;  // string or integer, never null
    std::string method;
    json::value params;  // object, array, or null when absent
};

struct notification {
    std::string method;
    json::value params;
};

// A response the client sent us: the answer to a request this server sent it (stdio's
// elicitation/create), routed by id; elsewhere accepted and dropped.
struct response {
    json::value id;
    json::value result;  // null when it is an error
    json::value error;   // the error object as it came ({code, message, data?}), or null
};

using message = std::variant<request, notification, response>;

// What every transport asks of a message before dispatch: its params (null for a response),
// its method (empty for a response) and its id (null unless it is a request).
json::value const& params_of(message const& m);
std::string_view method_of(message const& m);
json::value id_of(message const& m);

// One message, or why the text is none: a refusal coded parse_error (-32700) or
// invalid_message (-32600), with the id when it could be read (null otherwise).
using decoded = core::outcome<message>;

// Decodes one message. A JSON array (a batch) is refused: batching left MCP in 2025-06-18.
decoded decode(std::string_view text);
decoded decode(json::value const& value);
decoded decode(json::value&& value);

json::object make_result(json::value const& id, json::value result);
json::object make_error(json::value const& id, int code, std::string_view message,
                        std::optional<json::value> data = std::nullopt);
json::object make_notification(std::string_view method, json::value params);
// A request this server sends to the client (server to client, so its ids are ours alone).
json::object make_request(json::value const& id, std::string_view method, json::value params);
// A refusal as its JSON-RPC error: its id, "<title>: <message>", and the code JSON-RPC has for
// it (-32700 and -32600 for messages that cannot be read; -32602 for invalid_params and
// unknown_tool, -32601 for method_not_found, -32603 for internal_error and shutting_down;
// -32020, -32021, -32022 for the modern era's header_mismatch, missing_client_capability and
// protocol_version_unsupported; -32000 for the rest). The refusal's data, if any, goes along.
json::object make_error(core::refusal const& refusal);

// Request ids as a map key ("s:abc" / "n:42"), so string "42" and number 42 stay distinct.
std::string id_key(json::value const& id);

}  // namespace justifi::mcp::jsonrpc
