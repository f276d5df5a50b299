#include "mcp/dispatch.hpp"

#include "client/justifi_client.hpp"

#include "core/encoding.hpp"
#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <exception>

namespace justifi::mcp {
namespace {

using mcp::jsonrpc::make_result;

// A JSON-RPC error answer: the protocol's own (bad params, unknown method), carried in the reply.
json::object make_error(json::value const& id, core::errc code, std::string message)
{
    return mcp::jsonrpc::make_error(core::refusal{.code = code, .message = std::move(message), .id = id});
}

// The same with its code kept beside it, for a transport that answers in statuses of its own.
reply failed(json::value const& id, core::errc code, std::string message)
{
    reply out(make_error(id, code, std::move(message)));
    out.failure = code;
    return out;
}

// A refused request: its JSON-RPC error, and the refusal for transports that answer it themselves.
reply refused(json::value const& id, core::refusal r)
{
    r.id = id;
    reply out(mcp::jsonrpc::make_error(r));
    out.failure = r.code;
    out.refusal = std::move(r);
    return out;
}

// A failed token exchange (JUSTIFI_UPSTREAM_AUTH=exchange) as the transport answers it over
// HTTP: 401 (the caller's token cannot be exchanged: sign in again), 403 (not for these scopes:
// step up to `needed`), 503 (the authorization server cannot be asked now). None for other failures.
std::optional<core::refusal> refusal_for_exchange(boost::system::error_code const& failure,
                                                  std::string const& needed, bool verified_caller)
{
    using client::client_error;
    // Only an exchange spends a verified caller's token budget: too many new exchanges this second.
    if (verified_caller && failure == client_error::token_budget_exhausted)
        return core::refusal{.code = core::errc::verification_busy,
                             .message = "too many access tokens are being exchanged at once; retry in a second",
                             .retry_after = std::chrono::seconds(1)};
    if (failure == client_error::exchange_refused)
        return core::refusal{.code = core::errc::invalid_token,
                             .message = "the authorization server would not exchange the access token for a JustiFi "
                                        "token; sign in again"};
    if (failure == client_error::exchange_scope_refused) {
        return core::refusal{.code = core::errc::insufficient_scope,
                             .message = "the authorization server would not issue a JustiFi token with " + needed +
                                        " for this access token; sign in again granting them",
                             .scope = needed};
    }
    if (failure == client_error::exchange_unavailable)
        return core::refusal{.code = core::errc::verification_unavailable,
                             .message = "the authorization server cannot exchange the access token now; retry shortly",
                             .retry_after = std::chrono::seconds(5)};
    return std::nullopt;
}

// The tool_context a running tool sees: progress and log messages go to the
// request's sink, filtered by what the caller asked for.
class call_context final : public tools::tool_context {
public:
    call_context(request_context const& request, json::value progress_token, retry_input retry)
        : request_(request), progress_token_(std::move(progress_token)), retry_(std::move(retry))
    {
    }

    auth::auth_context const& auth() const override { return request_.auth; }

    asio::awaitable<void> report_progress(double progress, std::optional<double> total,
                                          std::string_view message) override
    {
        // The spec wants progress to increase; a repeated or smaller value is dropped.
        if (progress_token_.is_null() || !request_.sink || (last_progress_ && progress <= *last_progress_)) co_return;
        last_progress_ = progress;
        json::object params{{"progressToken", progress_token_}, {"progress", progress}};
        if (total) params["total"] = *total;
        if (!message.empty()) params["message"] = message;
        co_await request_.sink->send(mcp::jsonrpc::make_notification("notifications/progress", std::move(params)));
    }

    asio::awaitable<void> log(std::string_view level, json::value data) override
    {
        auto const index = log_level_index(level);
        if (!index || !request_.sink) co_return;
        // Modern: only at or above the level this request's _meta asked for, and none without it.
        if (request_.modern && (!request_.modern->log_level || *index < *request_.modern->log_level)) co_return;
        if (!request_.modern && request_.session && *index < request_.session->client_log_level.load()) co_return;
        json::object params{{"level", level}, {"logger", "justifi-mcp"}, {"data", std::move(data)}};
        co_await request_.sink->send(mcp::jsonrpc::make_notification("notifications/message", std::move(params)));
    }

