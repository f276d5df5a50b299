#include "client/justifi_client.hpp"

#include "client/call_policy.hpp"
#include "core/encoding.hpp"
#include "core/json_text.hpp"
#include "net/web_address.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cmath>
#include <cctype>

namespace justifi::client {
namespace {

struct client_category final : boost::system::error_category {
    char const* name() const noexcept override { return "justifi-client"; }
    std::string message(int ev) const override
    {
        switch (static_cast<client_error>(ev)) {
        case client_error::no_credentials: return "no JustiFi credentials for this call (a bearer token or client credentials)";
        case client_error::invalid_header_value: return "a header value contains a control character";
        case client_error::connect_failed: return "could not connect to the JustiFi API";
        case client_error::tls_failed: return "TLS handshake with the JustiFi API failed (certificate not trusted?)";
        case client_error::timed_out: return "the JustiFi API did not answer before the deadline";
        case client_error::connection_lost: return "the connection to the JustiFi API was lost";
        case client_error::bad_response: return "the JustiFi API answered with something that is not JSON";
        case client_error::token_request_failed: return "JustiFi did not issue an access token (it failed to answer)";
        case client_error::credentials_refused: return "JustiFi refused these client credentials";
        case client_error::token_budget_exhausted:
            return "too many new client credentials are being checked with JustiFi at once; retry in a second";
        case client_error::exchange_refused:
            return "the authorization server refused to exchange the access token for a JustiFi token";
        case client_error::exchange_scope_refused:
            return "the authorization server refused a JustiFi token with the scopes this tool needs";
        case client_error::exchange_unavailable:
            return "the authorization server could not exchange the access token now";
        }
        return "unknown JustiFi client error";
    }
};

core::refusal bad_base_url(std::string message) { return core::refuse(core::errc::invalid_config, std::move(message)); }
core::refusal bad_path_argument(std::string message)
{
    return core::refuse(core::errc::invalid_arguments, std::move(message));
}

}  // namespace

boost::system::error_code make_error_code(client_error e) noexcept
{
    static client_category const category;
    return {static_cast<int>(e), category};
}

bool is_safe_header_value(std::string_view value)
{
    return std::none_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

core::outcome<std::string> normalise_base_url(std::string_view text)
{
    auto const absolute = boost::urls::parse_absolute_uri(text);
    if (!absolute) return bad_base_url("JUSTIFI_BASE_URL must be an absolute URL such as https://api.justifi.ai");
    auto const scheme = core::encoding::ascii_lower(absolute->scheme());
    if (scheme != "http" && scheme != "https") return bad_base_url("JUSTIFI_BASE_URL must be an https:// URL");
    if (!absolute->has_authority() || absolute->encoded_host().empty()) return bad_base_url("JUSTIFI_BASE_URL must name a host");
    auto const url = net::parse_web_url(text);
    if (!url) return bad_base_url("JUSTIFI_BASE_URL has a host this parser cannot read");
    if (url->has_extras) return bad_base_url("JUSTIFI_BASE_URL must not carry user info, a query or a fragment");
    // Decided on the parsed address: http://127.evil.example is a remote host like any other.
    if (scheme == "http" && !net::is_loopback_host(url->host))
        return bad_base_url("JUSTIFI_BASE_URL may use plain http:// only for a loopback host (the simulator); use https://");
    std::string path = url->path;
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.ends_with("/v1")) path.resize(path.size() - 3);
    while (!path.empty() && path.back() == '/') path.pop_back();
    return url->origin() + path;
}

auth::credential_verdict credential_verdict_of(boost::system::error_code const& check_failure)
{
    if (!check_failure) return auth::credential_verdict::accepted;
    if (check_failure == client_error::credentials_refused) return auth::credential_verdict::refused;
    if (check_failure == client_error::token_budget_exhausted) return auth::credential_verdict::busy;
    return auth::credential_verdict::unavailable;
}

bool is_justifi_id(std::string_view value)
{
    return !value.empty() && value.size() <= 128 &&
           std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

core::outcome<std::string> build_path(std::string_view path_template, json::object const& arguments)
{
    std::string out;
    for (std::size_t i = 0; i < path_template.size();) {
        auto const open = path_template.find('{', i);
        if (open == std::string_view::npos) {
            out.append(path_template.substr(i));
            break;
        }
        out.append(path_template.substr(i, open - i));
        auto const close = path_template.find('}', open);
        auto const name = path_template.substr(open + 1, close - open - 1);
        auto const* value = arguments.if_contains(name);
        if (!value || !value->is_string())
            return bad_path_argument("argument \"" + std::string(name) + "\" is required (a JustiFi id string)");
        auto const& id = value->as_string();
        if (!is_justifi_id(id))
            return bad_path_argument("argument \"" + std::string(name) +
                                     "\" must be a JustiFi id: 1-128 letters, digits, '_' or '-' (got a value with other characters)");
        out.append(id.data(), id.size());  // only unreserved characters: nothing to percent-encode
        i = close + 1;
    }
    return out;
}

json_shape check_json(std::string_view text)
{
    switch (core::json_text::check(text)) {
    case core::json_text::shape::object: return json_shape::object;
    case core::json_text::shape::other: return json_shape::other;
    case core::json_text::shape::invalid: break;
    }
    return json_shape::invalid;
}

}  // namespace justifi::client

// ---------------------------------------------------------------------------------------
// The client proper.

#include "net/http_fetch.hpp"
#include "net/stream.hpp"
#include "client/token_cache.hpp"
#include "core/log.hpp"
#include "version.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>

namespace justifi::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

using core::use_tuple;
constexpr std::size_t upstream_read_size = 64 * 1024;  // Beast's most per read

// One keep-alive connection to the API host, plain (the simulator on loopback) or TLS.
struct upstream_connection {
    upstream_connection(asio::any_io_executor const& executor, std::shared_ptr<ssl::context> tls)
        : stream(executor, std::move(tls))
    {
    }
    net::plain_or_tls_stream stream;
    beast::flat_buffer buffer;
};

struct endpoint_parts {
    bool tls = true;
    std::string host;
    std::string port;
    std::string host_header;
    std::string path_prefix;  // a base URL may carry a path (a proxy); calls append to it
};

endpoint_parts split_base(std::string const& base)
{
    auto const url = boost::urls::parse_absolute_uri(base).value();
    endpoint_parts parts;
    parts.tls = url.scheme() == "https";
    parts.host = std::string(url.encoded_host());
    if (parts.host.size() > 2 && parts.host.front() == '[') parts.host = parts.host.substr(1, parts.host.size() - 2);
    parts.port = url.has_port() ? std::string(url.port()) : (parts.tls ? "443" : "80");
    parts.host_header = std::string(url.encoded_host_and_port());
    parts.path_prefix = std::string(url.encoded_path());
    return parts;
}

std::string new_idempotency_key()
{
    // A random (version 4) UUID.
    auto bytes = core::encoding::random_bytes(16);
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
    auto const hex = core::encoding::hex_encode(bytes);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string encode_query(std::vector<std::pair<std::string, std::string>> const& query)
{
    std::string out;
    for (auto const& [name, value] : query) {
        out += out.empty() ? "?" : "&";
        out += boost::urls::encode(name, boost::urls::unreserved_chars);
        out += "=";
        out += boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return out;
}

// What an attempt came to, as the call policy reads it.
attempt_outcome outcome_of(boost::system::result<http::response<http::string_body>> const& res)
{
    if (!res) return {res.error(), 0, std::nullopt};
    auto const it = res->find(http::field::retry_after);
    return {{}, static_cast<int>(res->result_int()), it == res->end() ? std::nullopt : parse_retry_after(it->value())};
}

std::chrono::milliseconds time_until(clock_type::time_point deadline)
{
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()));
}

}  // namespace

