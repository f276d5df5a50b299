#include "net/http_server.hpp"

#include "net/stream.hpp"


#include "core/encoding.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <atomic>
#include <cstring>
#include <optional>
#include <tuple>

namespace justifi::net {
using core::errc;
namespace {

using core::use_tuple;

// Waits until the peer closes or sends something; stale readiness is waited out. A wait that
// is cancelled comes back as nothing_yet.
asio::awaitable<peer_reading> peer_acts(tcp::socket& socket)
{
    for (;;) {
        auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
        if (ec == asio::error::operation_aborted) co_return peer_reading::nothing_yet;
        if (ec) co_return peer_reading::closed;  // a reset
        if (auto const reading = peek_peer(socket); reading != peer_reading::nothing_yet) co_return reading;
    }
}

constexpr std::uint32_t header_limit_bytes = 16 * 1024;
// Sending close_notify is one small write; a peer that reads nothing must not hold a drain up.
constexpr auto tls_shutdown_timeout = std::chrono::seconds(1);
// An unread body this small is read away after an early answer, so the connection stays usable.
constexpr std::uint64_t small_unread_body_bytes = 16 * 1024;
// A spare probe slot waits this long for its one request.
constexpr auto probe_header_timeout = std::chrono::seconds(2);

using connection_stream = plain_or_tls_stream;

// Log correlation ids, 16 hex digits: a random start per process counted up, so ids stay
// unique across replicas without asking the DRBG (and its locks) on every request.
std::string new_request_id()
{
    static std::atomic<std::uint64_t> next = [] {
        std::uint64_t start = 0;
        auto const bytes = core::encoding::random_bytes(sizeof start);
        std::memcpy(&start, bytes.data(), sizeof start);
        return start;
    }();
    auto const id = next.fetch_add(1, std::memory_order_relaxed);
    char digits[16];
    for (int i = 15; i >= 0; --i) digits[15 - i] = "0123456789abcdef"[(id >> (4 * i)) & 0xf];
    return std::string(digits, sizeof digits);
}

}  // namespace

struct http_exchange::connection {
    connection_stream stream;
    asio::steady_timer wake;  // what a long-lived stream waits on
    bool idle = true;         // between requests, or parked in idle_wait; touched only on the strand
    std::chrono::steady_clock::time_point request_deadline;  // the current request's, from its first byte

    tcp::endpoint remote;  // read once: every request of the connection logs it

    connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls)
        : stream(std::move(socket), std::move(tls)), wake(stream.get_executor())
    {
        boost::system::error_code ignored;
        remote = stream.tcp_layer().socket().remote_endpoint(ignored);
    }

    // Runs on the connection's strand when the server starts draining.
    void drain()
    {
        wake.cancel();
        if (idle) stream.cancel();
    }

    // Runs on the connection's strand when a drain has run out of time: whatever the coroutine
    // awaits on this connection fails now, so it unwinds instead of being left suspended.
    void close_now()
    {
        wake.cancel();
        boost::system::error_code ignored;
        stream.tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.tcp_layer().socket().close(ignored);
    }
};

