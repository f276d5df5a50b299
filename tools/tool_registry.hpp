// The tool registry: the table of tools the server offers, looked up by name.
// A tool is data (name, schema, annotations, scope) plus an awaitable handler.
#pragma once

#include "auth/auth_stage.hpp"
#include "core/errors.hpp"
#include "core/trace.hpp"
#include "tools/param_headers.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::tools {

namespace json = boost::json;

struct tool_annotations {
    bool read_only = false;
    bool destructive = true;
    bool idempotent = false;
    bool open_world = true;
};

struct tool_result {
    json::array content;
    std::optional<json::value> structured;
    // Instead of `structured`: a JSON object's text, already checked (JustiFi's answer passed
    // on as it came), which the response carries as structuredContent without a DOM. With
    // `content` empty, the text block for clients that read only text is this same text: the
    // serializer escapes it straight into the response (tens of kilobytes, never copied into
    // a json::string).
    std::string structured_text;
    bool is_error = false;
    // Why the tool failed, when the pipeline above may answer in its own terms:
    // errc::credentials_rejected (JustiFi answered 401) becomes HTTP's 401 challenge for a
    // caller's own token; a client::client_error when JustiFi could not be reached. Empty for
    // results and for errors only the text explains.
    boost::system::error_code failure;
    // With failure missing_client_capability: the capabilities the client lacks, which the
    // 2026-07-28 era answers as -32021's data.requiredCapabilities.
    json::object required_capabilities;
    // JustiFi's own status, code and message when it answered an error, kept beside the text so
    // an answer in HTTP's terms (the direct tool endpoint's 502) can quote them without parsing it.
    struct upstream_error {
        int status = 0;
        std::string code;
        std::string message;
    };
    std::optional<upstream_error> upstream;
    // 2026-07-28's multi round-trip: instead of a result, requests for the client to fulfil
    // (inputRequests, keyed by the tool's own ids) and the state the tool wants back on the
    // retry. The dispatcher seals the state and, on the retry, hands it back only if it verifies.
    struct input_request_set {
        json::object requests;
        std::string state;
    };
    std::optional<input_request_set> input_required;

    static tool_result text(std::string_view text);
    // A failure the caller (a model or a person) can act on; the text says what to do.
    static tool_result error(std::string_view message);
    // The same for work refused before it started (bad arguments): its words, and its code as `failure`.
    static tool_result refused(core::refusal const& why);
    // JSON as structuredContent and, for clients that read only text, as a text block.
    static tool_result structured_json(json::value value);
    // The same for the checked text of a JSON object (client::check_json).
    static tool_result structured_json_text(std::string object_text);
    static tool_result needs_input(json::object requests, std::string state = {});

    // The MCP result. structured_text, if any, is parsed into it: the dispatcher takes it out
    // first and splices it into the serialized response instead.
    json::object to_json() const&;
    json::object to_json() &&;  // moves the (possibly large) JSON instead of copying it
};

// What a running tool can do besides computing its result.
class tool_context {
public:
    virtual ~tool_context() = default;
    virtual auth::auth_context const& auth() const = 0;
    // Sent only when the caller asked for progress (a progressToken); otherwise a no-op.
    virtual boost::asio::awaitable<void> report_progress(double progress, std::optional<double> total,
                                                         std::string_view message) = 0;
    // An MCP log message (notifications/message) at an RFC 5424 level name such as "info".
    virtual boost::asio::awaitable<void> log(std::string_view level, json::value data) = 0;

    // 2026-07-28's multi round-trip. Whether this call may answer with needs_input (a modern
    // request: a legacy client has no way to fulfil it), whether its client declared a
    // capability ({"sampling"}, {"elicitation", "form"}), and on a retry what the client
    // answered and the state the tool put in, verified, with the nonce sealed beside it.
    virtual bool may_ask_for_input() const { return false; }
    virtual bool client_declares(std::initializer_list<std::string_view>) const { return false; }
    virtual json::object const* input_responses() const { return nullptr; }
    virtual std::optional<std::string_view> request_state() const { return std::nullopt; }
    virtual std::string_view request_state_nonce() const { return {}; }
    // The caller's W3C trace context, when it sent one: JustiFi calls made for it join the trace.
    virtual core::trace::context const* trace() const { return nullptr; }