    bool may_ask_for_input() const override { return request_.modern.has_value(); }
    bool client_declares(std::initializer_list<std::string_view> path) const override
    {
        return request_.modern && declares(*request_.modern, path);
    }
    json::object const* input_responses() const override
    {
        return retry_.input_responses ? &*retry_.input_responses : nullptr;
    }
    std::optional<std::string_view> request_state() const override
    {
        if (!retry_.state) return std::nullopt;
        return std::string_view(retry_.state->payload);
    }
    std::string_view request_state_nonce() const override
    {
        return retry_.state ? std::string_view(retry_.state->nonce) : std::string_view();
    }
    core::trace::context const* trace() const override { return request_.trace ? &*request_.trace : nullptr; }

    // Legacy only (a modern request asks through its result), and only where the transport
    // brings the answer back to this process and initialize declared elicitation.
    bool can_elicit_in_call() const override
    {
        return !request_.modern && request_.client && request_.session && request_.session->client_elicits_form.load();
    }
    asio::awaitable<core::outcome<json::object>> elicit_in_call(json::object params) override
    {
        if (!can_elicit_in_call())
            co_return core::refuse(core::errc::missing_client_capability,
                                   "this client cannot be asked a question during a tool call: that needs a "
                                   "2025-06-18 or later client over stdio that declared the elicitation capability");
        auto asked = request_.client->request("elicitation/create", std::move(params));  // named: GCC 12
        co_return co_await std::move(asked);
    }

private:
    request_context const& request_;
    json::value progress_token_;
    retry_input retry_;
    std::optional<double> last_progress_;
};

// The text of a tool result's first text block: what a tool error says.
std::string first_text(json::array const& content)
{
    for (auto const& block : content)
        if (auto const* fields = block.if_object())
            if (auto const* text = fields->if_contains("text"); text && text->is_string()) return std::string(text->get_string());
    return {};
}

json::value const* param(json::value const& params, std::string_view name)
{
    auto const* obj = params.if_object();
    return obj ? obj->if_contains(name) : nullptr;
}

}  // namespace

bool is_supported_version(std::string_view version)
{
    return std::find(supported_versions.begin(), supported_versions.end(), version) != supported_versions.end();
}

std::string_view negotiate_version(std::string_view requested)
{
    return is_supported_version(requested) ? requested : latest_version;
}

dispatcher::dispatcher(server_identity identity, tools::tool_registry const& registry, std::size_t max_calls_in_flight,
                       core::metrics::registry* metrics, std::optional<request_state_codec> request_states)
    : identity_(std::move(identity)),
      registry_(registry),
      max_calls_in_flight_(max_calls_in_flight),
      metrics_(metrics),
      request_states_(request_states ? std::move(*request_states) : request_state_codec(core::encoding::random_bytes(32)))
{
    // Built once: both eras name the server in every handshake or result, and it never changes.
    server_info_ = json::object{{"name", identity_.name}, {"version", identity_.version}};
    if (!identity_.title.empty()) server_info_["title"] = identity_.title;
    json::array versions;
    for (auto const v : modern_versions) versions.emplace_back(v);
    discover_result_ = json::object{
        {"supportedVersions", std::move(versions)},
        {"capabilities", json::object{{"tools", json::object{}}, {"logging", json::object{}}}},
        {"ttlMs", list_ttl_ms},
        {"cacheScope", "public"},
    };
    if (!identity_.instructions.empty()) discover_result_["instructions"] = identity_.instructions;
}

void dispatcher::record_call(std::string const& tool, std::string_view outcome) const
{
    if (metrics_) metrics_->add(core::metrics::tool_calls_total, {tool, std::string(outcome)});
}

std::string reply::serialize() const
{
    if (spliced_text.empty()) return json::serialize(message);
    // {"jsonrpc":"2.0","id":ID,"result":{["content":[TWIN],]...,"NAME":TEXT}}, written into one
    // buffer sized first: the spliced text is tens of kilobytes, and so is its escaped twin.
    auto const id = json::serialize(message.at("id"));
    auto const members = json::serialize(message.at("result"));  // the small rest: "{...}"
    auto const inner = std::string_view(members).substr(1, members.size() - 2);
    auto const name = json::serialize(json::string_view(spliced_name));
    constexpr std::string_view head = R"({"jsonrpc":"2.0","id":)";
    constexpr std::string_view twin_head = R"("content":[{"type":"text","text":)";
    auto const twin_size = text_twin ? core::encoding::json_string_size(spliced_text) : 0;  // one pass, used twice
    std::string out;
    out.reserve(head.size() + id.size() + 16 + inner.size() + name.size() + spliced_text.size() +
                (text_twin ? twin_head.size() + twin_size + 4 : 0));
    out += head;
    out += id;
    out += R"(,"result":{)";
    if (text_twin) {
        out += twin_head;
        core::encoding::append_json_string(out, spliced_text, twin_size);
        out += "}]";
        if (!inner.empty()) out += ',';
    }
    out += inner;
    if (out.back() != '{') out += ',';
    out += name;
    out += ':';
    out += spliced_text;
    out += "}}";
    return out;
}

json::object reply::to_object() &&
{
    if (spliced_text.empty()) return std::move(message);
    auto& result = message.at("result").as_object();
    if (text_twin) result["content"] = json::array{json::object{{"type", "text"}, {"text", spliced_text}}};
    result[spliced_name] = json::parse(spliced_text);
    return std::move(message);
}

asio::awaitable<std::optional<json::object>> dispatcher::handle_to_object(mcp::jsonrpc::message message,
                                                                          request_context context)
{
    auto answer = co_await handle(std::move(message), std::move(context));
    if (!answer) co_return std::nullopt;
    auto object = std::move(*answer).to_object();
    co_return object;
}

asio::awaitable<std::optional<reply>> dispatcher::handle(mcp::jsonrpc::message message, request_context context)
{
    messages_handled_.fetch_add(1, std::memory_order_relaxed);
    if (auto const* request = std::get_if<mcp::jsonrpc::request>(&message)) co_return co_await handle_request(*request, context);
    if (auto const* note = std::get_if<mcp::jsonrpc::notification>(&message)) handle_notification(*note, context);
    co_return std::nullopt;
}

asio::awaitable<std::optional<reply>> dispatcher::handle_request(mcp::jsonrpc::request const& request,
                                                                        request_context& context)
{
    if (context.modern) {
        auto answer = co_await handle_modern(request, context);
        co_return answer;
    }
    auto const& method = request.method;
    if (method == "initialize") co_return initialize(request, context);
    if (method == "ping") co_return make_result(request.id, json::object{});
    if (method == "tools/list") co_return list_tools(request, context);
    if (method == "tools/call") co_return co_await call_tool(request, context);
    if (method == "logging/setLevel") {
        auto const* level = param(request.params, "level");
        auto const index = level && level->is_string() ? log_level_index(level->as_string()) : std::nullopt;
        if (!index)
            co_return make_error(request.id, core::errc::invalid_params,
                                 "level must be one of debug, info, notice, warning, error, critical, "
                                 "alert, emergency");
        if (context.session) context.session->client_log_level.store(*index);
        co_return make_result(request.id, json::object{});
    }
    co_return make_error(request.id, core::errc::method_not_found, method);
}

asio::awaitable<std::optional<reply>> dispatcher::handle_modern(mcp::jsonrpc::request const& request,
                                                                request_context& context)
{
    // 2026-07-28 removed initialize, ping and logging/setLevel: like any method this server does
    // not serve, they are not found (HTTP answers 404).
    auto const& method = request.method;
    std::optional<reply> answer;
    if (method == "server/discover") answer.emplace(make_result(request.id, discover_result_));
    else if (method == "tools/list") answer.emplace(list_tools(request, context));
    else if (method == "tools/call") answer = co_await call_tool(request, context);
    else if (method == "subscriptions/listen") answer = co_await listen(request, context);
    else co_return refused(request.id, core::refuse(core::errc::method_not_found, method));
    if (answer) complete_modern(*answer);
    co_return answer;
}

reply dispatcher::list_tools(mcp::jsonrpc::request const& request, request_context const& context) const
{
    std::optional<std::string_view> cursor;
    if (auto const* c = param(request.params, "cursor"); c && !c->is_null()) {
        if (!c->is_string()) return make_error(request.id, core::errc::invalid_params, "cursor must be a string");
        cursor = c->as_string();
    }
    // A verified token sees only the tools its scopes allow; otherwise every tool.
    auto const& auth = context.auth;
    tools::tool_registry::visibility visible;
    if (auth.granted_scopes)
        visible = [&auth](tools::tool_definition const& t) {
            return std::all_of(t.needed_scopes.begin(), t.needed_scopes.end(),
                               [&auth](auto const& s) { return auth.may_use(s); });
        };
    auto page = registry_.list_text(cursor, visible);
    if (!page) return make_error(request.id, page.error().code, std::move(page.error().message));
    json::object result;
    if (page->next_cursor) result["nextCursor"] = *page->next_cursor;
    if (context.modern) {
        result["ttlMs"] = list_ttl_ms;
        // Private when the list depends on who asks (the token's scopes); read-only mode and the
        // allow-list are the deployment's, the same for every caller.
        result["cacheScope"] = auth.granted_scopes ? "private" : "public";
    }
    return reply(make_result(request.id, std::move(result)), "tools", std::move(page->tools_json));
}

void dispatcher::complete_modern(reply& answer) const
{
    auto* result = answer.message.if_contains("result");
    if (!result || !result->is_object()) return;
    auto& fields = result->get_object();
    if (!fields.contains("resultType")) fields["resultType"] = "complete";
    auto& meta = fields["_meta"];
    if (!meta.is_object()) meta = json::object{};
    meta.get_object()[meta_key::server_info] = server_info_;
}

void dispatcher::handle_notification(mcp::jsonrpc::notification const& notification, request_context const& context)
{
    if (notification.method == "notifications/cancelled") {
        auto const* id = param(notification.params, "requestId");
        if (id && (id->is_string() || id->is_int64() || id->is_uint64())) cancel_request(context.session_key, *id);
        return;
    }
    // notifications/initialized and anything we do not act on need no answer.
}

json::object dispatcher::initialize(mcp::jsonrpc::request const& request, request_context& context) const
{
    auto const* requested = param(request.params, "protocolVersion");
    if (!requested || !requested->is_string())
        return make_error(request.id, core::errc::invalid_params, "initialize needs protocolVersion");
    auto const* client = param(request.params, "clientInfo");
    auto const* client_name = client ? param(*client, "name") : nullptr;
    core::log::info("initialize", context.tag(), {{"requested_version", requested->as_string()},
                             {"client", client_name && client_name->is_string() ? json::value(client_name->as_string())
                                                                               : json::value(nullptr)}});

    auto const version = negotiate_version(requested->as_string());
    // Elicitation arrived in 2025-06-18; a client of an earlier version cannot be asked.
    if (context.session) {
        auto const* capabilities = param(request.params, "capabilities");
        bool const elicits = version >= std::string_view("2025-06-18") && capabilities && capabilities->is_object() &&
                             declares(capabilities->get_object(), {"elicitation", "form"});
        context.session->client_elicits_form.store(elicits);
    }
    json::object result{
        {"protocolVersion", version},
        {"capabilities", json::object{{"tools", json::object{{"listChanged", false}}}, {"logging", json::object{}}}},
        {"serverInfo", server_info_},
    };
    if (!identity_.instructions.empty()) result["instructions"] = identity_.instructions;
    return make_result(request.id, std::move(result));
}

asio::awaitable<std::optional<reply>> dispatcher::call_tool(mcp::jsonrpc::request const& request,
                                                                   request_context& context)
{
    auto const* name = param(request.params, "name");
    if (!name || !name->is_string())
        co_return make_error(request.id, core::errc::invalid_params, "tools/call needs a tool name");
    auto const* tool = registry_.find(name->as_string());
    if (!tool)
        co_return failed(request.id, core::errc::unknown_tool,
                         "Unknown tool: \"" + std::string(name->as_string()) + "\"; call tools/list for the tools");
    auto const& needed_scopes = tool->needed_scopes;
    std::vector<std::string> missing;
    for (auto const& scope : needed_scopes)
        if (!context.auth.may_use(scope)) missing.push_back(scope);
    if (!missing.empty()) {
        // One challenge names every scope the call needs, not only the first one missing.
        auto const& needed = tool->needed_scopes_text;
        auto description = needed_scopes.size() == 1
                               ? tool->name + " needs the " + needed + " scope, which the access token does not have"
                               : tool->name + " needs the scopes " + needed + "; the access token lacks " +
                                     tools::join_scopes(missing);
        core::log::info("tool call refused: missing scope", context.tag(), {{"tool", tool->name},
                                                        {"scope", tools::join_scopes(missing)},
                                                        {"principal", context.auth.principal()}});
        record_call(tool->name, "refused");
        co_return refused(request.id, {.code = core::errc::insufficient_scope,
                                       .message = description + "; sign in again granting " +
                                                  (needed_scopes.size() == 1 ? "it" : "them"),
                                       .description = description,
                                       .scope = needed});
    }
    json::object arguments;
    if (auto const* args = param(request.params, "arguments"); args && !args->is_null()) {
        if (!args->is_object())
            co_return make_error(request.id, core::errc::invalid_params, "arguments must be an object");
        arguments = args->as_object();
    }
    // Mcp-Param-* must mirror the arguments the tool declares with x-mcp-header.
    if (context.headers && !tool->param_headers.empty()) {
        auto mirrored = check_param_headers(tool->param_headers, arguments, *context.headers);
        if (!mirrored) co_return refused(request.id, std::move(mirrored.error()));
    }
    // A retry of a multi round-trip call (modern only: the fields are not 2025's) brings the
    // client's answers and the state, which must verify before the tool sees either.
    // The principal costs a string (a hash for an unverified token): only the modern era needs it.
    auto const principal = context.modern ? context.auth.principal() : std::string();
    mcp::state_binding const binding{principal, request.method, tool->name, arguments};
    retry_input retry;
    if (context.modern) {
        auto read = read_retry(request.params, request_states_, binding, request_state_codec::clock::now());
        if (!read) {
            record_call(tool->name, "refused");
            co_return refused(request.id, std::move(read).error());
        }
        retry = std::move(*read);
    }
    json::value progress_token = nullptr;
    if (auto const* meta = param(request.params, "_meta"))
        if (auto const* token = param(*meta, "progressToken"); token && (token->is_string() || token->is_number()))
            progress_token = *token;

    auto const key = context.session_key + "\n" + mcp::jsonrpc::id_key(request.id);
    auto const call = co_await admit(calls_, key, max_calls_in_flight_, true);
    if (!call) {
        core::log::warning("tool call refused: too many calls in flight", context.tag(), {{"tool", tool->name},
                                                                     {"limit", max_calls_in_flight_}});
        record_call(tool->name, "refused");
        if (metrics_) metrics_->add(core::metrics::overload_total);
        co_return refused(request.id, {.code = core::errc::overloaded,
                                       .message = "too many tool calls are running; retry in a second",
                                       .retry_after = std::chrono::seconds(1)});
    }

    core::log::debug("tool call started", context.tag(), {{"tool", tool->name}});
    // A verified caller's JustiFi token carries the tool's scopes (what a token exchange asks
    // for). The context is this request's own: the value travels on with it.
    if (context.auth.path == auth::auth_path::bearer_verified) context.auth.upstream_scope = tool->needed_scopes_text;
    call_context tool_ctx(context, progress_token, std::move(retry));
    // The result comes back through this local, not as co_spawn's value: a list answer is
    // tens of kilobytes of JSON, and co_spawn's completion would copy it.
    std::optional<tools::tool_result> outcome;
    auto run = [&]() -> asio::awaitable<void> { outcome = co_await tool->handler(arguments, tool_ctx); };
    auto work = run();  // named: GCC 12 mishandles temporaries inside co_await
    auto const failure = co_await run_cancellable(calls_, key, call, std::move(work));
    if (call_finished_) call_finished_();

    core::log::debug("tool call ended", context.tag(), {{"tool", tool->name},
                                   {"cancelled", call->cancelled_by_client || call->cancelled_by_shutdown}});
    if (call->cancelled_by_client || call->cancelled_by_shutdown) record_call(tool->name, "cancelled");
    else if (failure || !outcome) record_call(tool->name, "failed");
    else record_call(tool->name, outcome->is_error ? "tool_error" : "ok");
    if (call->cancelled_by_client) co_return std::nullopt;
    if (call->cancelled_by_shutdown)
        co_return failed(request.id, core::errc::shutting_down,
                         "The server is shutting down and could not finish this call; retry it");
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (std::exception const& e) {
            core::log::error("tool failed with an exception", context.tag(), {{"tool", tool->name},
                                                          {"error", e.what()}});
        } catch (...) {
            core::log::error("tool failed with an unknown exception", context.tag(), {{"tool", tool->name}});
        }
        co_return failed(request.id, core::errc::internal_error, "Internal error while running tool \"" + tool->name + "\"");
    }
    if (!outcome)  // cannot happen: a handler either returns or throws
        co_return failed(request.id, core::errc::internal_error, "Internal error: tool \"" + tool->name + "\" gave no result");
    if (outcome->input_required) co_return ask_for_input(request, context, binding, std::move(*outcome->input_required));
    // A capability the call cannot go without (a person's confirmation): 2026-07-28 names it
    // in -32021; a legacy client has no such error, and the tool's words stand.
    if (context.modern && outcome->failure == core::errc::missing_client_capability)
        co_return refused(request.id, missing_capability(std::move(outcome->required_capabilities),
                                                         first_text(outcome->content)));
    // The client must refresh its token or sign in again: a transport that can say so in its
    // own terms (HTTP's 401 challenge) does; over stdio the tool error stands.
    bool const token_refused = outcome->failure == core::errc::credentials_rejected &&
                               std::holds_alternative<auth::bearer_token>(context.auth.credentials);
    // What the token exchange said, in the caller's terms: sign in again, step up, or come back.
    auto exchange_refusal = refusal_for_exchange(outcome->failure, tool->needed_scopes_text,
                                                 context.auth.path == auth::auth_path::bearer_verified);
    if (exchange_refusal) {
        core::log::info("token exchange did not give a JustiFi token", context.tag(),
                        {{"tool", tool->name}, {"principal", context.auth.principal()},
                         {"outcome", outcome->failure.message()}});
        exchange_refusal->id = request.id;
    }
    if (token_refused)
        core::log::info("JustiFi rejected the access token", context.tag(), {{"tool", tool->name},
                                                        {"principal", context.auth.principal()}});
    // Taken out before to_json, which would parse it: serialize() writes it in as it is, and
    // its text twin escaped.
    auto structured_text = std::move(outcome->structured_text);
    outcome->structured_text.clear();
    auto const tool_failure = outcome->failure;
    auto upstream = std::move(outcome->upstream);
    bool const text_twin = !structured_text.empty() && outcome->content.empty();
    auto result = std::move(*outcome).to_json();
    if (text_twin) result.erase("content");
    auto message = make_result(request.id, std::move(result));
    reply answer = structured_text.empty() ? reply(std::move(message))
                                           : reply(std::move(message), "structuredContent", std::move(structured_text));
    answer.text_twin = text_twin;
    answer.failure = tool_failure;
    answer.upstream = std::move(upstream);
    if (token_refused)
        answer.refusal = core::refusal{.code = core::errc::credentials_rejected,
                                       .message = "JustiFi rejected the access token; refresh it or sign in again",
                                       .id = request.id};
    if (exchange_refusal) answer.refusal = std::move(exchange_refusal);
    co_return answer;
}