http::response<http::string_body> make_response(http::request<http::string_body> const& req, http::status status,
                                                std::string_view content_type, std::string body)
{
    http::response<http::string_body> res{status, req.version()};
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_exchange::http_exchange(parser_type& parser, beast::flat_buffer& buffer, connection& conn, http_server& server)
    : request(parser.get()),
      parser_(parser),
      buffer_(buffer),
      conn_(conn),
      server_(server),
      remote_(conn.remote),
      request_id_(new_request_id())
{
    keep_alive_ = request.keep_alive();
}

http_exchange::~http_exchange()
{
    if (body_bytes_reserved_) server_.release_body_bytes(body_bytes_reserved_);
}

bool http_exchange::draining() const { return server_.stopping(); }

bool http_exchange::body_settled() const { return parser_.is_done() || body_error_; }

asio::awaitable<boost::system::error_code> http_exchange::read_body()
{
    if (body_error_) co_return body_error_;
    if (parser_.is_done()) {
        body_read_ = true;
        co_return boost::system::error_code{};
    }
    auto const fail = [this](errc why) {
        body_error_ = why;
        keep_alive_ = false;
        return body_error_;
    };
    auto const limit = server_.settings_.max_body_bytes;
    auto const declared = parser_.content_length();
    if (declared && *declared > limit) co_return fail(errc::request_body_too_large);
    // A declared length is reserved whole; a chunked body in steps, ahead of what has arrived.
    constexpr std::size_t chunked_step = 64 * 1024;
    auto const reserve = [this](std::size_t bytes) {
        if (!server_.reserve_body_bytes(bytes)) return false;
        body_bytes_reserved_ += bytes;
        return true;
    };
    if (!reserve(declared ? static_cast<std::size_t>(*declared) : std::min(chunked_step, limit)))
        co_return fail(errc::request_bodies_over_budget);

    // The request's deadline began with its first byte; the handler's own work (a token check,
    // say) must not starve a client whose body is already on its way.
    auto const deadline = std::max(conn_.request_deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1));
    if (beast::iequals(request[http::field::expect], "100-continue")) {
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_.stream.expires_at(deadline);
        auto [wec, wn] = co_await asio::async_write(conn_.stream, asio::buffer(go_on), use_tuple);
        if (wec) co_return fail(errc::request_body_incomplete);
    }
    while (!parser_.is_done()) {
        conn_.stream.expires_at(deadline);
        auto [ec, n] = co_await http::async_read_some(conn_.stream, buffer_, parser_, use_tuple);
        if (ec == http::error::body_limit) co_return fail(errc::request_body_too_large);
        if (ec == http::error::end_of_stream || ec == http::error::partial_message)
            co_return fail(errc::request_body_incomplete);
        if (ec && ec.category() == make_error_code(http::error::end_of_stream).category())
            co_return fail(errc::request_body_malformed);
        if (ec) co_return fail(errc::request_body_incomplete);
        if (!declared)
            while (parser_.get().body().size() + chunked_step > body_bytes_reserved_ && body_bytes_reserved_ < limit)
                if (!reserve(chunked_step)) co_return fail(errc::request_bodies_over_budget);
    }
    body_read_ = true;
    co_return boost::system::error_code{};
}

