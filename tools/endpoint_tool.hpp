// One JustiFi operation as a tool: its table entry (tools/endpoint_table.cpp) and the generic
// handler every entry shares. The sans-io halves (prepare_call, result_from_*) are what the
// unit tests drive; run_endpoint_tool only puts them around the client's call.
#pragma once

#include "auth/auth_stage.hpp"
#include "client/justifi_client.hpp"
#include "tools/confirmation.hpp"
#include "tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <span>
#include <string>
#include <string_view>

namespace justifi::tools {

namespace json = boost::json;

// Turns a 2xx body into the tool's result, for tools that answer with less (or other) than
// JustiFi's envelope; `arguments` are the validated call arguments.
using body_shaper = json::value (*)(json::value const& body, json::object const& arguments);

struct endpoint_tool {
    std::string name;
    std::string title;
    std::string description;
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path_template;  // "/v1/payments/{payment_id}": each {name} is a required argument
    std::string scope;          // the OAuth scope a caller needs, e.g. "payments:read"
    tool_annotations annotations;
    json::object input_schema;
    // What structuredContent holds on success (tools/answer_schemas), as JSON text: only the
    // registry's description reads it, once, and as a DOM it would be held all the process's life.
    std::string output_schema_text;
    bool needs_sub_account = false;  // the OpenAPI requires the Sub-Account header
    body_shaper shape = nullptr;     // null: the body as JustiFi sent it
    std::string done_text;  // the result text for a 2xx without a body (204), when the generic one says too little
    // Moves money or cannot be undone: a person confirms each call, shown what JustiFi says
    // (JUSTIFI_CONFIRM_WRITES decides what happens when nobody can be asked).
    confirmation_spec const* confirmation = nullptr;
};

// Every JustiFi endpoint tool, in catalog order.
std::span<endpoint_tool const> justifi_endpoint_tools();

// Validates the arguments against the tool's schema, then builds the call: path parameters
// into the path, sub_account_id (else the caller's Sub-Account) into the header, the other
// arguments into the query (GET) or a JSON body (omitted when empty). A refusal
// (invalid_arguments, bad_sub_account) says what to fix.
core::outcome<client::call_request> prepare_call(endpoint_tool const& tool, json::object const& arguments,
                                                auth::auth_context const& auth);

// JustiFi's answer as a tool result: 2xx as structured JSON (204 as {"status":"done"}), any
// other status as an error quoting JustiFi's code, message and decline code, with what to do.
// Takes the body by value: a list answer is tens of kilobytes, and callers move it in.
tool_result result_from_upstream(int status, json::value body, std::string_view required_scope = {});

// A failure with no JustiFi answer (network, TLS, credentials) as a tool error; `may_have_run`
// is true for calls that change data, where a lost answer does not mean nothing happened.
tool_result result_from_failure(boost::system::error_code const& failure, bool may_have_run);

// The handler of every endpoint tool.
boost::asio::awaitable<tool_result> run_endpoint_tool(endpoint_tool const& tool, client::justifi_client& client,
                                                      json::object const& arguments, tool_context& ctx,
                                                      confirm_policy policy = confirm_policy::automatic);

// The entry as tools/list shows it (no handler).
tool_definition describe(endpoint_tool const& tool);

}  // namespace justifi::tools