struct justifi_client::impl : std::enable_shared_from_this<justifi_client::impl> {
    asio::any_io_executor executor;
    client_settings settings;
    endpoint_parts endpoint;
    std::shared_ptr<ssl::context> tls_context;  // made by the first TLS connection (tls())
    std::mutex pool_mutex;
    std::deque<std::unique_ptr<upstream_connection>> idle;
    std::unique_ptr<token_cache> tokens;
    std::unique_ptr<token_exchanger> exchanger;  // JUSTIFI_UPSTREAM_AUTH=exchange only
    std::mt19937_64 jitter{std::random_device{}()};
    std::mutex jitter_mutex;

    impl(asio::any_io_executor ex, client_settings s) : executor(std::move(ex)), settings(std::move(s))
    {
        endpoint = split_base(settings.base_url);
    }

    // Made by the first TLS connection: the context (OpenSSL's setup, about 4 ms, was most of a
    // stdio process's time to its initialize answer) and the trust store (a few megabytes once
    // parsed), so an idle process, or one talking to a loopback simulator, carries neither.
    std::once_flag tls_made;
    std::shared_ptr<ssl::context> const& tls()
    {
        std::call_once(tls_made, [this] {
            tls_context = net::make_client_context();
            // JUSTIFI_CA_FILE instead of the system store, when set.
            auto const ec = net::load_trust(*tls_context, settings.ca_file, false);
            if (ec)
                core::log::warning("could not load CA certificates", {{"error", ec.message()}, {"ca_file", settings.ca_file}});
        });
        return tls_context;
    }

