// What a caller without credentials can make the server do, through the real binary: its
// request is judged on the headers, so it gets its 401 before a byte of its body is read (and
// without a 100 Continue); the bodies of admitted requests share a budget; and the framing is
// strict, so that no request can be read two ways (request smuggling).
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// The MCP endpoint with OAuth on: a request without credentials gets the challenge.
child_options oauth() { return {.unset_env = {"MCP_AUTH"}}; }

std::string initialize_text()
{
    return rpc(1, "initialize", {{"protocolVersion", "2025-11-25"},
                                 {"capabilities", json::object{}},
                                 {"clientInfo", {{"name", "pre-auth-test"}, {"version", "1"}}}});
}

// A POST /mcp head announcing `length` body bytes, plus `extra` header lines.
std::string post_head(std::size_t length, std::string const& extra = {})
{
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Accept: application/json, text/event-stream\r\nContent-Length: " +
           std::to_string(length) + "\r\n" + extra + "\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pre_auth)

BOOST_AUTO_TEST_CASE(a_request_without_credentials_waiting_for_100_continue_gets_its_401_instead)
{
    http_server server(oauth());
    http_connection connection(server.port);
    connection.send_raw(post_head(1024 * 1024, "Expect: 100-continue\r\n"));
    auto const res = connection.read_response();
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("WWW-Authenticate").starts_with("Bearer resource_metadata="));
    // The client may or may not send its body now: the connection cannot be reused.
    BOOST_TEST(res.header("Connection") == "close");
    BOOST_TEST(connection.closed_by_peer(5s));
}

BOOST_AUTO_TEST_CASE(a_large_body_without_credentials_is_never_read_the_401_comes_on_the_headers)
{
    http_server server(oauth());
    http_connection connection(server.port);
    // 64 KiB of a promised MiB: the answer must not wait for the rest.
    connection.send_raw(post_head(1024 * 1024) + std::string(64 * 1024, ' '));
    auto const res = connection.read_response();
    BOOST_TEST(res.status == 401);
    BOOST_TEST(res.header("Connection") == "close");
    BOOST_TEST(connection.closed_by_peer(5s));
}

BOOST_AUTO_TEST_CASE(a_small_refused_body_is_read_away_so_the_connection_carries_the_next_request)
{
    http_server server(oauth());
    http_connection connection(server.port);
    auto const first = connection.request("POST", "/mcp", mcp_post_headers(), initialize_text());
    BOOST_TEST(first.status == 401);
    BOOST_TEST(first.keep_alive);
    BOOST_TEST(connection.request("GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(bodies_past_the_in_flight_budget_get_a_quick_503_and_the_budget_comes_back)
{
    // MCP_AUTH=none: these callers are admitted, so their bodies are read.
    http_server server({.env = {{"MCP_MAX_BODY_BYTES_IN_FLIGHT", "1500000"}}});
    http_connection holder(server.port);
    holder.send_raw(post_head(1000 * 1000) + std::string(1000, ' '));  // unfinished: holds 1 MB of the budget
    // The holder's megabyte is reserved once the server reaches its body read.
    BOOST_TEST(eventually([&] {
        return http_request(server.port, "GET", "/metrics").body.find("\njustifi_mcp_request_body_bytes_in_flight 1000000\n") !=
               std::string::npos;
    }));

    http_connection over(server.port);
    over.send_raw(post_head(600 * 1000));
    auto const refused = over.read_response();
    BOOST_TEST(refused.status == 503);
    BOOST_TEST(refused.header("Retry-After") == "1");
    BOOST_TEST(refused.body.find("too many request bodies") != std::string::npos, refused.body);

    // Small bodies still fit, and once the holder goes away the budget is whole again.
    BOOST_TEST(http_request(server.port, "POST", "/mcp", mcp_post_headers(), initialize_text()).status == 200);
    holder.send_raw(std::string(1000 * 1000 - 1000, ' '));  // finishes the body: not JSON-RPC, so 400
    BOOST_TEST(holder.read_response().status == 400);
    // The holder's reservation ends with its exchange, a moment after its answer was written.
    int status = 0;
    for (int attempt = 0; attempt < 100 && status != 400; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(20ms);
        http_connection again(server.port);
        again.send_raw(post_head(600 * 1000) + std::string(600 * 1000, ' '));
        status = again.read_response().status;  // 400 once read whole (and found not to be JSON)
    }
    BOOST_TEST(status == 400);
}

BOOST_AUTO_TEST_CASE(transfer_encoding_other_than_chunked_gets_501_and_no_second_request_is_read_from_the_body)
{
    http_server server(oauth());
    // The body is a whole second request: a server that took "no body" here would answer it.
    std::string const smuggled = "GET /.well-known/oauth-protected-resource HTTP/1.1\r\nHost: smuggled.example\r\n\r\n";
    for (std::string const coding : {"xchunked", "identity", "chunked, identity", "gzip, chunked", "chunked\r\nTransfer-Encoding: chunked"}) {
        http_connection connection(server.port);
        connection.send_raw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: " +
                            coding + "\r\n\r\n" + smuggled);
        auto const res = connection.read_response();
        BOOST_TEST((res.status == 501 || res.status == 400), coding << ": " << res.status);
        BOOST_TEST(res.header("Connection") == "close", coding);
        BOOST_TEST(res.body.find("smuggled.example") == std::string::npos);
        BOOST_TEST(connection.closed_by_peer(5s), coding);
    }
    http_connection one(server.port);
    one.send_raw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n\r\n" + smuggled);
    auto const res = one.read_response();
    BOOST_TEST(res.status == 501);
    BOOST_TEST(res.body.find("Transfer-Encoding") != std::string::npos, res.body);
}

BOOST_AUTO_TEST_CASE(chunked_bodies_still_work)
{
    http_server server;
    auto const body = initialize_text();
    std::ostringstream chunk_size;
    chunk_size << std::hex << body.size();
    http_connection connection(server.port);
    connection.send_raw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Accept: application/json, text/event-stream\r\nTransfer-Encoding: Chunked\r\n\r\n" +
                        chunk_size.str() + "\r\n" + body + "\r\n0\r\n\r\n");
    auto const res = connection.read_response();
    BOOST_TEST(res.status == 200);
    BOOST_TEST(!res.header("Mcp-Session-Id").empty());
}

BOOST_AUTO_TEST_CASE(a_request_with_two_host_headers_or_none_gets_400_and_the_connection_ends)
{
    http_server server(oauth());
    for (std::string const hosts : {"Host: 127.0.0.1\r\nHost: smuggled.example\r\n", ""}) {
        http_connection connection(server.port);
        connection.send_raw("GET /.well-known/oauth-protected-resource HTTP/1.1\r\n" + hosts + "\r\n");
        auto const res = connection.read_response();
        BOOST_TEST(res.status == 400);
        BOOST_TEST(res.body.find("smuggled.example") == std::string::npos);
        BOOST_TEST(res.body.find("Host") != std::string::npos, res.body);
        BOOST_TEST(connection.closed_by_peer(5s));
    }
    http_connection http10(server.port);
    http10.send_raw("POST /mcp HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    BOOST_TEST(http10.read_response().status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
