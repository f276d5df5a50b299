#include "server/http_transport.hpp"

#include "auth/auth_stage.hpp"
#include "server/encoding.hpp"
#include "server/jsonrpc.hpp"
#include "server/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <chrono>
#include <tuple>

namespace justifi {
namespace {

namespace http = beast::http;
namespace json = boost::json;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t header_limit_bytes = 16 * 1024;
// Intermediaries (and the ALB) drop streams that stay silent; a comment line keeps them open.
constexpr std::chrono::seconds server_stream_keepalive{15};
constexpr std::size_t remembered_sessions = 10'000;

using request_type = http::request<http::string_body>;

std::string new_request_id() { return encoding::hex_encode(encoding::random_bytes(8)); }

std::string_view header(request_type const& req, std::string_view name)
{
    auto const it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

std::string supported_list()
{
    std::string out;
    for (auto const v : mcp::supported_versions) out += (out.empty() ? "" : ", ") + std::string(v);
    return out;
}

}  // namespace

// Log levels set with logging/setLevel, per session. The session token stays stateless;
// this is a bounded, per-process memory of a preference, lost harmlessly on eviction.
class http_transport::session_states {
public:
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

struct http_transport::connection {
    beast::tcp_stream stream;
    asio::steady_timer wake;  // what a server stream waits on between keep-alives
    bool idle = true;         // between requests; only touched on the connection's strand

    explicit connection(tcp::socket socket) : stream(std::move(socket)), wake(stream.get_executor()) {}

    // Runs on the connection's strand when the server starts draining.
    void drain()
    {
        wake.cancel();
        if (idle) stream.cancel();
    }
};

namespace {

// The SSE side of one POST: opened when the first notification arrives before the response.
class post_stream final : public mcp::notification_sink {
public:
    post_stream(beast::tcp_stream& stream, request_type const& req, config::settings const& settings,
                std::string const& request_id)
        : stream_(stream), req_(req), settings_(settings), request_id_(request_id)
    {
    }

    bool opened() const { return opened_; }
    bool broken() const { return broken_; }

    asio::awaitable<void> send(json::object message) override { co_await write_event(json::serialize(message)); }

    asio::awaitable<void> write_event(std::string const& data)
    {
        if (broken_) co_return;
        if (!opened_) co_await open();
        std::string event = "event: message\ndata: " + data + "\n\n";
        stream_.expires_after(settings_.write_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, http::make_chunk(asio::buffer(event)), use_tuple);
        // A client that went away does not cancel the call; the spec says so.
        if (ec) broken_ = true;
    }

    asio::awaitable<void> open()
    {
        opened_ = true;
        http::response<http::empty_body> res{http::status::ok, req_.version()};
        res.set(http::field::content_type, "text/event-stream");
        res.set(http::field::cache_control, "no-cache");
        res.set("X-Accel-Buffering", "no");
        res.set("X-Request-Id", request_id_);
        res.keep_alive(req_.keep_alive());
        res.chunked(true);
        http::response_serializer<http::empty_body> serializer{res};
        stream_.expires_after(settings_.write_timeout);
        auto [ec, n] = co_await http::async_write_header(stream_, serializer, use_tuple);
        if (ec) broken_ = true;
    }

