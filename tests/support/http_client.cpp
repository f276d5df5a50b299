#include "tests/support/http_client.hpp"

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

#include <sys/socket.h>
#include <sys/time.h>

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

void set_socket_timeout(tcp::socket& socket, std::chrono::milliseconds timeout)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
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

template <class Stream>
http_response read_whole_response(Stream& stream, beast::flat_buffer& buffer)
{
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser);
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
};

http_connection::http_connection(std::uint16_t port, std::chrono::milliseconds timeout) : impl_(std::make_unique<impl>())
{
    impl_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    impl_->socket.set_option(tcp::no_delay(true));  // requests go out as headers and body: no Nagle wait
    set_socket_timeout(impl_->socket, timeout);
}

http_connection::~http_connection() = default;

http_response http_connection::request(std::string const& method, std::string const& target, header_list const& headers,
                                       std::string const& body)
{
    auto const req = make_request(method, target, headers, body);
    http::write(impl_->socket, req);
    if (method == "HEAD") {
        http::response_parser<http::empty_body> parser;
        parser.skip(true);
        http::read(impl_->socket, impl_->buffer, parser);
        http_response out;
        out.status = static_cast<int>(parser.get().result_int());
        copy_headers(parser.get(), out);
        out.keep_alive = parser.get().keep_alive();
        return out;
    }
    return read_response();
}

void http_connection::send_raw(std::string_view bytes) { asio::write(impl_->socket, asio::buffer(bytes)); }

http_response http_connection::read_response() { return read_whole_response(impl_->socket, impl_->buffer); }

http_response http_connection::read_response_header()
{
    http::response_parser<http::string_body> parser;
    http::read_header(impl_->socket, impl_->buffer, parser);
    http_response out;
    out.status = static_cast<int>(parser.get().result_int());
    copy_headers(parser.get(), out);
    return out;
}

bool http_connection::closed_by_peer(std::chrono::milliseconds timeout)
{
    set_socket_timeout(impl_->socket, timeout);
    char byte;
    for (;;) {
        boost::system::error_code ec;
        impl_->socket.read_some(asio::buffer(&byte, 1), ec);
        if (!ec) continue;  // leftover bytes (a response body): keep reading
        return ec == asio::error::eof || ec == asio::error::connection_reset;
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
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    set_socket_timeout(stream.next_layer(), std::chrono::seconds(15));
    stream.handshake(asio::ssl::stream_base::client);
    auto req = make_request(method, target, headers, body);
    req.keep_alive(false);
    http::write(stream, req);
    beast::flat_buffer buffer;
    return read_whole_response(stream, buffer);
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
