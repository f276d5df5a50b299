#include "server/http_transport.hpp"

#include "auth/auth_stage.hpp"
#include "client/justifi_client.hpp"
#include "mcp/jsonrpc.hpp"
#include "core/log.hpp"
#include "auth/oauth_metadata.hpp"

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
// Distinct public base URLs whose metadata is kept serialised; Host-derived bases are
// chosen by clients, so the memory is bounded.
constexpr std::size_t remembered_metadata_documents = 64;

using request_type = http_exchange::request_type;

std::string_view header(request_type const& req, std::string_view name)
{
    auto const it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

http::response<http::string_body> rpc_error_response(request_type const& req, http::status status, int code,
                                                     std::string_view message, json::value id = nullptr)
{
    return make_response(req, status, "application/json", json::serialize(mcp::jsonrpc::make_error(id, code, message)));
}

std::string supported_list()
{
    std::string out;
    for (auto const v : mcp::supported_versions) out += (out.empty() ? "" : ", ") + std::string(v);
    return out;
}

http::response<http::empty_body> event_stream_head(request_type const& req)
{
    http::response<http::empty_body> head{http::status::ok, req.version()};
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-cache");
    head.set("X-Accel-Buffering", "no");
    return head;
}

// The SSE side of one POST: opened when the first notification arrives before the response.
class post_stream final : public mcp::notification_sink {
public:
    explicit post_stream(http_exchange& ex) : ex_(ex) {}

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
    std::string get(std::string const& base, std::string_view endpoint_path, server::config::settings const& settings)
    {
        auto resource = base + std::string(endpoint_path);
        {
            std::lock_guard lock(mutex_);
            if (auto const it = documents_.find(resource); it != documents_.end()) return it->second;
        }
        auto document = json::serialize(
            auth::oauth::protected_resource_metadata(base, endpoint_path, settings.oauth_issuer(), settings.oauth_scopes));
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
    static constexpr std::array<std::string_view, 9> known{
        "initialize",         "ping",        "tools/list", "tools/call", "logging/setLevel", "notifications/initialized",
        "notifications/cancelled", "(server stream)", "notifications/progress"};
    if (logged_method.empty()) return "http";
    for (auto const k : known)
        if (k == logged_method) return k;
    return "other";
}

asio::awaitable<void> answer_metrics(http_exchange& ex, core::metrics::registry const& metrics)
{
    auto& req = ex.request;
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = make_response(req, http::status::method_not_allowed, "text/plain", "Method Not Allowed: use GET");
        res.set(http::field::allow, "GET, HEAD");
        co_await ex.respond(std::move(res));
        co_return;
    }
    ex.set_log_method("(metrics)");
    auto res = make_response(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
    res.set(http::field::cache_control, "no-store");
    if (req.method() == http::verb::head) {
        auto const length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    co_await ex.respond(std::move(res));
}

namespace {

http_server_settings server_settings(server::config::settings const& settings, core::metrics::registry* metrics)
{
    http_server_settings out{settings.header_timeout, settings.idle_timeout, settings.write_timeout,
                             settings.max_body_bytes, settings.max_connections};
    out.max_body_bytes_in_flight = settings.max_body_bytes_in_flight;
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

http_transport::http_transport(asio::io_context& io, server::config::settings const& settings, mcp::dispatcher& dispatcher,
                               session_codec const& sessions, std::optional<auth::auth_context> development_identity,
                               auth::token_validation const* validation, core::metrics::registry* metrics,
                               auth::credential_check check_credentials)
    : settings_(settings),
      dispatcher_(dispatcher),
      sessions_(sessions),
      origin_policy_(server::http_rules::default_policy(settings.host, settings.public_url, settings.allowed_origins,
                                                settings.allowed_hosts)),
      session_states_(std::make_shared<session_states>()),
      stream_slots_(std::make_shared<stream_slots>(settings.max_streams_per_caller)),
      metadata_documents_(std::make_shared<metadata_documents>()),
      development_identity_(std::move(development_identity)),
      validation_(validation),
      check_credentials_(std::move(check_credentials)),
      rate_limiter_(settings.rate_limit_per_second, settings.rate_limit_burst),
      metrics_(metrics),
      server_(io, server_settings(settings, metrics), [this](http_exchange& ex) { return handle(ex); })
{
}

asio::awaitable<void> http_transport::handle(http_exchange& ex)
{
    auto& req = ex.request;
    auto const route = server::http_rules::match(req.target(), req.method_string());
    auto const origin = header(req, "Origin");
    // Only a proxy we were told to trust may name the host a client reached us by.
    std::string_view forwarded_host;
    if (settings_.trust_proxy) forwarded_host = header(req, "X-Forwarded-Host");

    auto const path = req.target().substr(0, req.target().find('?'));
    if (metrics_ && settings_.metrics_enabled && settings_.metrics_port == 0 && path == settings_.metrics_path) {
        co_await answer_metrics(ex, *metrics_);
    } else if (route.target == server::http_rules::route::not_found) {
        co_await ex.respond(make_response(req, http::status::not_found, "text/plain",
                                          "Not Found: the MCP endpoint is /mcp (or /), health is /health, OAuth "
                                          "metadata is /.well-known/oauth-protected-resource"));
    } else if (!route.method_allowed) {
        // DELETE on the MCP endpoint would end a session; ours are self-contained signed
        // tokens that expire on their own, with no per-replica state to end (the spec's 405).
        bool const ends_session = route.target == server::http_rules::route::mcp && req.method() == http::verb::delete_;
        auto res = make_response(req, http::status::method_not_allowed, "text/plain",
                                 ends_session ? "Method Not Allowed: sessions cannot be terminated; they expire on their own"
                                              : "Method Not Allowed: use " + std::string(route.allow));
        res.set(http::field::allow, route.allow);
        // A browser client's DELETE must be able to read this 405, or it sees a CORS failure.
        if (route.target != server::http_rules::route::health)
            for (auto& [name, value] : server::http_rules::cors_headers(origin_policy_, origin, server::http_rules::cors_kind::actual))
                res.set(name, value);
        co_await ex.respond(std::move(res));
    } else if (route.target == server::http_rules::route::health) {
        // No auth and no upstream call: the load balancer probes this every few seconds.
        auto res = ex.draining() ? make_response(req, http::status::service_unavailable, "text/plain", "draining")
                                 : make_response(req, http::status::ok, "text/plain", "OK");
        if (req.method() == http::verb::head) {
            auto const length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        co_await ex.respond(std::move(res));
    } else if (route.target == server::http_rules::route::resource_metadata) {
        co_await serve_resource_metadata(ex, route.resource_path);
    } else if (auto refusal = server::http_rules::check_origin_and_host(origin_policy_, origin, header(req, "Host"),
                                                                forwarded_host)) {
        co_await ex.respond(rpc_error_response(req, http::status::forbidden, mcp::jsonrpc::server_error, *refusal));
    } else {
        bool const preflight = req.method() == http::verb::options;
        auto const kind = preflight ? server::http_rules::cors_kind::preflight : server::http_rules::cors_kind::actual;
        for (auto& [name, value] : server::http_rules::cors_headers(origin_policy_, origin, kind))
            ex.add_response_header(name, std::move(value));
        if (preflight) co_await answer_preflight(ex, route.allow);
        else if (req.method() == http::verb::post) co_await post_message(ex);
        else co_await open_server_stream(ex);
    }
}

asio::awaitable<void> http_transport::answer_preflight(http_exchange& ex, std::string_view allow)
{
    // The Access-Control-* headers (for an allowed Origin) are already on the exchange.
    auto res = make_response(ex.request, http::status::no_content, "", "");
    res.set(http::field::allow, allow);
    co_await ex.respond(std::move(res));
}

asio::awaitable<void> http_transport::serve_resource_metadata(http_exchange& ex, std::string_view endpoint_path)
{
    // The documents are public and change nothing, so the Host allow-list (DNS-rebinding
    // defence of the MCP endpoint) does not apply: a rebinding page learns only what anyone
    // may read. The Host is still validated, since it becomes the resource URL.
    auto& req = ex.request;
    auto const origin = header(req, "Origin");
    bool const preflight = req.method() == http::verb::options;
    if (preflight && !origin.empty() && !server::http_rules::origin_allowed(origin_policy_, origin)) {
        // Named, not a temporary inside co_await: GCC 12 can destroy those twice.
        auto res = make_response(req, http::status::forbidden, "text/plain",
                                 "Forbidden: Origin \"" + server::http_rules::quotable(origin) + "\" is not allowed (see MCP_ALLOWED_ORIGINS)");
        co_await ex.respond(std::move(res));
        co_return;
    }
    // The CORS headers differ by Origin; a document built from the request's Host (no
    // MCP_PUBLIC_URL) differs by it too, and is never for a shared cache: a poisoned Host must
    // not become what everyone else is served.
    bool const from_request = settings_.public_url.empty();
    ex.add_response_header("Vary", !from_request || preflight ? "Origin"
                                   : settings_.trust_proxy    ? "Origin, Host, X-Forwarded-Host, X-Forwarded-Proto"
                                                              : "Origin, Host");
    auto const kind = preflight ? server::http_rules::cors_kind::preflight : server::http_rules::cors_kind::actual;
    for (auto& [name, value] : server::http_rules::cors_headers(origin_policy_, origin, kind))
        ex.add_response_header(name, std::move(value));
    if (preflight) {
        co_await answer_preflight(ex, "GET, HEAD, OPTIONS");
        co_return;
    }

    auto const base = request_base_url(req);
    if (!base) {
        auto res = bad_base_response(req);
        co_await ex.respond(std::move(res));
        co_return;
    }
    auto res = make_response(req, http::status::ok, "application/json",
                             metadata_documents_->get(*base, endpoint_path, settings_));
    res.set(http::field::cache_control,
            from_request ? auth::oauth::request_metadata_cache_control : auth::oauth::metadata_cache_control);
    if (req.method() == http::verb::head) {
        auto const length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    co_await ex.respond(std::move(res));
}

std::optional<std::string> http_transport::request_base_url(request_type const& req) const
{
    return server::http_rules::public_base_url(settings_.public_url, settings_.trust_proxy, header(req, "Host"),
                                       header(req, "X-Forwarded-Proto"), header(req, "X-Forwarded-Host"));
}

http::response<http::string_body> http_transport::bad_base_response(request_type const& req) const
{
    std::string why = settings_.trust_proxy
                          ? "Bad Request: Host, X-Forwarded-Host and X-Forwarded-Proto do not name a valid "
                            "http(s) host[:port]"
                          : "Bad Request: Host \"" + server::http_rules::quotable(header(req, "Host")) + "\" is not a valid host[:port]";
    return make_response(req, http::status::bad_request, "text/plain", why + " (or set MCP_PUBLIC_URL)");
}

asio::awaitable<std::optional<auth::auth_context>> http_transport::require_auth(http_exchange& ex)
{
    auto& req = ex.request;
    // With MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS=false the headers count for nothing: only OAuth serves.
    std::string_view client_id;
    std::string_view client_secret;
    if (settings_.allow_client_credential_headers) {
        client_id = header(req, "X-Client-Id");
        client_secret = header(req, "X-Client-Secret");
    }
    auth::presented_credentials const presented{header(req, "Authorization"), client_id, client_secret};
    auto const* const check = check_credentials_ ? &check_credentials_ : nullptr;
    auto outcome = co_await auth::authenticate(presented, validation_, check);
    auto* const context = std::get_if<auth::auth_context>(&outcome);
    if (context && context->anonymous() && development_identity_) {
        *context = *development_identity_;
        ex.set_log_identity(auth::to_string(auth::auth_path::configured_credentials), context->principal());
        co_return std::move(*context);
    }
    if (context && !context->anonymous()) {
        ex.set_log_identity(auth::to_string(context->path), context->principal());
        co_return std::move(*context);
    }

    auto const base = request_base_url(req);
    if (!base) {
        auto res = bad_base_response(req);
        co_await ex.respond(std::move(res));
        co_return std::nullopt;
    }
    if (auto const* rejected = std::get_if<auth::rejection>(&outcome)) {
        core::log::info("request not authenticated", {{"request_id", ex.request_id()},
                                                {"reason", rejected->description}});
        bool const busy = rejected->reason == auth::auth_error::verification_busy;
        if (busy || rejected->reason == auth::auth_error::verification_unavailable) {
            // Not the client's fault: a 401 would send its user through a sign-in for nothing.
            auto res = rpc_error_response(req, http::status::service_unavailable, mcp::jsonrpc::server_error,
                                          "Service Unavailable: " + rejected->description);
            res.set(http::field::retry_after, busy ? "1" : "5");
            co_await ex.respond(std::move(res));
            co_return std::nullopt;
        }
        auto res = rpc_error_response(req, http::status::unauthorized, mcp::jsonrpc::server_error,
                                      "Unauthorized: " + rejected->description);
        bool const bad_credentials = rejected->reason == auth::auth_error::invalid_token ||
                                     rejected->reason == auth::auth_error::credentials_refused;
        auto const challenge = bad_credentials
                                   ? auth::oauth::invalid_token_challenge(*base, settings_.oauth_scopes, rejected->description)
                                   : auth::oauth::invalid_request_challenge(*base, rejected->description);
        res.set(http::field::www_authenticate, challenge);
        co_await ex.respond(std::move(res));
        co_return std::nullopt;
    }
    // No credentials at all: the RFC 9728 challenge tells an MCP client where to start OAuth.
    std::string message = "Unauthorized: authentication is required. Use OAuth: the authorization server and "
                          "scopes are in the protected resource metadata at " +
                          auth::oauth::resource_metadata_url(*base) + " (named in WWW-Authenticate)";
    if (settings_.allow_client_credential_headers)
        message += "; developers may instead send their JustiFi API keys as X-Client-Id and X-Client-Secret headers";
    auto res = rpc_error_response(req, http::status::unauthorized, mcp::jsonrpc::server_error, message);
    res.set(http::field::www_authenticate, auth::oauth::bearer_challenge(*base, settings_.oauth_scopes));
    co_await ex.respond(std::move(res));
    co_return std::nullopt;
}

asio::awaitable<void> http_transport::answer_refusal(http_exchange& ex, mcp::refusal const& denial, json::object body)
{
    auto& req = ex.request;
    if (denial.what == mcp::refusal::kind::overloaded) {
        auto res = make_response(req, http::status::service_unavailable, "application/json", json::serialize(body));
        res.set(http::field::retry_after, "1");
        co_await ex.respond(std::move(res));
        co_return;
    }
    auto const base = request_base_url(req);
    if (!base) {
        auto res = bad_base_response(req);
        co_await ex.respond(std::move(res));
        co_return;
    }
    bool const scope = denial.what == mcp::refusal::kind::insufficient_scope;
    auto res = make_response(req, scope ? http::status::forbidden : http::status::unauthorized, "application/json",
                             json::serialize(body));
    auto const challenge = scope ? auth::oauth::insufficient_scope_challenge(*base, denial.scope, denial.description)
                                 : auth::oauth::invalid_token_challenge(*base, settings_.oauth_scopes, denial.description);
    res.set(http::field::www_authenticate, challenge);
    co_await ex.respond(std::move(res));
}

std::string http_transport::client_address(http_exchange const& ex) const
{
    // Behind a trusted proxy the address it appended last is the one it saw; earlier entries
    // are whatever the client wrote.
    if (settings_.trust_proxy)
        if (auto const forwarded = server::http_rules::last_list_value(header(ex.request, "X-Forwarded-For")); !forwarded.empty())
            return std::string(forwarded.substr(0, 64));
    return ex.remote_endpoint().address().to_string();
}

std::string http_transport::rate_limit_key(auth::auth_context const& identity, http_exchange const& ex) const
{
    // An unverified bearer token is whatever the caller typed: keyed by it, every made-up token
    // would be a fresh bucket (and a JustiFi call). Such callers share their address's bucket.
    if (identity.path == auth::auth_path::bearer_passthrough) return "address:" + client_address(ex);
    return identity.principal();
}

asio::awaitable<bool> http_transport::admit_rate(http_exchange& ex, auth::auth_context const& identity)
{
    auto const wait = rate_limiter_.take(rate_limit_key(identity, ex), core::rate_limiter::clock::now());
    if (!wait) co_return true;
    auto const seconds = std::max<long long>(1, (wait->count() + 999) / 1000);
    core::log::info("request rate-limited", {{"request_id", ex.request_id()}, {"principal", identity.principal()}});
    if (metrics_) metrics_->add(core::metrics::rate_limited_total);
    std::string const who = identity.path == auth::auth_path::bearer_passthrough ? " from this address with unverified tokens"
                                                                                 : " with these credentials";
    auto res = rpc_error_response(ex.request, http::status::too_many_requests, mcp::jsonrpc::server_error,
                                  "Too Many Requests: more than " +
                                      std::to_string(static_cast<long long>(settings_.rate_limit_burst)) +
                                      " requests at once or " +
                                      std::to_string(static_cast<long long>(settings_.rate_limit_per_second)) +
                                      " a second" + who + "; retry after " + std::to_string(seconds) + " s");
    res.set(http::field::retry_after, std::to_string(seconds));
    co_await ex.respond(std::move(res));
    co_return false;
}

asio::awaitable<bool> http_transport::check_protocol_version(http_exchange& ex)
{
    auto const version = header(ex.request, "MCP-Protocol-Version");
    if (version.empty() || mcp::is_supported_version(version)) co_return true;
    co_await ex.respond(rpc_error_response(ex.request, http::status::bad_request, mcp::jsonrpc::server_error,
                                           "Bad Request: unsupported MCP-Protocol-Version \"" + server::http_rules::quotable(version) +
                                               "\"; supported: " + supported_list()));
    co_return false;
}

asio::awaitable<std::shared_ptr<mcp::session_state>> http_transport::require_session(http_exchange& ex,
                                                                                     std::string const& principal)
{
    auto const session_id = header(ex.request, "Mcp-Session-Id");
    if (session_id.empty()) {
        co_await ex.respond(rpc_error_response(ex.request, http::status::bad_request, mcp::jsonrpc::server_error,
                                               "Bad Request: Mcp-Session-Id header is required; send initialize first"));
        co_return nullptr;
    }
    auto const claims = sessions_.verify(session_id, principal, std::chrono::system_clock::now());
    if (!claims) {
        // Unknown, forged, expired and other callers' sessions all get 404: the client starts a new one.
        co_await ex.respond(rpc_error_response(ex.request, http::status::not_found, mcp::jsonrpc::server_error,
                                               "Session not found: " + claims.error().message()));
        co_return nullptr;
    }
    co_return session_states_->get(std::string(session_id));
}

asio::awaitable<void> http_transport::post_message(http_exchange& ex)
{
    auto& req = ex.request;
    // After the Origin/Host check (in handle) and before content negotiation, as the MCP SDKs do.
    auto identity = co_await require_auth(ex);
    if (!identity) co_return;
    if (!co_await admit_rate(ex, *identity)) co_return;
    if (!server::http_rules::accepts(header(req, "Accept"), {"application/json", "text/event-stream"})) {
        co_await ex.respond(rpc_error_response(req, http::status::not_acceptable, mcp::jsonrpc::server_error,
                                               "Not Acceptable: Accept must include both application/json and "
                                               "text/event-stream"));
        co_return;
    }
    if (!server::http_rules::is_json_content_type(header(req, "Content-Type"))) {
        co_await ex.respond(rpc_error_response(req, http::status::unsupported_media_type, mcp::jsonrpc::server_error,
                                               "Unsupported Media Type: Content-Type must be application/json"));
        co_return;
    }
    if (!co_await check_protocol_version(ex)) co_return;
    // Forwarded to JustiFi as a header: held to the shape of the id it names, like sub_account_id.
    auto const sub_account = header(req, "Sub-Account");
    if (!sub_account.empty() && !client::is_justifi_id(sub_account)) {
        co_await ex.respond(rpc_error_response(req, http::status::bad_request, mcp::jsonrpc::server_error,
                                               "Bad Request: the Sub-Account header must be a sub account id (acc_...): "
                                               "1-128 letters, digits, '_' or '-'"));
        co_return;
    }

    // Everything above was decided on the headers; only now is the body read (and 100 Continue
    // sent), so an anonymous or refused caller never gets a byte of it into our memory.
    if (auto const failed = co_await ex.read_body()) co_return;  // the server answers it
    auto decoded = mcp::jsonrpc::decode(req.body());
    if (auto const* err = std::get_if<mcp::jsonrpc::error>(&decoded)) {
        co_await ex.respond(rpc_error_response(req, http::status::bad_request, err->code, err->message, err->id));
        co_return;
    }
    auto& message = std::get<mcp::jsonrpc::message>(decoded);
    auto const* request = std::get_if<mcp::jsonrpc::request>(&message);
    if (auto const* note = std::get_if<mcp::jsonrpc::notification>(&message)) ex.set_log_method(note->method);
    if (request) ex.set_log_method(request->method);
    bool const is_initialize = request && request->method == "initialize";

    mcp::request_context context;
    context.auth = std::move(*identity);
    context.auth.sub_account = sub_account;
    context.request_id = ex.request_id();
    auto const principal = context.auth.principal();
    if (!is_initialize) {
        context.session = co_await require_session(ex, principal);
        if (!context.session) co_return;
        context.session_key = header(req, "Mcp-Session-Id");
    }

    if (!request) {
        // Notifications and responses: act on them, answer 202 with no body.
        co_await dispatcher_.handle(std::move(message), std::move(context));
        auto res = make_response(req, http::status::accepted, "", "");
        co_await ex.respond(std::move(res));
        co_return;
    }

    post_stream stream(ex);
    context.sink = &stream;
    std::optional<mcp::refusal> refused;
    context.refused = &refused;
    auto response = co_await dispatcher_.handle(std::move(message), std::move(context));
    if (refused && response && !ex.stream_open()) {
        co_await answer_refusal(ex, *refused, std::move(response->message));
        co_return;
    }

    if (ex.stream_open() || !response) {
        // Notifications went out first, so the answer ends the event stream. A call the
        // client cancelled has no answer: its exchange ends as an empty stream.
        if (response) co_await stream.write_event(response->serialize());
        else if (!ex.stream_open()) co_await ex.open_stream(event_stream_head(req));
        co_await ex.close_stream();
        co_return;
    }
    auto res = make_response(req, http::status::ok, "application/json", response->serialize());
    if (is_initialize && response->message.contains("result")) {
        auto const& version = response->message.at("result").at("protocolVersion").as_string();
        res.set("Mcp-Session-Id", sessions_.issue(version, principal, std::chrono::system_clock::now()));
    }
    co_await ex.respond(std::move(res));
}

asio::awaitable<void> http_transport::open_server_stream(http_exchange& ex)
{
    auto& req = ex.request;
    auto const identity = co_await require_auth(ex);
    if (!identity) co_return;
    // A stream holds a connection for long: it costs a request like any other.
    if (!co_await admit_rate(ex, *identity)) co_return;
    if (!server::http_rules::accepts(header(req, "Accept"), {"text/event-stream"})) {
        co_await ex.respond(rpc_error_response(req, http::status::not_acceptable, mcp::jsonrpc::server_error,
                                               "Not Acceptable: Accept must include text/event-stream"));
        co_return;
    }
    if (!co_await check_protocol_version(ex)) co_return;
    auto const principal = identity->principal();
    if (!co_await require_session(ex, principal)) co_return;
    auto const slot = stream_slots_->take(principal);
    if (!slot) {
        auto res = rpc_error_response(req, http::status::too_many_requests, mcp::jsonrpc::server_error,
                                      "Too Many Requests: at most " + std::to_string(settings_.max_streams_per_caller) +
                                          " event streams may be open at once with these credentials; close one first");
        res.set(http::field::retry_after, "5");
        co_await ex.respond(std::move(res));
        co_return;
    }

    // This server sends nothing unprompted yet (no list changes, no server requests), so the
    // stream carries only keep-alives until the client, a drain or its lifetime ends it; the
    // client then opens another if it still wants one.
    ex.set_log_method("(server stream)");
    auto head = event_stream_head(req);
    head.keep_alive(false);
    co_await ex.open_stream(std::move(head));
    auto const ends_at = std::chrono::steady_clock::now() + settings_.stream_max_lifetime;
    for (;;) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(ends_at - std::chrono::steady_clock::now());
        if (ex.stream_broken() || ex.draining() || left.count() <= 0) break;
        co_await ex.idle_wait(std::min<std::chrono::milliseconds>(server_stream_keepalive, left));
        if (ex.stream_broken() || ex.draining() || std::chrono::steady_clock::now() >= ends_at) break;
        co_await ex.write_chunk(": keep-alive\n\n");
    }
    co_await ex.close_stream();
}

}  // namespace justifi::server