    asio::awaitable<void> close()
    {
        if (broken_) co_return;
        if (!opened_) co_await open();
        stream_.expires_after(settings_.write_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, http::make_chunk_last(), use_tuple);
        if (ec) broken_ = true;
    }

private:
    beast::tcp_stream& stream_;
    request_type const& req_;
    config::settings const& settings_;
    std::string const& request_id_;
    bool opened_ = false;
    bool broken_ = false;
};

http::response<http::string_body> make_response(request_type const& req, http::status status,
                                                std::string_view content_type, std::string body)
{
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http::response<http::string_body> rpc_error_response(request_type const& req, http::status status, int code,
                                                     std::string_view message, json::value id = nullptr)
{
    return make_response(req, status, "application/json", json::serialize(jsonrpc::make_error(id, code, message)));
}

}  // namespace

http_transport::http_transport(asio::io_context& io, config::settings const& settings, mcp::dispatcher& dispatcher,
                               session_codec const& sessions)
    : io_(io),
      settings_(settings),
      dispatcher_(dispatcher),
      sessions_(sessions),
      origin_policy_(http_rules::default_policy(settings.host, settings.public_url, settings.allowed_origins,
                                                settings.allowed_hosts)),
      acceptor_(asio::make_strand(io)),
      session_states_(std::make_shared<session_states>())
{
}

boost::system::result<tcp::endpoint> http_transport::listen()
{
    boost::system::error_code ec;
    auto const address = asio::ip::make_address(settings_.host, ec);
    if (ec) return ec;
    tcp::endpoint const endpoint{address, settings_.port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    return acceptor_.local_endpoint();
}

void http_transport::start()
{
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);  // a bug in the accept loop is fatal
    });
}

void http_transport::begin_drain()
{
    if (draining_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
    std::lock_guard lock(connections_mutex_);
    for (auto const& [id, conn] : connections_) asio::post(conn->stream.get_executor(), [conn] { conn->drain(); });
}

asio::awaitable<void> http_transport::accept_loop()
{
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            // Out of descriptors and the like: back off instead of spinning.
            log::error("accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto const executor = socket.get_executor();
        if (open_connections_.load() >= settings_.max_connections) {
            asio::co_spawn(executor, refuse_over_capacity(std::move(socket)), asio::detached);
            continue;
        }
        asio::co_spawn(executor, serve(std::move(socket)), [](std::exception_ptr e) {
            // One bad connection must never take the process down.
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& ex) {
                log::error("connection ended by an exception", {{"error", ex.what()}});
            } catch (...) {
                log::error("connection ended by an unknown exception");
            }
        });
    }
}

asio::awaitable<void> http_transport::refuse_over_capacity(tcp::socket socket)
{
    beast::tcp_stream stream(std::move(socket));
    static constexpr std::string_view busy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
        "Connection: close\r\nContent-Length: 37\r\n\r\nServer at its connection limit; retry";
    stream.expires_after(std::chrono::seconds(1));
    co_await asio::async_write(stream, asio::buffer(busy), use_tuple);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

struct http_transport::exchange {
    request_type& req;
    std::string request_id = new_request_id();
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    http::status status = http::status::ok;
    std::string rpc_method;
    bool keep_alive = true;
};

asio::awaitable<void> http_transport::serve(tcp::socket socket)
{
    auto conn = std::make_shared<connection>(std::move(socket));
    std::uint64_t id = 0;
    {
        std::lock_guard lock(connections_mutex_);
        id = next_connection_id_++;
        connections_.emplace(id, conn);
    }
    ++open_connections_;

    beast::flat_buffer buffer;
    for (;;) {
        conn->idle = true;
        if (draining_) break;
        if (buffer.size() == 0) {
            // Waiting for the next request: the idle deadline applies.
            conn->stream.expires_after(settings_.idle_timeout);
            auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(4096), use_tuple);
            if (ec) break;
            buffer.commit(n);
        }
        conn->idle = false;
        log::debug("request begun");

        // The request has begun: all of it must arrive within the header deadline.
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit_bytes);
        parser.body_limit(settings_.max_body_bytes);
        conn->stream.expires_after(settings_.header_timeout);
        auto [ec, n] = co_await http::async_read_header(conn->stream, buffer, parser, use_tuple);
        if (!ec && !parser.is_done()) {
            // curl and others wait for this before sending a larger body.
            if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                auto [wec, wn] = co_await asio::async_write(conn->stream, asio::buffer(go_on), use_tuple);
                ec = wec;
            }
            if (!ec) std::tie(ec, n) = co_await http::async_read(conn->stream, buffer, parser, use_tuple);
        }
        if (ec) {
            request_type bare;
            bare.version(11);
            exchange ex{bare};
            ex.keep_alive = false;
            if (ec == http::error::body_limit) {
                co_await write(*conn, ex, rpc_error_response(bare, http::status::payload_too_large, jsonrpc::invalid_request,
                                                            "Payload Too Large: request body exceeds " +
                                                                std::to_string(settings_.max_body_bytes) + " bytes"));
                co_await discard_unread_input(*conn);
            } else if (ec == http::error::header_limit) {
                co_await write(*conn, ex, make_response(bare, http::status::request_header_fields_too_large,
                                                        "text/plain", "Request headers too large"));
            } else if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
                       ec != http::error::end_of_stream && ec != http::error::partial_message) {
                co_await write(*conn, ex, make_response(bare, http::status::bad_request, "text/plain",
                                                        "Bad Request: malformed HTTP (" + ec.message() + ")"));
            }
            break;
        }
        exchange ex{parser.get()};
        if (!co_await respond(*conn, ex)) break;
    }

    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    {
        std::lock_guard lock(connections_mutex_);
        connections_.erase(id);
    }
    --open_connections_;
}

asio::awaitable<void> http_transport::discard_unread_input(connection& conn)
{
    // Closing a socket with unread input makes the kernel send a reset, which can destroy
    // the error response before the client reads it; so read a bounded amount away first.
    boost::system::error_code ignored;
    conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn.stream.expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> sink;
    for (std::size_t total = 0; total < 8 * settings_.max_body_bytes;) {
        auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) break;
        total += n;
    }
}

