// Faults between the server and JustiFi (the simulator's injected ones) and between the
// client and the server, through the real binaries. Each case's name says what it proves.
#include "tests/support/fixtures.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

json::object list_payments(mcp_session const& session, std::int64_t id)
{
    return session.call("tools/call", {{"name", "list_payments"}, {"arguments", {{"limit", 2}}}}, id).at("result").as_object();
}

std::size_t open_fds(pid_t pid)
{
    std::size_t n = 0;
    for ([[maybe_unused]] auto const& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++n;
    return n;
}

double metric(http_connection& connection, std::string const& name)
{
    auto const text = connection.request("GET", "/metrics").body;
    auto const at = text.find("\n" + name + " ");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, name << " not in /metrics");
    return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(an_upstream_that_never_answers_is_cut_at_the_call_deadline_while_the_server_keeps_serving)
{
    mock_server mock({"--latency-ms", "60000"});
    http_server server(against(mock, {.env = {{"JUSTIFI_TIMEOUT", "1s"}}}), product_binary);
    auto const session = mcp_session::open(server.port);
    auto call = std::async(std::launch::async, [&] { return list_payments(session, 1); });
    // Meanwhile the server answers others at once.
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
    BOOST_TEST(session.post(json::parse(rpc(2, "ping"))).status == 200);
    BOOST_REQUIRE(call.wait_for(15s) == std::future_status::ready);
    auto const result = call.get();
    BOOST_TEST(is_error(result));
    BOOST_TEST(text_of(result).find("did not answer before the deadline") != std::string::npos, text_of(result));
}

BOOST_AUTO_TEST_CASE(a_tls_handshake_that_fails_is_a_tls_error_and_one_that_stalls_is_cut_at_the_deadline)
{
    // An https base URL whose server speaks plain HTTP: the handshake fails at its first answer.
    mock_server plain;
    child_options options{.env = {{"JUSTIFI_BASE_URL", "https://127.0.0.1:" + std::to_string(plain.port)},
                                  {"JUSTIFI_CLIENT_ID", "test_client_id"},
                                  {"JUSTIFI_CLIENT_SECRET", "test_client_secret"},
                                  {"JUSTIFI_TIMEOUT", "1s"}}};
    {
        http_server server(options, product_binary);
        auto const session = mcp_session::open(server.port);
        auto const result = list_payments(session, 1);
        BOOST_TEST(is_error(result));
        BOOST_TEST(text_of(result).find("TLS") != std::string::npos, text_of(result));
        BOOST_TEST(plain.stats().at("token_requests") == 0);  // nothing was sent in the clear
    }
    // A server that accepts and then says nothing: the handshake waits until the call's deadline.
    asio::io_context io;
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    std::vector<asio::ip::tcp::socket> held;
    std::atomic<bool> stop{false};
    std::thread accept([&] {
        silent.non_blocking(true);
        while (!stop) {
            boost::system::error_code ec;
            auto socket = silent.accept(ec);
            if (!ec) held.push_back(std::move(socket));
            else std::this_thread::sleep_for(10ms);
        }
    });
    options.env[0].second = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    {
        http_server server(options, product_binary);
        auto const session = mcp_session::open(server.port);
        auto call = std::async(std::launch::async, [&] { return list_payments(session, 2); });
        BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);  // meanwhile, served
        auto const ready = call.wait_for(15s) == std::future_status::ready;
        stop = true;
        accept.join();
        BOOST_REQUIRE(ready);
        auto const result = call.get();
        BOOST_TEST(is_error(result));
        BOOST_TEST(text_of(result).find("did not answer before the deadline") != std::string::npos, text_of(result));
    }
}

BOOST_AUTO_TEST_CASE(latency_spikes_within_the_deadline_are_waited_out_and_answered)
{
    mock_server mock({"--latency-ms", "400"});
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    auto const result = list_payments(session, 1);
    BOOST_TEST(!is_error(result), text_of(result));
}

BOOST_AUTO_TEST_CASE(a_5xx_storm_gives_every_call_a_clean_tool_error_and_service_resumes_when_it_ends)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    BOOST_REQUIRE(!is_error(list_payments(session, 1)));  // token fetched before the storm
    mock.set_faults({{"fail_rate", 1.0}, {"fail_status", 503}});
    std::vector<std::future<json::object>> calls;
    for (int i = 0; i < 20; ++i)
        calls.push_back(std::async(std::launch::async, [&session, i] { return list_payments(session, 10 + i); }));
    for (auto& c : calls) {
        BOOST_REQUIRE(c.wait_for(30s) == std::future_status::ready);
        auto const result = c.get();
        BOOST_TEST(is_error(result));
        BOOST_TEST(text_of(result).find("HTTP 503") != std::string::npos, text_of(result));
    }
    BOOST_TEST(http_request(server.port, "GET", "/health").status == 200);
    mock.set_faults({{"fail_rate", 0.0}});
    BOOST_TEST(!is_error(list_payments(session, 99)));
}

BOOST_AUTO_TEST_CASE(a_connection_reset_mid_body_is_retried_and_the_call_answered_from_the_retry)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    BOOST_REQUIRE(!is_error(list_payments(session, 1)));
    mock.reset_stats();
    mock.set_faults({{"cut_first", 1}});
    auto const result = list_payments(session, 2);
    BOOST_TEST(!is_error(result), text_of(result));
    BOOST_TEST(mock.requests_to("GET /v1/payments") == 2);  // the cut answer, then the retry
    BOOST_TEST(mock.stats().at("faults_injected").at("cut_after_processing").to_number<int>() == 1);
}