    std::unique_ptr<upstream_connection> take_idle()
    {
        std::lock_guard lock(pool_mutex);
        while (!idle.empty()) {
            auto conn = std::move(idle.front());
            idle.pop_front();
            if (conn->stream.tcp_layer().socket().is_open()) return conn;
        }
        return nullptr;
    }

    void shrink_idle_buffers()
    {
        std::lock_guard lock(pool_mutex);
        for (auto& conn : idle)
            if (conn->buffer.size() == 0) conn->buffer.shrink_to_fit();
    }

    void give_back(std::unique_ptr<upstream_connection> conn)
    {
        std::lock_guard lock(pool_mutex);
        if (idle.size() < settings.max_idle_connections_per_host) idle.push_back(std::move(conn));
    }

    // Where in its backoff window a retry falls; the random source is shared by all calls.
    double next_jitter()
    {
        std::lock_guard lock(jitter_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(jitter);
    }

    call_policy new_policy(bool token_refreshable) const
    {
        return call_policy({settings.max_attempts, settings.first_backoff}, token_refreshable);
    }

    asio::awaitable<boost::system::result<std::unique_ptr<upstream_connection>>> connect(clock_type::time_point deadline)
    {
        auto results = co_await net::resolve_before(executor, endpoint.host, endpoint.port, deadline);
        if (!results) {
            auto const timed_out = results.error() == boost::system::errc::timed_out;
            co_return make_error_code(timed_out ? client_error::timed_out : client_error::connect_failed);
        }
        std::shared_ptr<ssl::context> const tls = endpoint.tls ? this->tls() : nullptr;
        auto conn = std::make_unique<upstream_connection>(executor, tls);
        auto& tcp_layer = conn->stream.tcp_layer();
        tcp_layer.expires_at(deadline);
        auto [cec, ep] = co_await tcp_layer.async_connect(*results, use_tuple);
        if (cec) co_return make_error_code(cec == beast::error::timeout ? client_error::timed_out : client_error::connect_failed);
        tcp_layer.socket().set_option(tcp::no_delay(true), cec);
        if (conn->stream.is_tls()) {
            // SNI, and the certificate must name the host we asked for.
            if (!net::expect_peer(conn->stream.tls(), endpoint.host)) co_return make_error_code(client_error::tls_failed);
            auto [hec] = co_await conn->stream.tls().async_handshake(ssl::stream_base::client, use_tuple);
            if (hec) {
                core::log::warning("TLS handshake with JustiFi failed", {{"host", endpoint.host}, {"error", hec.message()}});
                co_return make_error_code(hec == beast::error::timeout ? client_error::timed_out : client_error::tls_failed);
            }
        }
        co_return conn;
    }

    static asio::awaitable<boost::system::error_code> exchange_on(net::plain_or_tls_stream& stream, beast::flat_buffer& buffer,
                                                                   http::request<http::string_body>& req,
                                                                   http::response<http::string_body>& res)
    {
        auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
        if (wec) co_return wec;
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        // Beast reads at most the buffer's free capacity (at least 512 bytes) at a time, and an
        // empty flat_buffer never grows past that: a 40 KB list took 80 reads. One does now.
        buffer.reserve(upstream_read_size);
        auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (rec) co_return rec;
        res = parser.release();
        co_return boost::system::error_code{};
    }

    // One HTTP exchange on a pooled (or new) connection. A pooled connection the server
    // has closed meanwhile is detected and replaced once, without counting as a retry.
    asio::awaitable<boost::system::result<http::response<http::string_body>>> send_once(
        http::request<http::string_body>& req, clock_type::time_point deadline)
    {
        for (int fresh_try = 0; fresh_try < 2; ++fresh_try) {
            auto conn = fresh_try == 0 ? take_idle() : nullptr;
            bool const reused = conn != nullptr;
            if (!conn) {
                auto connected = co_await connect(deadline);
                if (!connected) co_return connected.error();
                conn = std::move(*connected);
            }
            conn->stream.expires_at(deadline);
            http::response<http::string_body> res;
            boost::system::error_code ec;
            if (req.method() == http::verb::get) {
                ec = co_await exchange_on(conn->stream, conn->buffer, req, res);
            } else {
                // A write, once it starts, runs to JustiFi's answer even if the call is cancelled
                // (a client closing its stream): cut off mid-way its outcome would be unknown;
                // finished, it is settled under its Idempotency-Key and only its answer is dropped.
                auto exchange = exchange_on(conn->stream, conn->buffer, req, res);
                auto const executor = co_await asio::this_coro::executor;
                ec = co_await asio::co_spawn(executor, std::move(exchange), core::use_awaitable_uncancelled());
            }
            if (!ec) {
                if (res.keep_alive()) give_back(std::move(conn));
                co_return res;
            }
            if (ec == beast::error::timeout) co_return make_error_code(client_error::timed_out);
            if (!reused) co_return make_error_code(client_error::connection_lost);
            // A stale keep-alive connection: try once more on a new one.
        }
        co_return make_error_code(client_error::connection_lost);
    }

    http::request<http::string_body> make_request(http::verb method, std::string const& target,
                                                  std::optional<json::value> const& body) const
    {
        http::request<http::string_body> req{method, endpoint.path_prefix + target, 11};
        req.set(http::field::host, endpoint.host_header);
        req.set(http::field::user_agent, std::string("justifi-mcp/") + core::server_version);
        req.set(http::field::accept, "application/json");
        req.keep_alive(true);
        if (body) {
            req.set(http::field::content_type, "application/json");
            req.body() = json::serialize(*body);
        }
        req.prepare_payload();
        return req;
    }

    asio::awaitable<boost::system::result<issued_token>> fetch_token(auth::client_credentials const& credentials)
    {
        auto const deadline = clock_type::now() + settings.call_timeout;
        auto req = make_request(http::verb::post, "/oauth/token",
                                json::object{{"client_id", credentials.client_id}, {"client_secret", credentials.client_secret}});
        auto policy = new_policy(false);
        for (;;) {
            auto res = co_await send_once(req, deadline);
            auto const decision = policy.after(outcome_of(res), time_until(deadline), next_jitter());
            if (decision.step == call_step::send_again) {
                co_await wait(decision.pause);
                continue;
            }
            if (!res) co_return res.error();
            if (res->result_int() != 200) {
                auto const status = res->result_int();
                bool const refused = status == 400 || status == 401 || status == 403;
                // The id is logged only as far as a client id goes: the auth stage admits no other.
                core::log::warning(refused ? "JustiFi refused the client credentials" : "JustiFi did not issue a token",
                                   {{"status", status}, {"client_id", credentials.client_id.substr(0, 128)}});
                co_return make_error_code(refused ? client_error::credentials_refused : client_error::token_request_failed);
            }
            boost::system::error_code pec;
            auto const body = json::parse(res->body(), pec);
            auto const* token = !pec && body.is_object() ? body.as_object().if_contains("access_token") : nullptr;
            if (!token || !token->is_string() || token->as_string().empty())
                co_return make_error_code(client_error::token_request_failed);
            issued_token out{std::string(token->as_string())};
            if (auto const* ttl = body.as_object().if_contains("expires_in"); ttl && ttl->is_number()) {
                // Clamped: 1e300 (or years) would overflow the conversion and the clock arithmetic;
                // and Boost.JSON reads 0e+320 as NaN, which no clamp catches.
                auto const said = ttl->to_number<double>();
                if (std::isfinite(said)) {
                    auto const seconds = std::clamp(said, 0.0, 30.0 * 24 * 3600);
                    out.expires_in = std::chrono::seconds(static_cast<long long>(seconds));
                }
            }
            co_return out;
        }
    }

    // The policy already kept the pause inside the call's deadline.
    asio::awaitable<void> wait(std::chrono::milliseconds duration)
    {
        asio::steady_timer timer(co_await asio::this_coro::executor, duration);
        co_await timer.async_wait(use_tuple);
    }
};

justifi_client::justifi_client(asio::any_io_executor executor, client_settings settings)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(settings)))
{
    auto* self = impl_.get();
    impl_->tokens = std::make_unique<token_cache>(
        impl_->executor, [self](auth::client_credentials const& c) { return self->fetch_token(c); },
        impl_->settings.tokens, impl_->settings.metrics);
    if (impl_->settings.exchange)
        impl_->exchanger = std::make_unique<token_exchanger>(impl_->executor, *impl_->settings.exchange,
                                                             impl_->settings.tokens, impl_->settings.metrics);
}