    // The legacy era's elicitation inside the call (elicitation/create, server to client): only
    // where the answer comes back to this process (stdio) and the client declared elicitation.
    // Over HTTP a fleet cannot promise that, so it is never offered there (docs/architecture.md).
    virtual bool can_elicit_in_call() const { return false; }
    // Sends elicitation/create with `params` ({mode, message, requestedSchema}) and waits, within
    // a deadline, for the client's ElicitResult ({action, content}). A refusal when the client
    // could not be asked or did not answer in time.
    virtual boost::asio::awaitable<core::outcome<json::object>> elicit_in_call(json::object params);
};

using tool_handler = std::function<boost::asio::awaitable<tool_result>(json::object const& arguments, tool_context&)>;

struct tool_definition {
    std::string name;
    std::string title;
    std::string description;
    json::object input_schema;
    std::optional<json::object> output_schema;
    tool_annotations annotations;
    std::string required_scope;
    // The scopes the reads of its confirmation need (a person is shown JustiFi's facts first).
    std::vector<std::string> confirmation_scopes;
    tool_handler handler;
    // Callable but left out of tools/list (a tool turned off by read-only mode answers why).
    bool hidden = false;
    // A person confirms each call (tools/confirmation.hpp): shown in docs/scopes.md.
    bool asks_confirmation = false;
    // Its schema's x-mcp-header declarations, read by the registry when the tool is added.
    std::vector<param_header> param_headers;

    json::object describe() const;
    // Filled by the registry when the tool is added: every scope a call needs, the tool's own
    // first, without repeats (what a token must carry, and what one insufficient_scope challenge
    // names), and the same space-separated.
    std::vector<std::string> needed_scopes;
    std::string needed_scopes_text;
};

using auth::join_scopes;
using auth::split_scopes;

struct tool_page {
    json::array tools;
    std::optional<std::string> next_cursor;
};

// The same page as the JSON text of its tools array, joined from descriptions serialized once.
struct tool_page_text {
    std::string tools_json;
    std::optional<std::string> next_cursor;
};

class tool_registry {
public:
    explicit tool_registry(std::size_t page_size = 100) : page_size_(page_size) {}

    // Throws std::invalid_argument on a duplicate or malformed definition: that is a bug in the table.
    // The schemas are kept only as the text of the tool's description (a handler keeps what it
    // validates against): as DOMs they were most of an idle process's heap.
    void add(tool_definition definition);
    // The definition as added, without its schemas.
    tool_definition const* find(std::string_view name) const;
    std::size_t size() const { return tools_.size(); }

    using visibility = std::function<bool(tool_definition const&)>;
    // Cursors are opaque to clients; an unknown one is an error, not an empty page. Hidden
    // tools are skipped, and so are those `visible` (when given) says no to.
    core::outcome<tool_page> list(std::optional<std::string_view> cursor,
                                                       visibility const& visible = {}) const;
    // What tools/list sends: no description is rebuilt or serialized per request.
    core::outcome<tool_page_text> list_text(std::optional<std::string_view> cursor,
                                                                 visibility const& visible = {}) const;

private:
    struct entry {
        tool_definition definition;
        std::string described;  // json::serialize(definition.describe()), schemas included
    };
    struct selection {
        std::vector<entry const*> tools;
        std::optional<std::string> next_cursor;
    };
    core::outcome<selection> select(std::optional<std::string_view> cursor,
                                                         visibility const& visible) const;

    std::size_t page_size_;
    std::map<std::string, entry, std::less<>> tools_;
};

}  // namespace justifi::tools