reply dispatcher::ask_for_input(mcp::jsonrpc::request const& request, request_context const& context,
                               state_binding const& binding, tools::tool_result::input_request_set asked) const
{
    // A legacy client cannot fulfil inputRequests: the tool should not have asked.
    if (!context.modern)
        return make_error(request.id, core::errc::internal_error,
                          "Internal error: the tool needs input that only a 2026-07-28 client can give");
    if (auto allowed = check_input_requests(asked.requests, *context.modern); !allowed)
        return refused(request.id, std::move(allowed).error());
    if (asked.requests.empty() && asked.state.empty())  // the spec wants at least one of them
        return make_error(request.id, core::errc::internal_error, "Internal error: the tool asked for nothing");
    json::object result{{"resultType", "input_required"}};
    if (!asked.requests.empty()) result["inputRequests"] = std::move(asked.requests);
    // Always sealed, even when the tool keeps nothing: the nonce and the binding travel in it.
    result["requestState"] = request_states_.seal(asked.state, binding, request_state_codec::clock::now());
    return make_result(request.id, std::move(result));
}

asio::awaitable<std::shared_ptr<dispatcher::running_call>> dispatcher::admit(running_calls& running, std::string const& key,
                                                                          std::size_t limit, bool may_replace)
{
    auto call = std::make_shared<running_call>();
    call->executor = co_await asio::this_coro::executor;
    std::lock_guard lock(calls_mutex_);
    auto const ceiling = limit == 0 ? max_running : std::min(limit, max_running);
    if (running.size() >= ceiling || (!may_replace && running.contains(key))) co_return nullptr;
    running[key] = call;
    co_return call;
}

