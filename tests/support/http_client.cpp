#include "tests/support/http_client.hpp"

#include "tests/support/within.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>


namespace justifi::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

template <class Header>
void copy_headers(Header const& from, http_response& to)
{
    for (auto const& field : from) to.headers[lower(field.name_string())] = std::string(field.value());
}

http::request<http::string_body> make_request(std::string const& method, std::string const& target,
                                              header_list const& headers, std::string const& body)
{
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto const& [name, value] : headers) req.set(name, value);
    if (!body.empty() || method == "POST") {
        req.body() = body;
        req.prepare_payload();
    }
    return req;
}

template <class Stream, class Closable>
http_response read_whole_response(asio::io_context& io, Stream& stream, Closable& closable, beast::flat_buffer& buffer,
                                  std::chrono::milliseconds timeout)
{
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    must_within(io, closable, timeout, "reading a response",
                [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
    auto& res = parser.get();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    copy_headers(res, out);
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    return out;
}

}  // namespace

std::string http_response::header(std::string const& name) const
{
    auto const it = headers.find(lower(name));
    return it == headers.end() ? std::string{} : it->second;
}

json::value http_response::json() const { return json::parse(body); }

struct http_connection::impl {
    asio::io_context io;
    tcp::socket socket{io};
    beast::flat_buffer buffer;
    std::chrono::milliseconds timeout;
};

http_connection::http_connection(std::uint16_t port, std::chrono::milliseconds timeout) : impl_(std::make_unique<impl>())
{
    impl_->timeout = timeout;
    must_within(impl_->io, impl_->socket, timeout, "connecting", [&](auto handler) {
        impl_->socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                    [handler](boost::system::error_code ec) mutable { handler(ec); });
    });
    impl_->socket.set_option(tcp::no_delay(true));  // requests go out as headers and body: no Nagle wait
}

http_connection::~http_connection() = default;

http_response http_connection::request(std::string const& method, std::string const& target, header_list const& headers,
                                       std::string const& body)
{
    auto const req = make_request(method, target, headers, body);
    must_within(impl_->io, impl_->socket, impl_->timeout, "writing a request",
                [&](auto handler) { http::async_write(impl_->socket, req, handler); });
    if (method == "HEAD") {
        http::response_parser<http::empty_body> parser;
        parser.skip(true);
        must_within(impl_->io, impl_->socket, impl_->timeout, "reading a HEAD response",
                    [&](auto handler) { http::async_read(impl_->socket, impl_->buffer, parser, handler); });
        http_response out;
        out.status = static_cast<int>(parser.get().result_int());
        copy_headers(parser.get(), out);
        out.keep_alive = parser.get().keep_alive();
        return out;
    }
    return read_response();
}

void http_connection::send_raw(std::string_view bytes)
{
    must_within(impl_->io, impl_->socket, impl_->timeout, "writing raw bytes",
                [&](auto handler) { asio::async_write(impl_->socket, asio::buffer(bytes), handler); });
}

http_response http_connection::read_response()
{
    return read_whole_response(impl_->io, impl_->socket, impl_->socket, impl_->buffer, impl_->timeout);
}

http_response http_connection::read_response_header()
{
    http::response_parser<http::string_body> parser;
    must_within(impl_->io, impl_->socket, impl_->timeout, "reading a response's head",
                [&](auto handler) { http::async_read_header(impl_->socket, impl_->buffer, parser, handler); });
    http_response out;
    out.status = static_cast<int>(parser.get().result_int());
    copy_headers(parser.get(), out);
    return out;
}

bool http_connection::closed_by_peer(std::chrono::milliseconds timeout)
{
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    char scratch[4096];
    for (;;) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= std::chrono::milliseconds(0)) return false;
        auto const out = run_within(impl_->io, impl_->socket, left, [&](auto handler) {
            impl_->socket.async_read_some(asio::buffer(scratch), handler);
        });
        if (out.timed_out) return false;
        if (!out.error) continue;  // leftover bytes (a response body, keep-alives): keep reading
        return out.error == asio::error::eof || out.error == asio::error::connection_reset;
    }
}