asio::awaitable<void> http_exchange::respond(http::response<http::string_body> res)
{
    responded_ = true;
    // HEAD: the headers GET would have, Content-Length included, and no body.
    if (request.method() == http::verb::head && !res.body().empty()) {
        auto const length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    if (!body_settled()) {
        // Answered on its headers alone. A small body is read away after the answer so the
        // connection can carry the next request; a client waiting for 100 Continue may or may not
        // send its body now, and a large body is not worth reading: both end the connection.
        auto const remaining = parser_.content_length_remaining();
        bool const expects_continue = beast::iequals(request[http::field::expect], "100-continue");
        if (expects_continue || !remaining || *remaining > small_unread_body_bytes) keep_alive_ = false;
    }
    status_ = res.result();
    if (!keep_alive_ || draining()) res.keep_alive(false);
    keep_alive_ = res.keep_alive();
    res.set("X-Request-Id", request_id_);
    for (auto const& [name, value] : extra_headers_) res.set(name, value);
    conn_.stream.expires_after(server_.settings_.write_timeout);
    auto [ec, n] = co_await http::async_write(conn_.stream, res, use_tuple);
    if (ec) keep_alive_ = false;
}

asio::awaitable<void> http_exchange::write_and_close(std::string bytes)
{
    responded_ = true;
    keep_alive_ = false;
    status_ = static_cast<http::status>(0);  // the log says: no answer
    if (!bytes.empty()) {
        conn_.stream.expires_after(server_.settings_.write_timeout);
        // Whether the bytes arrive or not, the connection is closed next.
        [[maybe_unused]] auto [ec, n] = co_await asio::async_write(conn_.stream, asio::buffer(bytes), use_tuple);
    }
    boost::system::error_code ignored;
    conn_.stream.tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    conn_.stream.tcp_layer().socket().close(ignored);
}

asio::awaitable<bool> http_exchange::open_stream(http::response<http::empty_body> head)
{
    responded_ = true;
    stream_opened_ = true;
    status_ = head.result();
    head.set("X-Request-Id", request_id_);
    for (auto const& [name, value] : extra_headers_) head.set(name, value);
    // The handler may end the connection with the stream (a long-lived one does).
    keep_alive_ = keep_alive_ && head.keep_alive() && !draining();
    head.keep_alive(keep_alive_);
    head.chunked(true);
    http::response_serializer<http::empty_body> serializer{head};
    conn_.stream.expires_after(server_.settings_.write_timeout);
    auto [ec, n] = co_await http::async_write_header(conn_.stream, serializer, use_tuple);
    if (ec) stream_broken_ = true;
    co_return !stream_broken_;
}

asio::awaitable<bool> http_exchange::write_chunk(std::string_view data)
{
    if (stream_broken_) co_return false;
    conn_.stream.expires_after(server_.settings_.write_timeout);
    auto [ec, n] = co_await asio::async_write(conn_.stream, http::make_chunk(asio::buffer(data)), use_tuple);
    if (ec) stream_broken_ = true;
    co_return !stream_broken_;
}

asio::awaitable<void> http_exchange::close_stream()
{
    if (!stream_broken_) {
        conn_.stream.expires_after(server_.settings_.write_timeout);
        auto [ec, n] = co_await asio::async_write(conn_.stream, http::make_chunk_last(), use_tuple);
        if (ec) stream_broken_ = true;
    }
    keep_alive_ = keep_alive_ && !stream_broken_;
}

asio::awaitable<void> http_exchange::idle_wait(std::chrono::milliseconds duration)
{
    using namespace asio::experimental::awaitable_operators;
    if (draining()) co_return;
    conn_.idle = true;  // a drain may end the stream now
    conn_.wake.expires_after(duration);
    // Mid-stream the client has nothing to send: its socket turning readable means it closed
    // (or broke the protocol). Either way the stream is over, and its slot is freed at once.
    auto timer_wait = conn_.wake.async_wait(use_tuple);
    auto peer_wait = peer_acts(conn_.stream.tcp_layer().socket());
    auto const outcome = co_await (std::move(timer_wait) || std::move(peer_wait));
    if (outcome.index() == 1 && std::get<1>(outcome) != peer_reading::nothing_yet) stream_broken_ = true;
    conn_.idle = false;
}

asio::awaitable<bool> http_exchange::client_gone()
{
    auto& socket = conn_.stream.tcp_layer().socket();
    auto const reading = co_await peer_acts(socket);
    if (reading == peer_reading::sent_data) {
        // A pipelined request: the client is still there. Wait for cancellation.
        asio::steady_timer never(socket.get_executor(), asio::steady_timer::time_point::max());
        co_await never.async_wait(use_tuple);
        co_return false;
    }
    co_return reading == peer_reading::closed;
}

http_server::http_server(asio::io_context& io, http_server_settings settings, http_handler handler)
    : io_(io), settings_(std::move(settings)), handler_(std::move(handler)), acceptor_(asio::make_strand(io))
{
}

boost::system::result<tcp::endpoint> http_server::listen(std::string const& host, std::uint16_t port)
{
    boost::system::error_code ec;
    auto const address = asio::ip::make_address(host, ec);
    if (ec) return ec;
    tcp::endpoint const endpoint{address, port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    return acceptor_.local_endpoint();
}

void http_server::start()
{
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);  // a bug in the accept loop is fatal
    });
}

