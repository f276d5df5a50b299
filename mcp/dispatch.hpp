// The MCP dispatcher: lifecycle (initialize, version negotiation), the methods,
// and cancellation of running tool calls. Transport-agnostic: a transport hands it
// decoded messages plus a request_context, and sends whatever it returns.
#pragma once

#include "auth/auth_stage.hpp"
#include "mcp/envelope.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/request_state.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/trace.hpp"
#include "tools/tool_registry.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <array>
#include <functional>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace justifi::mcp {

namespace json = boost::json;
namespace asio = boost::asio;

// Newest first. 2024-11-05 is served over stdio; its HTTP+SSE transport is not offered.
inline constexpr std::array<std::string_view, 4> supported_versions{"2025-11-25", "2025-06-18", "2025-03-26",
                                                                    "2024-11-05"};
inline constexpr std::string_view latest_version = supported_versions.front();
// What Streamable HTTP assumes when a request carries no MCP-Protocol-Version header.
inline constexpr std::string_view default_http_version = "2025-03-26";

bool is_supported_version(std::string_view version);
// The client's version when we support it, else our newest (the client then decides).
std::string_view negotiate_version(std::string_view requested);


struct server_identity {
    std::string name;
    std::string title;
    std::string version;
    std::string instructions;
};

// Per-session state the protocol needs beyond the stateless session token.
struct session_state {
    std::atomic<int> client_log_level{1};  // "info" until logging/setLevel says otherwise
    // initialize (2025-06-18 or later) declared elicitation in form mode: a tool may ask the
    // person inside its call, where the transport can carry the question (client_channel).
    std::atomic<bool> client_elicits_form{false};
};

// Where a request's notifications go before its response: the transport's stream.
class notification_sink {
public:
    virtual ~notification_sink() = default;
    virtual asio::awaitable<void> send(json::object notification) = 0;
    // subscriptions/listen: keeps the stream open (with the keep-alives the transport needs)
    // until it ends. true: the server ends it (a drain, the input closing, the stream's
    // lifetime) and the subscription is closed gracefully; false: the client went.
    virtual asio::awaitable<bool> hold_open() = 0;
};

// Where a transport can send the client a request and hear its answer (stdio: the answer comes
// back on the same pipe to this process). HTTP offers none: behind a load balancer the answer
// may reach another replica.
class client_channel {
public:
    virtual ~client_channel() = default;
    // Sends `method` and waits, within the transport's deadline, for the client's result: a
    // refusal when it answered with an error, did not answer in time, went away, or the call was
    // cancelled while waiting.
    virtual asio::awaitable<core::outcome<json::object>> request(std::string_view method, json::object params) = 0;
};

// A response to send. One member of its result may be JSON text instead of a DOM, written in
// by serialize(): a tool result's structuredContent when it is a JustiFi answer passed on as
// it came, or tools/list's tools, serialized once at start. A large answer is then never
// parsed into a DOM and serialized again.
struct reply {
    json::object message;
    std::string spliced_text;  // checked JSON, or empty
    std::string spliced_name;  // its member of message["result"]
    // The result's content is one text block holding spliced_text (a tool result's text twin
    // of its structuredContent), escaped into the response by serialize().
    bool text_twin = false;
    // Set when the request was refused (a missing scope, too many calls, JustiFi refusing the
    // caller's token): a transport with statuses of its own (HTTP) answers the refusal instead
    // of `message`, with the matching status and challenge; stdio sends `message`.
    std::optional<core::refusal> refusal;
    // Why a tools/call gave no result, for a transport that answers in statuses of its own (the
    // direct tool endpoint): the code of its JSON-RPC error or refusal, or the tool's failure, and
    // what JustiFi said when it answered an error. /mcp sends `message` all the same.
    boost::system::error_code failure;
    std::optional<tools::tool_result::upstream_error> upstream;

    reply(json::object m) : message(std::move(m)) {}  // NOLINT: every other answer converts
    reply(json::object m, std::string name, std::string text)
        : message(std::move(m)), spliced_text(std::move(text)), spliced_name(std::move(name))
    {
    }

    std::string serialize() const;
    // The whole message as a DOM (the spliced text parsed in).
    json::object to_object() &&;
};

struct request_context {
    auth::auth_context auth;
    // Scope for notifications/cancelled: a request can only cancel its own session's calls.
    std::string session_key;
    std::shared_ptr<session_state> session;
    // Null when nothing can reach the caller before its answer (the direct tool endpoint): no
    // progress, no log messages, and no questions for it.
    notification_sink* sink = nullptr;
    // Requests to the client during the call (legacy elicitation/create); null where the
    // transport cannot route an answer back (HTTP).
    client_channel* client = nullptr;
    std::string request_id;  // log correlation only
    // The caller's W3C trace context (its _meta, else the HTTP headers): on every log line of
    // the request, and passed on to JustiFi.
    std::optional<core::trace::context> trace;
    core::log::request_tag tag() const
    {
        return core::log::request_tag(request_id, trace ? std::string_view(trace->trace_id) : std::string_view());
    }
    // Set when the request is served under 2026-07-28: what its own _meta said (the transport
    // read and checked it), and nothing from earlier requests.
    std::optional<envelope> modern;
    // Over HTTP, the headers that mirror the body: tools/call checks Mcp-Param-* against the
    // tool's x-mcp-header declarations. Null over stdio, where there are no headers.
    mirrored_headers const* headers = nullptr;
};