asio::awaitable<std::exception_ptr> dispatcher::run_cancellable(running_calls& running, std::string const& key,
                                                                std::shared_ptr<running_call> const& call,
                                                                asio::awaitable<void> work)
{
    auto [failure] = co_await asio::co_spawn(
        call->executor, std::move(work), asio::bind_cancellation_slot(call->signal.slot(), asio::as_tuple(asio::use_awaitable)));
    call->finished = true;
    call->signal.slot().clear();
    std::lock_guard lock(calls_mutex_);
    if (auto it = running.find(key); it != running.end() && it->second == call) running.erase(it);
    co_return failure;
}

asio::awaitable<std::optional<reply>> dispatcher::listen(mcp::jsonrpc::request const& request, request_context& context)
{
    auto acknowledgment = listen_acknowledgment(request.id, request.params);
    if (!acknowledgment) co_return refused(request.id, std::move(acknowledgment).error());
    if (!context.sink)  // cannot happen: both transports give every request a stream
        co_return make_error(request.id, core::errc::internal_error, "subscriptions/listen needs a response stream");
    auto const key = context.session_key + "\n" + mcp::jsonrpc::id_key(request.id);
    auto const held = co_await admit(subscriptions_, key, max_running, false);
    if (!held)
        co_return refused(request.id, {.code = core::errc::overloaded,
                                       .message = "too many subscriptions are open (or this id already names one)",
                                       .retry_after = std::chrono::seconds(1)});
    core::log::debug("subscription opened", context.tag());
    co_await context.sink->send(std::move(*acknowledgment));
    bool server_ended = false;
    auto hold = [&]() -> asio::awaitable<void> { server_ended = co_await context.sink->hold_open(); };
    auto work = hold();
    auto const failure = co_await run_cancellable(subscriptions_, key, held, std::move(work));
    bool const graceful = !held->cancelled_by_client && (server_ended || held->cancelled_by_shutdown) && !failure;
    core::log::debug("subscription closed", context.tag(), {{"by_server", graceful}});
    if (!graceful) co_return std::nullopt;
    co_await context.sink->send(listen_cancelled(request.id, "The server is ending this subscription; listen again"));
    co_return make_result(request.id, listen_closed(request.id));
}

