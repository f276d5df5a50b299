// The direct tool endpoint, POST /mcp/{tool_name}, sans-io: the request stands for a tools/call of
// that tool with the body as its arguments, and the dispatcher's reply becomes an answer in
// HTTP's terms (the tool's structured result, or a status and an error object). The transport
// runs the MCP endpoint's own stages around it (server/http_transport).
#pragma once

#include "core/errors.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/jsonrpc.hpp"

#include <boost/beast/http/status.hpp>

#include <string>
#include <string_view>

namespace justifi::server::direct_tool {

namespace http = boost::beast::http;

// The tools/call message for `tool`: the body must be one JSON object, the tool's arguments
// ({} for none); a refusal (parse_error, 400) says what it is instead.
core::outcome<mcp::jsonrpc::message> as_tools_call(std::string_view tool, std::string_view body);

struct answer {
    http::status status;
    std::string body;  // JSON
};

// The answer to the dispatcher's reply, unless it carries a refusal (the transport answers that
// as /mcp does, challenges included): 200 and the tool's structuredContent as it came; 404 for
// an unknown tool; 400 for arguments the tool refused; 403 when the tool needs a person's
// confirmation, which no one here can give; 502 quoting JustiFi when it answered an error or
// could not be reached; 503 when the server is too busy or shutting down.
answer answer_of(std::string_view tool, mcp::reply reply);

}  // namespace justifi::server::direct_tool