asio::awaitable<void> http_transport::write(connection& conn, exchange& ex, http::response<http::string_body> res)
{
    ex.status = res.result();
    if (!ex.keep_alive || draining_) res.keep_alive(false);
    ex.keep_alive = res.keep_alive();
    res.set("X-Request-Id", ex.request_id);
    conn.stream.expires_after(settings_.write_timeout);
    auto [ec, n] = co_await http::async_write(conn.stream, res, use_tuple);
    if (ec) ex.keep_alive = false;
}

asio::awaitable<bool> http_transport::respond(connection& conn, exchange& ex)
{
    auto& req = ex.req;
    ex.keep_alive = req.keep_alive();
    auto const route = http_rules::match(req.target(), req.method_string());

    if (route.target == http_rules::route::not_found) {
        co_await write(conn, ex, make_response(req, http::status::not_found, "text/plain",
                                               "Not Found: the MCP endpoint is /mcp (or /), health is /health"));
    } else if (!route.method_allowed) {
        // DELETE on the MCP endpoint would end a session; ours are self-contained signed
        // tokens that expire on their own, with no per-replica state to end (the spec's 405).
        bool const ends_session = route.target == http_rules::route::mcp && req.method() == http::verb::delete_;
        auto res = make_response(req, http::status::method_not_allowed, "text/plain",
                                 ends_session ? "Method Not Allowed: sessions cannot be terminated; they expire on their own"
                                              : "Method Not Allowed: use " + std::string(route.allow));
        res.set(http::field::allow, route.allow);
        co_await write(conn, ex, std::move(res));
    } else if (route.target == http_rules::route::health) {
        // No auth and no upstream call: the load balancer probes this every few seconds.
        auto res = draining_ ? make_response(req, http::status::service_unavailable, "text/plain", "draining")
                             : make_response(req, http::status::ok, "text/plain", "OK");
        if (req.method() == http::verb::head) {
            auto const length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        co_await write(conn, ex, std::move(res));
    } else if (auto refusal = http_rules::check_origin_and_host(origin_policy_, header(req, "Origin"),
                                                                header(req, "Host"))) {
        co_await write(conn, ex, rpc_error_response(req, http::status::forbidden, jsonrpc::server_error, *refusal));
    } else if (req.method() == http::verb::post) {
        co_await post_message(conn, ex);
    } else {
        co_await open_server_stream(conn, ex);
    }

    auto const elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ex.started);
    log::info("request", {{"request_id", ex.request_id},
                          {"http_method", req.method_string()},
                          {"path", req.target().substr(0, req.target().find('?'))},
                          {"method", ex.rpc_method.empty() ? json::value(nullptr) : json::value(ex.rpc_method)},
                          {"status", static_cast<int>(ex.status)},
                          {"duration_us", static_cast<std::int64_t>(elapsed.count())}});
    co_return ex.keep_alive && !draining_;
}

asio::awaitable<std::shared_ptr<mcp::session_state>> http_transport::require_session(connection& conn, exchange& ex)
{
    auto const session_id = header(ex.req, "Mcp-Session-Id");
    if (session_id.empty()) {
        co_await write(conn, ex, rpc_error_response(ex.req, http::status::bad_request, jsonrpc::server_error,
                                                    "Bad Request: Mcp-Session-Id header is required; "
                                                    "send initialize first"));
        co_return nullptr;
    }
    auto const claims = sessions_.verify(session_id, std::chrono::system_clock::now());
    if (!claims) {
        // Unknown, forged and expired sessions all get 404: the client starts a new one.
        co_await write(conn, ex, rpc_error_response(ex.req, http::status::not_found, jsonrpc::server_error,
                                                    "Session not found: " + claims.error().message()));
        co_return nullptr;
    }
    co_return session_states_->get(std::string(session_id));
}