BOOST_AUTO_TEST_CASE(a_200_that_is_not_json_becomes_a_tool_error_that_names_it_and_none_of_it_is_passed_on)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    BOOST_REQUIRE(!is_error(list_payments(session, 1)));
    mock.set_faults({{"html_first", 1}});
    auto const result = list_payments(session, 2);
    BOOST_TEST(is_error(result));
    BOOST_TEST(text_of(result).find("not JSON") != std::string::npos, text_of(result));
    BOOST_TEST(text_of(result).find("<html>") == std::string::npos, text_of(result));
    BOOST_TEST(!result.contains("structuredContent"));
    BOOST_TEST(mock.stats().at("faults_injected").at("html").to_number<int>() == 1);
    BOOST_TEST(!is_error(list_payments(session, 3)));
}

BOOST_AUTO_TEST_CASE(a_json_answer_is_passed_on_exactly_as_structured_content_and_as_text)
{
    mock_server mock;
    http_server server(against(mock), product_binary);
    auto const session = mcp_session::open(server.port);
    auto const result = list_payments(session, 1);
    BOOST_REQUIRE(!is_error(result));
    // What the simulator answers the same query directly.
    auto const token = mock.request("POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                    R"({"client_id":"test_client_id","client_secret":"test_client_secret"})")
                           .json().at("access_token").as_string();
    auto const direct = mock.request("GET", "/v1/payments?limit=2", {{"Authorization", "Bearer " + std::string(token)}});
    BOOST_REQUIRE_EQUAL(direct.status, 200);
    auto const expected = json::parse(direct.body);
    BOOST_TEST(result.at("structuredContent") == expected);
    BOOST_TEST(json::parse(text_of(result)) == expected);
    BOOST_TEST(result.at("structuredContent").at("data").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_client_that_disconnects_mid_call_leaves_no_call_connection_or_descriptor_behind)
{
    http_server server;
    auto const session = mcp_session::open(server.port);
    BOOST_TEST(session.post(json::parse(rpc(1, "ping"))).status == 200);
    // One scraping connection throughout: a closed one is counted until the server has seen it go.
    http_connection scraper(server.port);
    BOOST_TEST(eventually([&] { return metric(scraper, "justifi_mcp_open_connections") == 1; }));  // the scraper's own
    auto const fds_before = open_fds(server.process.pid());
    for (int i = 0; i < 20; ++i) {
        // The request is sent whole, then the client goes away before the answer.
        asio::io_context io;
        asio::ip::tcp::socket socket(io);
        socket.connect({asio::ip::make_address("127.0.0.1"), server.port});
        auto const body = rpc(100 + i, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 300}}}});
        std::string request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "Accept: application/json, text/event-stream\r\nMcp-Session-Id: " +
                              session.session_id + "\r\nMCP-Protocol-Version: " + session.protocol_version +
                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        asio::write(socket, asio::buffer(request));
        socket.close();
    }
    // The spec says a disconnection is not a cancellation: the calls finish, and then nothing is left.
    BOOST_TEST(eventually([&] { return metric(scraper, "justifi_mcp_tool_calls_in_flight") == 0; }));
    // A connection is counted until its coroutine has written the answer and seen the peer gone.
    BOOST_TEST(eventually([&] { return metric(scraper, "justifi_mcp_open_connections") == 1; }));
    // Its descriptor goes a moment after the count: closing follows the coroutine's end.
    BOOST_TEST(eventually([&] { return open_fds(server.process.pid()) <= fds_before; }),
               open_fds(server.process.pid()) << " descriptors open, " << fds_before << " before");
}

BOOST_AUTO_TEST_CASE(sigterm_under_load_answers_every_accepted_request_or_closes_it_cleanly_and_none_hangs)
{
    http_server server({.env = {{"MCP_DRAIN_TIMEOUT", "5s"}}});
    auto const session = mcp_session::open(server.port);
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0}, refused{0}, hung{0}, bad{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 16; ++c)
        clients.emplace_back([&, c] {
            for (int i = 0; i < 50 && !stop; ++i) {
                try {
                    http_connection connection(server.port, 8s);  // a hang would throw after 8 s
                    auto headers = mcp_post_headers(session.session_id);
                    headers.emplace_back("MCP-Protocol-Version", session.protocol_version);
                    auto const res = connection.request(
                        "POST", "/mcp", headers,
                        rpc(c * 100 + i, "tools/call", {{"name", "test_sleep"}, {"arguments", {{"milliseconds", 100}}}}));
                    if (res.status == 200 && res.body.find("slept") != std::string::npos) ++answered;
                    else if (res.status == 503) ++refused;  // draining: a clean, immediate answer
                    else ++bad;
                } catch (std::exception const& e) {
                    // Refused or closed cleanly before a request was read; a timeout is a hang.
                    // The socket's receive timeout surfaces as EAGAIN: that is a request left hanging.
                    std::string_view const what = e.what();
                    if (what.find("temporarily unavailable") != std::string_view::npos ||
                        what.find("would block") != std::string_view::npos || what.find("timed out") != std::string_view::npos)
                        ++hung;
                    else
                        ++refused;
                    return;
                }
            }
        });
    // SIGTERM once calls are being answered under load.
    BOOST_TEST(eventually([&] { return answered.load() >= 16; }));
    server.process.send_signal(SIGTERM);
    auto const exit_code = server.process.wait(15s);
    stop = true;
    for (auto& t : clients) t.join();
    BOOST_TEST(exit_code.value_or(-1) == 0);
    BOOST_TEST(answered.load() > 0);
    BOOST_TEST(hung.load() == 0);
    BOOST_TEST(bad.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