http_response http_request(std::uint16_t port, std::string const& method, std::string const& target,
                           header_list const& headers, std::string const& body)
{
    http_connection connection(port);
    return connection.request(method, target, headers, body);
}

http_response https_request(std::uint16_t port, std::string const& ca_file, std::string const& method,
                            std::string const& target, header_list const& headers, std::string const& body)
{
    asio::io_context io;
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.load_verify_file(ca_file);
    context.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(io, context);
    auto& socket = stream.next_layer();
    constexpr auto timeout = std::chrono::seconds(15);
    must_within(io, socket, timeout, "connecting", [&](auto handler) {
        socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                             [handler](boost::system::error_code ec) mutable { handler(ec); });
    });
    must_within(io, socket, timeout, "in the TLS handshake", [&](auto handler) {
        stream.async_handshake(asio::ssl::stream_base::client,
                               [handler](boost::system::error_code ec) mutable { handler(ec); });
    });
    auto req = make_request(method, target, headers, body);
    req.keep_alive(false);
    must_within(io, socket, timeout, "writing a request", [&](auto handler) { http::async_write(stream, req, handler); });
    beast::flat_buffer buffer;
    return read_whole_response(io, stream, socket, buffer, timeout);
}

std::vector<json::value> sse_messages(std::string_view body)
{
    std::vector<json::value> out;
    std::string data;
    std::string event = "message";
    auto flush = [&] {
        if (!data.empty() && event == "message") out.push_back(json::parse(data));
        data.clear();
        event = "message";
    };
    while (!body.empty()) {
        auto const nl = body.find('\n');
        auto line = body.substr(0, nl);
        body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) flush();
        else if (line.starts_with("data:")) {
            auto value = line.substr(5);
            if (value.starts_with(' ')) value.remove_prefix(1);
            if (!data.empty()) data += '\n';
            data += value;
        } else if (line.starts_with("event:")) {
            auto value = line.substr(6);
            if (value.starts_with(' ')) value.remove_prefix(1);
            event = std::string(value);
        }
    }
    flush();
    return out;
}

header_list mcp_post_headers(std::string const& session_id)
{
    header_list headers{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
    if (!session_id.empty()) headers.emplace_back("Mcp-Session-Id", session_id);
    return headers;
}

mcp_session mcp_session::open(std::uint16_t port, std::string const& version, header_list const& extra_headers)
{
    json::object init{{"jsonrpc", "2.0"},
                      {"id", 0},
                      {"method", "initialize"},
                      {"params", {{"protocolVersion", version},
                                  {"capabilities", json::object{}},
                                  {"clientInfo", {{"name", "integration-test"}, {"version", "1"}}}}}};
    auto headers = mcp_post_headers();
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    auto const res = http_request(port, "POST", "/mcp", headers, json::serialize(init));
    if (res.status != 200) throw std::runtime_error("initialize answered " + std::to_string(res.status) + ": " + res.body);
    mcp_session session{port, res.header("Mcp-Session-Id"),
                        std::string(res.json().at("result").at("protocolVersion").as_string())};
    // The initialize request's credentials go with the notification too: every request brings its own.
    auto const ack =
        session.post(json::object{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, extra_headers);
    if (ack.status != 202) throw std::runtime_error("notifications/initialized answered " + std::to_string(ack.status));
    return session;
}

http_response mcp_session::post(json::value const& message, header_list const& extra_headers) const
{
    auto headers = mcp_post_headers(session_id);
    headers.emplace_back("MCP-Protocol-Version", protocol_version);
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    return http_request(port, "POST", "/mcp", headers, json::serialize(message));
}

json::value mcp_session::call(std::string const& method, json::value params, std::int64_t id,
                              header_list const& extra_headers) const
{
    json::object message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) message["params"] = std::move(params);
    auto const res = post(message, extra_headers);
    if (res.status != 200) throw std::runtime_error(method + " answered HTTP " + std::to_string(res.status) + ": " + res.body);
    if (res.header("Content-Type").starts_with("text/event-stream")) {
        auto const messages = sse_messages(res.body);
        if (messages.empty()) throw std::runtime_error(method + ": SSE stream carried no messages");
        return messages.back();
    }
    return res.json();
}

}  // namespace justifi::test