void http_server::begin_drain()
{
    if (draining_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        core::log::info("stopped accepting connections");
    });
    std::lock_guard lock(connections_mutex_);
    for (auto const& [id, conn] : connections_) asio::post(conn->stream.get_executor(), [conn = conn] { conn->drain(); });
}

void http_server::close_all()
{
    std::lock_guard lock(connections_mutex_);
    for (auto const& [id, conn] : connections_) asio::post(conn->stream.get_executor(), [conn = conn] { conn->close_now(); });
}

bool http_server::reserve_body_bytes(std::size_t bytes)
{
    auto const limit = settings_.max_body_bytes_in_flight;
    auto current = body_bytes_in_flight_.load();
    do {
        if (limit != 0 && current + bytes > limit) return false;
    } while (!body_bytes_in_flight_.compare_exchange_weak(current, current + bytes));
    return true;
}

void http_server::release_body_bytes(std::size_t bytes) { body_bytes_in_flight_ -= bytes; }

asio::awaitable<void> http_server::accept_loop()
{
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            // Out of descriptors and the like: back off instead of spinning.
            core::log::error("accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto const executor = socket.get_executor();
        bool probe_only = false;
        if (open_connections_.load() >= settings_.max_connections) {
            // Full: a spare slot may still carry the load balancer's probe, so that a busy task
            // is not taken for a dead one. Past those, a quick 503.
            if (settings_.probe_path.empty() || probe_connections_.load() >= settings_.probe_connections) {
                asio::co_spawn(executor, refuse_over_capacity(std::move(socket)), asio::detached);
                continue;
            }
            probe_only = true;
        }
        asio::co_spawn(executor, serve(std::move(socket), probe_only), [](std::exception_ptr e) {
            // One bad connection must never take the process down.
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& ex) {
                core::log::error("connection ended by an exception", {{"error", ex.what()}});
            } catch (...) {
                core::log::error("connection ended by an unknown exception");
            }
        });
    }
}

namespace {

constexpr std::string_view busy_answer =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 37\r\n\r\nServer at its connection limit; retry";

}  // namespace

asio::awaitable<void> http_server::refuse_over_capacity(tcp::socket socket)
{
    connection conn(std::move(socket), settings_.tls);
    // A TLS client can read the answer only after a handshake; one deadline covers both.
    conn.stream.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    if (conn.stream.is_tls()) {
        auto [hec] = co_await conn.stream.tls().async_handshake(asio::ssl::stream_base::server, use_tuple);
        ec = hec;
    }
    if (!ec) co_await asio::async_write(conn.stream, asio::buffer(busy_answer), use_tuple);
    co_await close_connection(conn);
}

boost::system::error_code check_request_framing(http::request_header<> const& header)
{
    auto const hosts = header.count(http::field::host);
    if (hosts > 1) return errc::duplicate_host;
    if (hosts == 0 && header.version() >= 11) return errc::missing_host;
    auto const codings = header.equal_range(http::field::transfer_encoding);
    if (codings.first == codings.second) return {};
    if (header.version() < 11) return errc::transfer_coding_in_http10;
    // Exactly one field whose whole value is the one coding we implement.
    if (std::next(codings.first) != codings.second) return errc::unsupported_transfer_coding;
    auto value = codings.first->value();
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!beast::iequals(value, "chunked")) return errc::unsupported_transfer_coding;
    return {};
}