// How long a client may reuse server/discover and tools/list (the tool list changes only with
// a new deployment), and the cache scopes the modern era attaches to them.
inline constexpr std::int64_t list_ttl_ms = 3'600'000;

// The most tool calls, and the most subscriptions, one process keeps running at once, whatever
// the configured limit says (MCP_MAX_TOOL_CALLS=0, and stdio, have none): every table of running
// work is bounded. HTTP's connection limit and per-caller stream slots keep it far below.
inline constexpr std::size_t max_running = 4096;

class dispatcher {
public:
    // `max_calls_in_flight`: tools/call beyond it is refused at once (0: no limit), so a burst
    // meets a quick "busy" instead of a queue of upstream calls without bound.
    // `request_states` seals the requestState of multi round-trip calls; every replica needs the
    // same key (from MCP_SESSION_SECRET). Without one, a random key: this process alone.
    dispatcher(server_identity identity, tools::tool_registry const& registry, std::size_t max_calls_in_flight = 0,
               core::metrics::registry* metrics = nullptr, std::optional<request_state_codec> request_states = std::nullopt);

    // The response to send, or nothing (a notification, or a request the client cancelled).
    asio::awaitable<std::optional<reply>> handle(mcp::jsonrpc::message message, request_context context);
    // The same as one DOM, for callers that look inside the answer.
    asio::awaitable<std::optional<json::object>> handle_to_object(mcp::jsonrpc::message message, request_context context);

    // The client will not read the answer to request `id` of `session_key` (a modern request's
    // stream closed): a running call or subscription ends at its next wait, with no answer.
    void cancel_request(std::string const& session_key, json::value const& id);
    // Shutdown past its drain deadline: every running tool call is cancelled and answered with an error.
    void cancel_all_calls();
    // Told (from the call's thread) whenever a tool call ends; set before serving.
    void on_call_finished(std::function<void()> hook) { call_finished_ = std::move(hook); }
    std::size_t calls_in_flight() const;
    // Messages taken so far: tells an idle process from a busy one.
    std::uint64_t messages_handled() const { return messages_handled_.load(std::memory_order_relaxed); }

private:
    struct running_call {
        asio::any_io_executor executor;
        asio::cancellation_signal signal;
        std::atomic<bool> cancelled_by_client{false};
        std::atomic<bool> cancelled_by_shutdown{false};
        bool finished = false;  // touched only on executor
    };

    using running_calls = std::unordered_map<std::string, std::shared_ptr<running_call>>;

    static void emit_cancellation(running_call& call);
    // A cancellable operation registered under `key`, or null when `running` already holds
    // `limit` (0: max_running) or, unless `may_replace`, one under the same key.
    asio::awaitable<std::shared_ptr<running_call>> admit(running_calls& running, std::string const& key, std::size_t limit,
                                                         bool may_replace);
    // Runs `work` where `call` can cancel it, then forgets `call`; what `work` threw, if anything.
    asio::awaitable<std::exception_ptr> run_cancellable(running_calls& running, std::string const& key,
                                                        std::shared_ptr<running_call> const& call, asio::awaitable<void> work);

    asio::awaitable<std::optional<reply>> handle_request(mcp::jsonrpc::request const& request, request_context& context);
    asio::awaitable<std::optional<reply>> handle_modern(mcp::jsonrpc::request const& request, request_context& context);
    reply list_tools(mcp::jsonrpc::request const& request, request_context const& context) const;
    // A modern result's marks: resultType and the server's identity in its _meta.
    void complete_modern(reply& answer) const;
    void handle_notification(mcp::jsonrpc::notification const& notification, request_context const& context);
    json::object initialize(mcp::jsonrpc::request const& request, request_context& context) const;
    asio::awaitable<std::optional<reply>> call_tool(mcp::jsonrpc::request const& request, request_context& context);
    // A tool's input_required as 2026-07-28's InputRequiredResult, its state sealed; -32021 when
    // it asks what the client did not declare.
    reply ask_for_input(mcp::jsonrpc::request const& request, request_context const& context, state_binding const& binding,
                        tools::tool_result::input_request_set asked) const;
    asio::awaitable<std::optional<reply>> listen(mcp::jsonrpc::request const& request, request_context& context);
    void cancel_call(std::string const& key);

    server_identity identity_;
    json::object server_info_;      // Implementation: name, version, title
    json::object discover_result_;  // server/discover's result, the same for every caller
    tools::tool_registry const& registry_;
    std::size_t max_calls_in_flight_;
    core::metrics::registry* metrics_;
    request_state_codec request_states_;
    void record_call(std::string const& tool, std::string_view outcome) const;
    std::atomic<std::uint64_t> messages_handled_{0};
    std::function<void()> call_finished_;
    mutable std::mutex calls_mutex_;
    running_calls calls_;
    // Open subscriptions/listen streams: cancellable like calls, but neither counted as calls in
    // flight nor held to their limit (HTTP bounds them per caller with its stream slots).
    running_calls subscriptions_;
};

}  // namespace justifi::mcp
