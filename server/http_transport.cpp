#include "server/http_transport.hpp"

#include "server/direct_tool.hpp"
#include "server/http_answers.hpp"

#include "auth/auth_stage.hpp"
#include "client/justifi_client.hpp"
#include "mcp/jsonrpc.hpp"
#include "core/log.hpp"
#include "auth/oauth_metadata.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace justifi::server {
using net::http_exchange;
using net::http_server_settings;
using net::make_response;
using mcp::session_codec;
namespace {

namespace json = boost::json;

// Intermediaries (and the ALB) drop streams that stay silent; a comment line keeps them open.
constexpr std::chrono::seconds server_stream_keepalive{15};
constexpr std::size_t remembered_sessions = 10'000;

template <class Request>
std::string_view header_text(Request const& req, std::string_view name)
{
    auto const it = req.find(name);
    return it == req.end() ? std::string_view() : std::string_view(it->value());
}
// Distinct public base URLs whose metadata is kept serialised; Host-derived bases are
// chosen by clients, so the memory is bounded.
constexpr std::size_t remembered_metadata_documents = 64;

using request_type = http_exchange::request_type;

http::response<http::empty_body> event_stream_head(request_type const& req)
{
    http::response<http::empty_body> head{http::status::ok, req.version()};
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-cache");
    head.set("X-Accel-Buffering", "no");
    return head;
}

// Holds an open event stream with comment keep-alives until it ends. true: the server ends
// it (a drain, or its lifetime is up); false: the client closed it.
asio::awaitable<bool> keep_stream_alive(http_exchange& ex, std::chrono::milliseconds lifetime)
{
    auto const ends_at = std::chrono::steady_clock::now() + lifetime;
    auto const left = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(ends_at - std::chrono::steady_clock::now());
    };
    for (;;) {
        if (ex.stream_broken()) co_return false;
        if (ex.draining() || left().count() <= 0) co_return true;
        co_await ex.idle_wait(std::min<std::chrono::milliseconds>(server_stream_keepalive, left()));
        if (ex.stream_broken()) co_return false;
        if (ex.draining() || left().count() <= 0) co_return true;
        co_await ex.write_chunk(": keep-alive\n\n");
    }
}

// The SSE side of one POST: opened when the first notification arrives before the response.
class post_stream final : public mcp::notification_sink {
public:
    post_stream(http_exchange& ex, std::chrono::milliseconds lifetime) : ex_(ex), lifetime_(lifetime) {}

    asio::awaitable<bool> hold_open() override
    {
        if (!ex_.stream_open()) co_await ex_.open_stream(event_stream_head(ex_.request));
        auto const by_server = co_await keep_stream_alive(ex_, lifetime_);
        co_return by_server;
    }

    asio::awaitable<void> send(json::object message) override { co_await write_event(json::serialize(message)); }

    asio::awaitable<void> write_event(std::string const& data)
    {
        // A client that went away does not cancel the call; the spec says so. Writes just stop.
        if (!ex_.stream_open()) co_await ex_.open_stream(event_stream_head(ex_.request));
        // Named, not a temporary inside co_await: GCC 12 can destroy those twice.
        auto const event = "event: message\ndata: " + data + "\n\n";
        co_await ex_.write_chunk(event);
    }

private:
    http_exchange& ex_;
    std::chrono::milliseconds lifetime_;
};

}  // namespace

// Log levels set with logging/setLevel, per session. The session token stays stateless;
// this is a bounded, per-process memory of a preference, lost harmlessly on eviction.
class http_transport::session_states {
public:
    std::size_t size()
    {
        std::lock_guard lock(mutex_);
        return states_.size();
    }
    std::shared_ptr<mcp::session_state> get(std::string const& session_id)
    {
        std::lock_guard lock(mutex_);
        auto& entry = states_[session_id];
        if (!entry) {
            entry = std::make_shared<mcp::session_state>();
            order_.push_back(session_id);
            if (order_.size() > remembered_sessions) {
                states_.erase(order_.front());
                order_.pop_front();
            }
        }
        return entry;
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<mcp::session_state>> states_;
    std::deque<std::string> order_;
};

// Event streams open per caller. A caller at its cap is refused another, so that no one caller
// can take every connection; a caller is remembered only while it has a stream open.
class http_transport::stream_slots {
public:
    explicit stream_slots(std::size_t per_caller) : per_caller_(per_caller) {}