asio::awaitable<void> http_server::serve(tcp::socket socket, bool probe_only)
{
    auto conn = std::make_shared<connection>(std::move(socket), settings_.tls);
    std::uint64_t id = 0;
    {
        std::lock_guard lock(connections_mutex_);
        id = next_connection_id_++;
        connections_.emplace(id, conn);
    }
    auto& counter = probe_only ? probe_connections_ : open_connections_;
    ++counter;
    auto const first_request_timeout = probe_only ? probe_header_timeout : settings_.header_timeout;

    bool handshake_done = true;
    if (conn->stream.is_tls()) {
        // Part of the first request's time: the header deadline applies, and a drain cancels it.
        conn->stream.expires_after(first_request_timeout);
        auto [ec] = co_await conn->stream.tls().async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (ec) core::log::debug("TLS handshake failed", {{"error", ec.message()}});
        handshake_done = !ec;
    }

    // An answer the server gives itself, before or instead of the handler: then the connection ends.
    auto const answer_and_close = [&](http::status status, std::string text,
                                      bool rest_unread) -> asio::awaitable<void> {
        http::request<http::string_body> bare;
        bare.version(11);
        bare.keep_alive(false);
        auto res = make_response(bare, status, "text/plain", std::move(text));
        if (status == http::status::service_unavailable) res.set(http::field::retry_after, "1");
        conn->stream.expires_after(settings_.write_timeout);
        co_await http::async_write(conn->stream, res, use_tuple);
        if (rest_unread) co_await discard_unread_input(*conn);
    };

    beast::flat_buffer buffer;
    while (handshake_done) {
        conn->idle = true;
        if (draining_) break;
        if (buffer.size() == 0) {
            // Waiting for the next request: the idle deadline applies.
            conn->stream.expires_after(probe_only ? probe_header_timeout : settings_.idle_timeout);
            auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(4096), use_tuple);
            if (ec) break;
            buffer.commit(n);
        }
        conn->idle = false;
        core::log::debug("request begun");

        // The request has begun: all of it must arrive within the header deadline, so a
        // client cannot stretch it out byte by byte.
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit_bytes);
        parser.body_limit(settings_.max_body_bytes);
        conn->request_deadline = std::chrono::steady_clock::now() + first_request_timeout;
        conn->stream.expires_at(conn->request_deadline);
        auto [ec, n] = co_await http::async_read_header(conn->stream, buffer, parser, use_tuple);
        if (ec) {
            if (ec == http::error::body_limit) {
                // Content-Length says too much: refused before a byte of the body is read.
                co_await answer_and_close(http::status::payload_too_large,
                                          "Payload Too Large: the request body exceeds " +
                                              std::to_string(settings_.max_body_bytes) + " bytes",
                                          true);
            } else if (ec == http::error::header_limit) {
                co_await answer_and_close(http::status::request_header_fields_too_large, "Request headers too large",
                                          false);
            } else if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
                       ec != http::error::end_of_stream && ec != http::error::partial_message) {
                co_await answer_and_close(http::status::bad_request, "Bad Request: malformed HTTP (" + ec.message() + ")",
                                          false);
            }
            break;
        }
        if (auto const bad = check_request_framing(parser.get())) {
            auto const status = bad == errc::unsupported_transfer_coding ? http::status::not_implemented
                                                                         : http::status::bad_request;
            auto const prefix = status == http::status::not_implemented ? "Not Implemented: " : "Bad Request: ";
            co_await answer_and_close(status, prefix + bad.message(), !parser.is_done());
            break;
        }
        auto const target = parser.get().target();
        bool const probe = (parser.get().method() == http::verb::get || parser.get().method() == http::verb::head) &&
                           target.substr(0, target.find('?')) == settings_.probe_path;
        if (probe_only && !probe) {
            co_await answer_and_close(http::status::service_unavailable, "Server at its connection limit; retry",
                                      !parser.is_done());
            break;
        }

        http_exchange ex(parser, buffer, *conn, *this);
        if (probe_only) ex.keep_alive_ = false;
        auto answer = co_await handler_(ex);
        if (auto* res = std::get_if<http::response<http::string_body>>(&answer); res && !ex.responded_)
            co_await ex.respond(std::move(*res));
        else if (auto* bytes = std::get_if<bytes_then_close>(&answer))
            co_await ex.write_and_close(std::move(bytes->bytes));
        if (!ex.responded_ && ex.body_error_) {
            auto const& why = ex.body_error_;
            if (why == errc::request_body_too_large) {
                auto res = make_response(ex.request, http::status::payload_too_large, "text/plain",
                                         "Payload Too Large: the request body exceeds " +
                                             std::to_string(settings_.max_body_bytes) + " bytes");
                co_await ex.respond(std::move(res));
            } else if (why == errc::request_bodies_over_budget) {
                auto res = make_response(ex.request, http::status::service_unavailable, "text/plain",
                                         "Service Unavailable: " + why.message());
                res.set(http::field::retry_after, "1");
                co_await ex.respond(std::move(res));
            } else if (why == errc::request_body_malformed) {
                auto res = make_response(ex.request, http::status::bad_request, "text/plain", "Bad Request: " + why.message());
                co_await ex.respond(std::move(res));
            } else {
                ex.keep_alive_ = false;  // the client went away or stalled: nobody to answer
                ex.status_ = static_cast<http::status>(0);
            }
        } else if (!ex.responded_) {
            // already_answered without an answer: a bug, but the client still hears of it.
            co_await ex.respond(make_response(ex.request, http::status::internal_server_error, "text/plain",
                                              "Internal Server Error: the handler gave no answer"));
        }
        if (!ex.body_settled()) {
            // Answered on the headers alone: respond() kept the connection only for a small body.
            boost::system::error_code unread;
            if (ex.keep_alive_) unread = co_await ex.read_body();
            if (!ex.keep_alive_ || unread) {
                ex.keep_alive_ = false;
                co_await discard_unread_input(*conn);
            }
        } else if (ex.body_error_ == errc::request_body_too_large || ex.body_error_ == errc::request_bodies_over_budget) {
            co_await discard_unread_input(*conn);
        }
        auto const elapsed =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ex.started_);
        if (settings_.observe) settings_.observe(ex.log_method_, static_cast<int>(ex.status_), elapsed);
        core::log::info("request", ex.log_tag(), {{"http_method", ex.request.method_string()},
                              {"path", target.substr(0, target.find('?'))},
                              {"method", ex.log_method_},
                              {"auth", ex.log_auth_path_},
                              {"principal", ex.log_principal_},
                              {"status", static_cast<int>(ex.status_)},
                              {"duration_us", static_cast<std::int64_t>(elapsed.count())}});
        if (!ex.keep_alive_ || draining_) break;
    }

    co_await close_connection(*conn);
    {
        std::lock_guard lock(connections_mutex_);
        connections_.erase(id);
    }
    --counter;
    // A drain waits for the last connection: whoever waits is told when one goes.
    if (draining_ && settings_.connection_closed) settings_.connection_closed();
}

asio::awaitable<void> http_server::discard_unread_input(connection& conn)
{
    // Closing a socket with unread input makes the kernel send a reset, which can destroy
    // the error response before the client reads it; so read a bounded amount away first.
    // Under TLS the raw bytes are read away undecrypted: they are thrown away anyway.
    auto& lowest = conn.stream.tcp_layer();
    boost::system::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> sink;
    for (std::size_t total = 0; total < 8 * settings_.max_body_bytes;) {
        auto [ec, n] = co_await lowest.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) break;
        total += n;
    }
}

asio::awaitable<void> http_server::close_connection(connection& conn)
{
    auto& lowest = conn.stream.tcp_layer();
    bool const tls_open = conn.stream.is_tls() && lowest.socket().is_open() &&
                          SSL_is_init_finished(conn.stream.tls().native_handle());
    if (tls_open) {
        // close_notify without waiting for the peer's: marked as already received, the
        // shutdown completes once ours is written, so a client that never answers costs nothing.
        auto* const ssl = conn.stream.tls().native_handle();
        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
        lowest.expires_after(tls_shutdown_timeout);
        co_await conn.stream.tls().async_shutdown(use_tuple);
    }
    boost::system::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace justifi::net