asio::awaitable<void> http_transport::post_message(connection& conn, exchange& ex)
{
    auto& req = ex.req;
    auto const authorization = header(req, "Authorization");
    auto auth_outcome = co_await auth::authenticate({authorization, header(req, "X-Client-Id"),
                                                     header(req, "X-Client-Secret")});
    if (auto const* rejected = std::get_if<auth::rejection>(&auth_outcome)) {
        auto res = rpc_error_response(req, http::status::unauthorized, jsonrpc::server_error,
                                      "Unauthorized: " + rejected->description);
        res.set(http::field::www_authenticate,
                "Bearer error=\"invalid_request\", error_description=\"" + rejected->description + "\"");
        co_await write(conn, ex, std::move(res));
        co_return;
    }
    if (!http_rules::accepts(header(req, "Accept"), {"application/json", "text/event-stream"})) {
        co_await write(conn, ex, rpc_error_response(req, http::status::not_acceptable, jsonrpc::server_error,
                                                    "Not Acceptable: Accept must include both application/json "
                                                    "and text/event-stream"));
        co_return;
    }
    if (!http_rules::is_json_content_type(header(req, "Content-Type"))) {
        co_await write(conn, ex, rpc_error_response(req, http::status::unsupported_media_type, jsonrpc::server_error,
                                                    "Unsupported Media Type: Content-Type must be application/json"));
        co_return;
    }
    if (auto const version = header(req, "MCP-Protocol-Version");
        !version.empty() && !mcp::is_supported_version(version)) {
        co_await write(conn, ex, rpc_error_response(req, http::status::bad_request, jsonrpc::server_error,
                                                    "Bad Request: unsupported MCP-Protocol-Version \"" +
                                                        std::string(version) + "\"; supported: " + supported_list()));
        co_return;
    }

    auto decoded = jsonrpc::decode(req.body());
    if (auto const* err = std::get_if<jsonrpc::error>(&decoded)) {
        co_await write(conn, ex, rpc_error_response(req, http::status::bad_request, err->code, err->message, err->id));
        co_return;
    }
    auto& message = std::get<jsonrpc::message>(decoded);
    auto const* request = std::get_if<jsonrpc::request>(&message);
    if (auto const* note = std::get_if<jsonrpc::notification>(&message)) ex.rpc_method = note->method;
    if (request) ex.rpc_method = request->method;
    bool const is_initialize = request && request->method == "initialize";

    mcp::request_context context;
    context.auth = std::move(std::get<auth::auth_context>(auth_outcome));
    context.request_id = ex.request_id;
    if (!is_initialize) {
        context.session = co_await require_session(conn, ex);
        if (!context.session) co_return;
        context.session_key = header(req, "Mcp-Session-Id");
    }

    if (!request) {
        // Notifications and responses: act on them, answer 202 with no body.
        co_await dispatcher_.handle(std::move(message), std::move(context));
        auto res = make_response(req, http::status::accepted, "text/plain", "");
        res.erase(http::field::content_type);
        co_await write(conn, ex, std::move(res));
        co_return;
    }

    post_stream stream(conn.stream, req, settings_, ex.request_id);
    context.sink = &stream;
    auto response = co_await dispatcher_.handle(std::move(message), std::move(context));

    if (stream.opened()) {
        // Notifications went out first, so the answer continues the event stream.
        if (response) co_await stream.write_event(json::serialize(*response));
        co_await stream.close();
        ex.status = http::status::ok;
        ex.keep_alive = ex.keep_alive && !stream.broken();
        co_return;
    }
    if (!response) {
        // Cancelled by the client: there is nothing to say; an empty stream ends the exchange.
        co_await stream.close();
        ex.keep_alive = ex.keep_alive && !stream.broken();
        co_return;
    }
    auto res = make_response(req, http::status::ok, "application/json", json::serialize(*response));
    if (is_initialize && response->contains("result")) {
        auto const& version = response->at("result").at("protocolVersion").as_string();
        res.set("Mcp-Session-Id", sessions_.issue(version, std::chrono::system_clock::now()));
    }
    co_await write(conn, ex, std::move(res));
}

asio::awaitable<void> http_transport::open_server_stream(connection& conn, exchange& ex)
{
    auto& req = ex.req;
    if (!http_rules::accepts(header(req, "Accept"), {"text/event-stream"})) {
        co_await write(conn, ex, rpc_error_response(req, http::status::not_acceptable, jsonrpc::server_error,
                                                    "Not Acceptable: Accept must include text/event-stream"));
        co_return;
    }
    if (auto const version = header(req, "MCP-Protocol-Version");
        !version.empty() && !mcp::is_supported_version(version)) {
        co_await write(conn, ex, rpc_error_response(req, http::status::bad_request, jsonrpc::server_error,
                                                    "Bad Request: unsupported MCP-Protocol-Version \"" +
                                                        std::string(version) + "\"; supported: " + supported_list()));
        co_return;
    }
    if (!co_await require_session(conn, ex)) co_return;

    // This server sends nothing unprompted yet (no list changes, no server requests),
    // so the stream carries only keep-alives until the client or a drain ends it.
    post_stream stream(conn.stream, req, settings_, ex.request_id);
    co_await stream.open();
    ex.status = http::status::ok;
    ex.rpc_method = "(server stream)";
    conn.idle = true;  // a drain may end it at any moment
    while (!stream.broken() && !draining_) {
        conn.wake.expires_after(server_stream_keepalive);
        co_await conn.wake.async_wait(use_tuple);
        if (draining_) break;
        static std::string const keepalive = ": keep-alive\n\n";
        conn.stream.expires_after(settings_.write_timeout);
        auto [wec, n] = co_await asio::async_write(conn.stream, http::make_chunk(asio::buffer(keepalive)), use_tuple);
        if (wec) break;
    }
    conn.idle = false;
    co_await stream.close();
    ex.keep_alive = false;
}

}  // namespace justifi
