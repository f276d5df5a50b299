// A small blocking HTTP/1.1 client (and HTTPS one-shots) over real loopback sockets, for integration tests,
// with MCP helpers on top (initialize, post a message, split an SSE body).
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace justifi::test {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    bool keep_alive = false;

    std::string header(std::string const& name) const;
    boost::json::value json() const;
};

// One keep-alive connection; every read and write has a deadline.
class http_connection {
public:
    explicit http_connection(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(15));
    ~http_connection();
    http_connection(http_connection const&) = delete;
    http_connection& operator=(http_connection const&) = delete;

    http_response request(std::string const& method, std::string const& target, header_list const& headers = {},
                          std::string const& body = {});
    void send_raw(std::string_view bytes);
    // Reads one response (after send_raw); throws on timeout or close.
    http_response read_response();
    // Reads only the status line and headers of a response whose body does not end (an SSE stream).
    http_response read_response_header();
    // True when the server closes the connection within `timeout` (reads see EOF or a reset).
    bool closed_by_peer(std::chrono::milliseconds timeout);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// One-shot request on a fresh connection.
http_response http_request(std::uint16_t port, std::string const& method, std::string const& target,
                           header_list const& headers = {}, std::string const& body = {});

// One request over HTTPS to 127.0.0.1 on a fresh connection, trusting only `ca_file`. The chain
// is verified, the host name is not: that check is the product's, and tests prove it there.
http_response https_request(std::uint16_t port, std::string const& ca_file, std::string const& method,
                            std::string const& target, header_list const& headers = {}, std::string const& body = {});

// JSON-RPC messages carried in an SSE body ("data:" lines of "message" events).
std::vector<boost::json::value> sse_messages(std::string_view body);

header_list mcp_post_headers(std::string const& session_id = {});

struct mcp_session {
    std::uint16_t port;
    std::string session_id;
    std::string protocol_version;

    // initialize + notifications/initialized; throws unless both succeed.
    static mcp_session open(std::uint16_t port, std::string const& version = "2025-11-25",
                            header_list const& extra_headers = {});
    http_response post(boost::json::value const& message, header_list const& extra_headers = {}) const;
    // The response message of a request, whether it came as JSON or at the end of an SSE stream.
    boost::json::value call(std::string const& method, boost::json::value params = nullptr, std::int64_t id = 7,
                            header_list const& extra_headers = {}) const;
};

}  // namespace justifi::test
