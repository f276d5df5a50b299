// Round-trip time of one MCP tools/call through justifi-mcp, sequentially over one
// keep-alive connection: initialize, warm up, then N timed calls; prints percentiles.
// Usage: mcp-rtt PORT [CALLS] [TOOL] [ARGUMENTS_JSON]
#include "tests/support/http_client.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace justifi::test;

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: mcp-rtt PORT [CALLS] [TOOL] [ARGUMENTS_JSON]\n";
        return 2;
    }
    auto const port = static_cast<std::uint16_t>(std::stoi(argv[1]));
    int const calls = argc > 2 ? std::stoi(argv[2]) : 1000;
    std::string const tool = argc > 3 ? argv[3] : "list_payments";
    json::value const arguments = json::parse(argc > 4 ? argv[4] : R"({"limit":25})");

    auto const session = mcp_session::open(port);
    http_connection connection(port);
    auto headers = mcp_post_headers(session.session_id);
    headers.emplace_back("MCP-Protocol-Version", session.protocol_version);
    auto const body = json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"},
                                                   {"params", {{"name", tool}, {"arguments", arguments}}}});

    auto call_once = [&] {
        auto const res = connection.request("POST", "/mcp", headers, body);
        if (res.status != 200 || res.body.find("\"isError\":true") != std::string::npos) {
            std::cerr << "call failed: " << res.status << " " << res.body.substr(0, 300) << "\n";
            std::exit(1);
        }
    };
    for (int i = 0; i < 50; ++i) call_once();  // warm: token, pooled upstream connection

    std::vector<double> micros;
    micros.reserve(calls);
    for (int i = 0; i < calls; ++i) {
        auto const start = std::chrono::steady_clock::now();
        call_once();
        micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(micros.begin(), micros.end());
    auto at = [&](double q) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * micros.size()))]; };
    std::printf("tools/call %s, %d sequential calls over one keep-alive connection\n", tool.c_str(), calls);
    std::printf("median %.0f us, p90 %.0f us, p99 %.0f us, min %.0f us, max %.0f us\n", at(0.5), at(0.9), at(0.99),
                micros.front(), micros.back());
    return 0;
}