void dispatcher::emit_cancellation(running_call& call)
{
    // Runs on the call's executor, the only place its slot may be touched; a call
    // that already finished has nothing left to cancel.
    if (!call.finished) call.signal.emit(asio::cancellation_type::terminal);
}

void dispatcher::cancel_request(std::string const& session_key, json::value const& id)
{
    cancel_call(session_key + "\n" + mcp::jsonrpc::id_key(id));
}

void dispatcher::cancel_call(std::string const& key)
{
    std::shared_ptr<running_call> call;
    {
        std::lock_guard lock(calls_mutex_);
        if (auto it = calls_.find(key); it != calls_.end()) call = it->second;
        else if (auto open = subscriptions_.find(key); open != subscriptions_.end()) call = open->second;
    }
    if (!call) return;
    call->cancelled_by_client = true;
    // A cancellation_signal is only safe to emit from the executor its operation runs on.
    asio::post(call->executor, [call] { emit_cancellation(*call); });
}

void dispatcher::cancel_all_calls()
{
    std::lock_guard lock(calls_mutex_);
    for (auto const* running : {&calls_, &subscriptions_})
        for (auto const& [key, call] : *running) {
            call->cancelled_by_shutdown = true;
            // An init-capture: clang 14 cannot capture a structured binding.
            asio::post(call->executor, [call = call] { emit_cancellation(*call); });
        }
}

std::size_t dispatcher::calls_in_flight() const
{
    std::lock_guard lock(calls_mutex_);
    return calls_.size();
}

}  // namespace justifi::mcp