    // A slot held until the returned handle goes; null when the caller has all of its own.
    std::shared_ptr<void> take(std::string const& caller)
    {
        std::lock_guard lock(mutex_);
        auto& open = open_[caller];
        if (open >= per_caller_) {
            if (open == 0) open_.erase(caller);
            return nullptr;
        }
        ++open;
        return std::shared_ptr<void>(static_cast<void*>(this), [this, caller](void*) { give_back(caller); });
    }

private:
    void give_back(std::string const& caller)
    {
        std::lock_guard lock(mutex_);
        if (auto const it = open_.find(caller); it != open_.end() && --it->second == 0) open_.erase(it);
    }

    std::size_t per_caller_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> open_;
};

// The protected resource metadata, serialised once per resource URL (base + endpoint path).
class http_transport::metadata_documents {
public:
    std::string get(std::string const& base, std::string_view endpoint_path, std::string const& issuer,
                    std::vector<std::string> const& scopes, auth::oauth::dpop_metadata dpop)
    {
        auto resource = base + std::string(endpoint_path);
        {
            std::lock_guard lock(mutex_);
            if (auto const it = documents_.find(resource); it != documents_.end()) return it->second;
        }
        auto document = json::serialize(
            auth::oauth::protected_resource_metadata(base, endpoint_path, issuer, scopes, dpop));
        std::lock_guard lock(mutex_);
        if (documents_.size() >= remembered_metadata_documents) documents_.clear();
        documents_.emplace(std::move(resource), document);
        return document;
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::string> documents_;
};

std::string_view request_label(std::string_view logged_method)
{
    static constexpr std::array<std::string_view, 11> known{
        "initialize",         "ping",        "tools/list", "tools/call", "logging/setLevel", "notifications/initialized",
        "notifications/cancelled", "(server stream)", "notifications/progress", "server/discover",
        "subscriptions/listen"};
    if (logged_method.empty()) return "http";
    for (auto const k : known)
        if (k == logged_method) return k;
    return "other";
}

http::response<http::string_body> answer_metrics(http_exchange& ex, core::metrics::registry const& metrics)
{
    auto& req = ex.request;
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = make_response(req, http::status::method_not_allowed, "text/plain", "Method Not Allowed: use GET");
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
    ex.set_log_method("(metrics)");
    auto res = make_response(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
    res.set(http::field::cache_control, "no-store");
    return res;
}

namespace {

// The server's settings with what the transport adds: the probe path, and metrics per request.
http_server_settings with_observer(http_server_settings out, core::metrics::registry* metrics)
{
    out.probe_path = "/health";
    if (metrics)
        out.observe = [metrics](std::string_view label, int status, std::chrono::microseconds elapsed) {
            if (label == "(metrics)") return;  // scrapes are not traffic
            std::string const method(request_label(label));
            metrics->add(core::metrics::requests_total, {method, std::to_string(status)});
            metrics->observe(core::metrics::request_duration, {method}, elapsed);
        };
    return out;
}

}  // namespace

std::size_t http_transport::session_count() const { return session_states_->size(); }

http_transport_settings http_transport_settings_of(config::settings const& settings)
{
    http_transport_settings out;
    out.host = settings.host;
    out.port = settings.port;
    out.endpoint = {.origin_policy = http_rules::default_policy(settings.host, settings.public_url,
                                                                settings.allowed_origins, settings.allowed_hosts),
                    .public_url = settings.public_url,
                    .trust_proxy = settings.trust_proxy,
                    .allow_client_credential_headers = settings.allow_client_credential_headers,
                    .oauth_scopes = settings.oauth_scopes,
                    .challenge_options = {.bearer = !settings.require_dpop, .dpop = settings.accepts_dpop()},
                    .dpop = {.supported = settings.accepts_dpop(), .required = settings.require_dpop},
                    .path_aware_challenges = settings.exchanges_tokens(),
                    .rate_limit_per_second = settings.rate_limit_per_second,
                    .rate_limit_burst = settings.rate_limit_burst,
                    .max_streams_per_caller = settings.max_streams_per_caller};
    out.server = {settings.header_timeout, settings.idle_timeout, settings.write_timeout, settings.max_body_bytes,
                  settings.max_connections};
    out.server.max_body_bytes_in_flight = settings.max_body_bytes_in_flight;
    out.oauth_issuer = settings.oauth_issuer();
    out.stream_max_lifetime = settings.stream_max_lifetime;
    // On this listener unless MCP_METRICS_PORT gives them one of their own.
    if (settings.metrics_enabled && settings.metrics_port == 0) out.metrics_path = settings.metrics_path;
    return out;
}

http_transport::http_transport(asio::io_context& io, http_transport_settings settings, mcp::dispatcher& dispatcher,
                               session_codec const& sessions, std::optional<auth::auth_context> development_identity,
                               auth::token_validation const* validation, core::metrics::registry* metrics,
                               auth::credential_check check_credentials)
    : settings_(std::move(settings)),
      dispatcher_(dispatcher),
      stages_(settings_.endpoint, sessions, std::move(development_identity), validation, std::move(check_credentials)),
      session_states_(std::make_shared<session_states>()),
      stream_slots_(std::make_shared<stream_slots>(settings_.endpoint.max_streams_per_caller)),
      metadata_documents_(std::make_shared<metadata_documents>()),
      metrics_(metrics),
      server_(io, with_observer(settings_.server, metrics), [this](http_exchange& ex) { return handle(ex); })
{
}

asio::awaitable<net::http_answer> http_transport::handle(http_exchange& ex)
{
    auto& req = ex.request;
    auto const route = http_rules::match(req.target(), req.method_string());
    auto const origin = header_value(req, "Origin");
    auto const& policy = stages_.settings().origin_policy;

    auto const path = req.target().substr(0, req.target().find('?'));
    if (metrics_ && !settings_.metrics_path.empty() && path == settings_.metrics_path) co_return answer_metrics(ex, *metrics_);
    if (route.target == http_rules::route::not_found)
        co_return make_response(req, http::status::not_found, "text/plain",
                                "Not Found: the MCP endpoint is /mcp (or /), health is /health, OAuth "
                                "metadata is /.well-known/oauth-protected-resource");
    if (!route.method_allowed) {
        // DELETE on the MCP endpoint would end a session; ours are self-contained signed
        // tokens that expire on their own, with no per-replica state to end (the spec's 405).
        bool const ends_session = route.target == http_rules::route::mcp && req.method() == http::verb::delete_;
        auto const why = ends_session ? "Method Not Allowed: sessions cannot be terminated; they expire on their own"
                                      : "Method Not Allowed: use " + std::string(route.allow);
        // The direct tool endpoint's errors are all JSON.
        auto res = route.target == http_rules::route::direct_tool
                       ? make_response(req, http::status::method_not_allowed, "application/json",
                                       error_object("method_not_allowed", why + " with the tool's arguments as a JSON object"))
                       : make_response(req, http::status::method_not_allowed, "text/plain", why);
        res.set(http::field::allow, route.allow);
        // A browser client's DELETE must be able to read this 405, or it sees a CORS failure.
        if (route.target != http_rules::route::health)
            for (auto& [name, value] : http_rules::cors_headers(policy, origin, http_rules::cors_kind::actual))
                res.set(name, value);
        co_return res;
    }
    if (route.target == http_rules::route::health) {
        // No auth and no upstream call: the load balancer probes this every few seconds.
        if (ex.draining()) co_return make_response(req, http::status::service_unavailable, "text/plain", "draining");
        co_return make_response(req, http::status::ok, "text/plain", "OK");
    }
    if (route.target == http_rules::route::resource_metadata) co_return resource_metadata(ex, route.resource_path);
    auto const format = route.target == http_rules::route::direct_tool ? error_format::error_object : error_format::jsonrpc;
    if (auto allowed = stages_.check_origin(req); !allowed) co_return refusal_response(req, allowed.error(), stages_, format);

    bool const preflight = req.method() == http::verb::options;
    auto const kind = preflight ? http_rules::cors_kind::preflight : http_rules::cors_kind::actual;
    for (auto& [name, value] : http_rules::cors_headers(policy, origin, kind)) ex.add_response_header(name, std::move(value));
    if (preflight) co_return preflight_answer(req, route.allow);
    if (route.target == http_rules::route::direct_tool) {
        auto answer = co_await call_tool_directly(ex, http_rules::direct_tool_name(req.target()));
        co_return answer;
    }
    if (req.method() == http::verb::post) {
        auto answer = co_await post_message(ex);
        co_return answer;
    }
    auto answer = co_await open_server_stream(ex);
    co_return answer;
}

http::response<http::string_body> http_transport::preflight_answer(request_type const& req, std::string_view allow)
{
    // The Access-Control-* headers (for an allowed Origin) are already on the exchange.
    auto res = make_response(req, http::status::no_content, "", "");
    res.set(http::field::allow, allow);
    return res;
}

http::response<http::string_body> http_transport::resource_metadata(http_exchange& ex, std::string_view endpoint_path)
{
    // The documents are public and change nothing, so the Host allow-list (DNS-rebinding
    // defence of the MCP endpoint) does not apply: a rebinding page learns only what anyone
    // may read. The Host is still validated, since it becomes the resource URL.
    auto& req = ex.request;
    auto const origin = header_value(req, "Origin");
    auto const& policy = stages_.settings().origin_policy;
    bool const preflight = req.method() == http::verb::options;
    if (preflight && !origin.empty() && !http_rules::origin_allowed(policy, origin))
        return make_response(req, http::status::forbidden, "text/plain",
                             "Forbidden: Origin \"" + http_rules::quotable(origin) +
                                 "\" is not allowed (see MCP_ALLOWED_ORIGINS)");
    // The CORS headers differ by Origin; a document built from the request's Host (no
    // MCP_PUBLIC_URL) differs by it too, and is never for a shared cache: a poisoned Host must
    // not become what everyone else is served.
    bool const from_request = settings_.endpoint.public_url.empty();
    ex.add_response_header("Vary", !from_request || preflight         ? "Origin"
                                   : settings_.endpoint.trust_proxy ? "Origin, Host, X-Forwarded-Host, X-Forwarded-Proto"
                                                                    : "Origin, Host");
    auto const kind = preflight ? http_rules::cors_kind::preflight : http_rules::cors_kind::actual;
    for (auto& [name, value] : http_rules::cors_headers(policy, origin, kind)) ex.add_response_header(name, std::move(value));
    if (preflight) return preflight_answer(req, "GET, HEAD, OPTIONS");

    auto const base = stages_.base_url(req);
    if (!base) return refusal_response(req, stages_.bad_base_url(req), stages_);
    auto res = make_response(req, http::status::ok, "application/json",
                             metadata_documents_->get(*base, endpoint_path, settings_.oauth_issuer,
                                                      settings_.endpoint.oauth_scopes, settings_.endpoint.dpop));
    res.set(http::field::cache_control,
            from_request ? auth::oauth::request_metadata_cache_control : auth::oauth::metadata_cache_control);
    return res;
}

asio::awaitable<stage<auth::auth_context>> http_transport::authenticate(http_exchange& ex) const
{
    auto identity = co_await stages_.authenticate(ex.request);
    if (identity) {
        ex.set_log_identity(auth::to_string(identity->path), identity->principal());
    } else if (auto const code = identity.error().code;
               code != core::errc::authentication_required && code != core::errc::bad_public_base_url) {
        core::log::info("request not authenticated", ex.log_tag(), {{"reason", identity.error().message}});
    }
    co_return identity;
}

stage<void> http_transport::admit_rate(http_exchange& ex, auth::auth_context const& identity)
{
    auto const address = stages_.client_address(ex.request, ex.remote_endpoint().address().to_string());
    auto admitted = stages_.admit_rate(identity, address, core::rate_limiter::clock::now());
    if (!admitted) {
        core::log::info("request rate-limited", ex.log_tag(), {{"principal", identity.principal()}});
        if (metrics_) metrics_->add(core::metrics::rate_limited_total);
    }
    return admitted;
}

asio::awaitable<net::http_answer> http_transport::post_message(http_exchange& ex)
{
    auto answer = co_await run_post(ex);
    if (!answer) co_return net::already_answered{};
    co_return std::move(*answer);
}

asio::awaitable<std::optional<http_transport::http_response>> http_transport::run_post(http_exchange& ex)
{
    auto& req = ex.request;
    auto const refuse = [&](core::refusal const& why) { return std::optional(refusal_response(req, why, stages_)); };
    // The headers' trace first: lines written before the body is read carry it too.
    auto header_trace = mcp::read_trace(nullptr, header_text(req, "traceparent"), header_text(req, "tracestate"));
    if (header_trace) ex.set_log_trace_id(header_trace->trace_id);
    // After the Origin/Host check (in handle) and before content negotiation, as the MCP SDKs do.
    auto identity = co_await authenticate(ex);
    if (!identity) co_return refuse(identity.error());
    if (auto admitted = admit_rate(ex, *identity); !admitted) co_return refuse(admitted.error());
    auto headers = stages_.check_post_headers(req);
    if (!headers) co_return refuse(headers.error());

    // Everything above was decided on the headers; only now is the body read (and 100 Continue
    // sent), so an anonymous or refused caller never gets a byte of it into our memory.
    if (auto const failed = co_await ex.read_body()) co_return std::nullopt;  // the server answers it
    auto message = mcp_stages::decode(req.body());
    if (!message) co_return refuse(message.error());
    auto const* request = std::get_if<mcp::jsonrpc::request>(&*message);
    if (auto const method = mcp::jsonrpc::method_of(*message); !method.empty()) ex.set_log_method(std::string(method));
    auto const& params = mcp::jsonrpc::params_of(*message);
    auto const version_header = req.find("MCP-Protocol-Version");
    auto const era = mcp::classify(params, version_header == req.end()
                                               ? std::nullopt
                                               : std::optional<std::string_view>(version_header->value()));
    bool const is_initialize = era == mcp::era::legacy && request && request->method == "initialize";

    mcp::request_context context;
    context.auth = std::move(*identity);
    context.auth.sub_account = std::move(headers->sub_account);
    context.request_id = ex.request_id();
    // _meta's trace wins over the headers', which were read above.
    context.trace = mcp::read_trace(params);
    if (!context.trace) context.trace = std::move(header_trace);
    ex.set_log_trace_id(context.trace ? context.trace->trace_id : std::string());
    auto const principal = context.auth.principal();
    std::optional<modern_request> modern;
    if (era == mcp::era::modern) {
        // Stateless: no session, whatever Mcp-Session-Id says; cancellation keys are this exchange's.
        auto checked = mcp_stages::check_modern(req, *message);
        if (!checked) co_return refuse(checked.error());
        modern = std::move(*checked);
        context.modern = modern->envelope;
        context.headers = &modern->headers;
        context.session_key = "modern\n" + context.request_id;
    } else if (auto version = mcp_stages::check_legacy_version(req); !version) {
        auto why = std::move(version).error();
        why.id = mcp::jsonrpc::id_of(*message);
        co_return refuse(why);
    } else if (!is_initialize) {
        auto session = stages_.resume_session(req, principal, std::chrono::system_clock::now());
        if (!session) co_return refuse(session.error());
        context.session = session_states_->get(*session);
        context.session_key = std::move(*session);
    }

    if (!request) {
        // Notifications and responses: act on them, answer 202 with no body.
        co_await dispatcher_.handle(std::move(*message), std::move(context));
        co_return make_response(req, http::status::accepted, "", "");
    }

    // A subscription holds its stream for long: it takes one of the caller's stream slots, as a
    // legacy GET stream does, and keeps it until the stream ends.
    std::shared_ptr<void> stream_slot;
    if (modern && request->method == "subscriptions/listen") {
        stream_slot = stream_slots_->take(principal);
        if (!stream_slot) {
            auto why = stages_.too_many_streams();
            why.id = request->id;
            co_return refuse(why);
        }
    }
    post_stream stream(ex, settings_.stream_max_lifetime);
    context.sink = &stream;
    bool const cancel_on_close = modern && request->method == "tools/call";
    // Not a conditional expression: GCC 12 miscompiles co_await inside one.
    std::optional<mcp::reply> reply;
    if (cancel_on_close) reply = co_await dispatch_until_client_goes(ex, std::move(*message), std::move(context));
    else reply = co_await dispatcher_.handle(std::move(*message), std::move(context));
    // The subscription is over once its dispatch returns: free the slot before the client can
    // see the stream end, so that its next request finds the slot free.
    stream_slot.reset();
    // A refusal is answered in HTTP's terms while it still can be: before any event went out.
    if (reply && reply->refusal && !ex.stream_open()) co_return refuse(*reply->refusal);
    if (ex.stream_open() || !reply) {
        // Notifications went out first, so the answer ends the event stream. A call the
        // client cancelled has no answer: its exchange ends as an empty stream.
        if (reply) co_await stream.write_event(reply->serialize());
        else if (!ex.stream_open()) co_await ex.open_stream(event_stream_head(req));
        co_await ex.close_stream();
        co_return std::nullopt;
    }
    co_return stages_.encode(req, *reply, is_initialize, principal, std::chrono::system_clock::now());
}

asio::awaitable<std::optional<mcp::reply>> http_transport::dispatch_until_client_goes(http_exchange& ex,
                                                                                    mcp::jsonrpc::message message,
                                                                                    mcp::request_context context)
{
    using namespace asio::experimental::awaitable_operators;
    auto const session_key = context.session_key;
    auto const id = mcp::jsonrpc::id_of(message);
    // Ends only when cancelled, so that the dispatch below always finishes first and gives the
    // answer (none for a call cancelled here).
    auto watch = [&]() -> asio::awaitable<void> {
        if (co_await ex.client_gone()) {
            core::log::info("client closed the request's stream; cancelling it", ex.log_tag());
            dispatcher_.cancel_request(session_key, id);
        }
        // Cancelled because the dispatch finished (every call but a cancelled one): return rather
        // than await again, which asio answers by throwing operation_aborted, once per call.
        auto const state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none) co_return;
        asio::steady_timer never(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
        co_await never.async_wait(core::use_tuple);
    };
    auto dispatch = [&]() -> asio::awaitable<std::optional<mcp::reply>> {
        auto reply = co_await dispatcher_.handle(std::move(message), std::move(context));
        co_return reply;
    };
    auto dispatched = dispatch();  // named: GCC 12 mishandles temporaries inside co_await
    auto watched = watch();
    auto first = co_await (std::move(dispatched) || std::move(watched));
    if (auto* reply = std::get_if<0>(&first)) co_return std::move(*reply);
    co_return std::nullopt;
}

asio::awaitable<net::http_answer> http_transport::call_tool_directly(http_exchange& ex, std::string_view tool)
{
    auto& req = ex.request;
    auto const refuse = [&](core::refusal const& why) -> net::http_answer {
        return refusal_response(req, why, stages_, error_format::error_object);
    };
    ex.set_log_method("tools/call");
    auto trace = mcp::read_trace(nullptr, header_text(req, "traceparent"), header_text(req, "tracestate"));
    if (trace) ex.set_log_trace_id(trace->trace_id);
    // The MCP endpoint's stages in its order: who (before the tool is looked up, so an anonymous
    // caller learns nothing of the catalog), how often, the headers, and only then the body.
    auto identity = co_await authenticate(ex);
    if (!identity) co_return refuse(identity.error());
    if (auto admitted = admit_rate(ex, *identity); !admitted) co_return refuse(admitted.error());
    auto headers = mcp_stages::check_body_headers(req);
    if (!headers) co_return refuse(headers.error());
    if (auto const failed = co_await ex.read_body()) co_return net::already_answered{};  // the server answers it
    auto message = direct_tool::as_tools_call(tool, req.body());
    if (!message) co_return refuse(message.error());

    // Neither a legacy session nor a modern request, and no sink: nothing but the answer reaches
    // the caller, so a tool sees a caller it cannot ask anything.
    mcp::request_context context;
    context.auth = std::move(*identity);
    context.auth.sub_account = std::move(headers->sub_account);
    context.request_id = ex.request_id();
    context.trace = std::move(trace);
    context.session_key = "direct\n" + context.request_id;
    auto reply = co_await dispatch_until_client_goes(ex, std::move(*message), std::move(context));
    if (!reply) co_return net::bytes_then_close{};  // the client went, and its call was cancelled
    if (reply->refusal) co_return refuse(*reply->refusal);
    auto answer = direct_tool::answer_of(tool, std::move(*reply));
    co_return make_response(req, answer.status, "application/json", std::move(answer.body));
}

stage<std::shared_ptr<void>> http_transport::admit_stream(http_exchange& ex, auth::auth_context const& identity)
{
    // A stream holds a connection for long: it costs a request like any other.
    if (auto admitted = admit_rate(ex, identity); !admitted) return std::move(admitted).error();
    if (auto headers = stages_.check_stream_headers(ex.request); !headers) return std::move(headers).error();
    auto const principal = identity.principal();
    auto session = stages_.resume_session(ex.request, principal, std::chrono::system_clock::now());
    if (!session) return std::move(session).error();
    auto slot = stream_slots_->take(principal);
    if (!slot) return stages_.too_many_streams();
    return slot;
}

asio::awaitable<net::http_answer> http_transport::open_server_stream(http_exchange& ex)
{
    auto& req = ex.request;
    auto identity = co_await authenticate(ex);
    auto slot = identity ? admit_stream(ex, *identity) : stage<std::shared_ptr<void>>(identity.error());
    if (!slot) co_return refusal_response(req, slot.error(), stages_);

    // This server sends nothing unprompted yet (no list changes, no server requests), so the
    // stream carries only keep-alives until the client, a drain or its lifetime ends it; the
    // client then opens another if it still wants one.
    ex.set_log_method("(server stream)");
    auto head = event_stream_head(req);
    head.keep_alive(false);
    co_await ex.open_stream(std::move(head));
    co_await keep_stream_alive(ex, settings_.stream_max_lifetime);
    slot->reset();  // free before the client can see the end, so that its reopening finds it free
    co_await ex.close_stream();
    co_return net::already_answered{};
}

}  // namespace justifi::server