asio::awaitable<boost::system::error_code> justifi_client::check_credentials(auth::client_credentials const& credentials)
{
    auto const self = impl_;
    auto const token = co_await self->tokens->get_or_refresh(credentials);
    co_return token ? boost::system::error_code{} : token.error();
}

justifi_client::~justifi_client() = default;

client_settings const& justifi_client::settings() const { return impl_->settings; }

std::size_t justifi_client::cached_credentials() const { return impl_->tokens->size(); }

std::size_t justifi_client::cached_exchanges() const { return impl_->exchanger ? impl_->exchanger->size() : 0; }

void justifi_client::release_idle_memory() { impl_->shrink_idle_buffers(); }

asio::awaitable<boost::system::result<call_response>> justifi_client::call(call_request request,
                                                                           auth::auth_context const& auth)
{
    // Recorded on the way out, also when the call is cancelled mid-way (it then ends by an exception).
    struct recording {
        core::metrics::registry* recorder;
        clock_type::time_point started = clock_type::now();
        std::string status = "0";  // no answer
        ~recording()
        {
            if (!recorder) return;
            recorder->add(core::metrics::upstream_requests_total, {status});
            recorder->observe(core::metrics::upstream_duration, {}, clock_type::now() - started);
        }
    } record{impl_->settings.metrics};
    auto outcome = co_await perform(std::move(request), auth);
    if (outcome) record.status = std::to_string(outcome->status);
    co_return outcome;
}

asio::awaitable<boost::system::result<call_response>> justifi_client::perform(call_request request,
                                                                              auth::auth_context const& auth)
{
    auto const self = impl_;  // keeps the pool alive across the awaits
    auto const deadline = clock_type::now() + self->settings.call_timeout;
    if (!request.sub_account.empty() && !is_safe_header_value(request.sub_account))
        co_return make_error_code(client_error::invalid_header_value);

    auto req = self->make_request(request.method, request.path + encode_query(request.query), request.body);
    if (!request.sub_account.empty()) req.set("Sub-Account", request.sub_account);
    // One key for the whole call: a retried payment is recognised, never charged twice.
    if (request.method != http::verb::get)
        req.set("Idempotency-Key", request.idempotency_key.empty() ? new_idempotency_key() : request.idempotency_key);
    if (request.trace) {
        req.set("traceparent", core::trace::child_traceparent(*request.trace, core::trace::new_span_id()));
        if (!request.trace->tracestate.empty()) req.set("tracestate", request.trace->tracestate);
    }

    auto const* bearer = std::get_if<auth::bearer_token>(&auth.credentials);
    auto const* credentials = std::get_if<auth::client_credentials>(&auth.credentials);
    if (!bearer && !credentials) co_return make_error_code(client_error::no_credentials);
    if (bearer && !is_safe_header_value(bearer->token)) co_return make_error_code(client_error::invalid_header_value);

    // In exchange mode the caller's token never leaves this server: JustiFi gets one issued for it.
    bool const exchanged = self->exchanger && bearer && auth.path == auth::auth_path::bearer_verified;
    if (self->exchanger && bearer && !exchanged) co_return make_error_code(client_error::exchange_refused);
    auto policy = self->new_policy(credentials != nullptr || exchanged);
    for (;;) {
        std::string token;
        if (exchanged) {
            auto issued = co_await self->exchanger->token_for(auth);
            if (!issued) co_return issued.error();
            token = std::move(*issued);
        } else if (bearer) {
            token = bearer->token;
        } else {
            auto cached = co_await self->tokens->get_or_refresh(*credentials);
            if (!cached) co_return cached.error();
            token = std::move(*cached);
        }
        req.set(http::field::authorization, "Bearer " + token);

        auto res = co_await self->send_once(req, deadline);
        auto const decision = policy.after(outcome_of(res), time_until(deadline), self->next_jitter());
        if (decision.step == call_step::refresh_token_then_send) {
            if (exchanged) co_await self->exchanger->forget(auth, token);
            else co_await self->tokens->invalidate(*credentials, token);
            continue;
        }
        if (decision.step == call_step::send_again) {
            core::log::debug("retrying JustiFi call", {{"trace_id", request.trace ? request.trace->trace_id : ""},
                                                       {"path", request.path},
                                                       {"attempt", policy.attempt() - 1},
                                                       {"status", res ? res->result_int() : 0}});
            co_await self->wait(decision.pause);
            continue;
        }
        if (!res) co_return res.error();

        call_response out;
        out.status = res->result_int();
        bool const success = out.status >= 200 && out.status < 300;
        if (request.object_as_text && success && !res->body().empty()) {
            switch (check_json(res->body())) {
            case json_shape::object: out.body_text = std::move(res->body()); co_return out;
            case json_shape::invalid: co_return make_error_code(client_error::bad_response);
            case json_shape::other: break;  // parsed below
            }
        }
        if (!res->body().empty()) {
            boost::system::error_code pec;
            out.body = json::parse(res->body(), pec);
            if (pec) {
                // Proxies and gateways answer errors in HTML or text; keep their words.
                if (out.status < 400) co_return make_error_code(client_error::bad_response);
                // Any bytes at all: only valid UTF-8 may go on into JSON.
                out.body = json::object{{"error", core::encoding::utf8_prefix(res->body(), 500)}};
            }
        }
        co_return out;
    }
}

}  // namespace justifi::client
