// Shared helpers for the integration suites: paths of the binaries under test and
// a running HTTP server on an ephemeral port.
#pragma once

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <memory>
#include <string>

namespace justifi::test {

inline std::string const product_binary = JUSTIFI_MCP_BINARY;
inline std::string const test_server_binary = JUSTIFI_MCP_TEST_SERVER;
inline std::string const mock_binary = JUSTIFI_MOCK_BINARY;

// The server under test over HTTP on 127.0.0.1 and a port the kernel picks.
struct http_server {
    child_process process;
    std::uint16_t port;

    explicit http_server(child_options options = {}, std::string const& binary = test_server_binary)
        : process(binary, with_http(std::move(options))), port(process.wait_for_port())
    {
    }

    static child_options with_http(child_options options)
    {
        options.args.insert(options.args.begin(), {"--transport", "http", "--host", "127.0.0.1", "--port", "0"});
        return options;
    }
};

// The JustiFi simulator on an ephemeral loopback port.
struct mock_server {
    child_process process;
    std::uint16_t port;

    explicit mock_server(std::vector<std::string> args = {})
        : process(mock_binary, with_port(std::move(args))), port(process.wait_for_port())
    {
    }

    static child_options with_port(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--host", "127.0.0.1", "--port", "0"});
        return {.args = std::move(args)};
    }

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port); }
    boost::json::value stats() const { return http_request(port, "GET", "/__mock/stats").json(); }
    void reset_stats() const { http_request(port, "DELETE", "/__mock/stats"); }
    void set_faults(boost::json::object const& faults) const
    {
        http_request(port, "POST", "/__mock/faults", {{"Content-Type", "application/json"}}, boost::json::serialize(faults));
    }
    // How many requests reached "METHOD /v1/path/{template}".
    std::int64_t requests_to(std::string const& operation) const
    {
        auto const s = stats();
        auto const* count = s.at("requests_by_path").as_object().if_contains(operation);
        return count ? count->to_number<std::int64_t>() : 0;
    }
};

// justifi-mcp configured against a simulator, with the simulator's client credentials.
inline child_options against(mock_server const& mock, child_options options = {})
{
    options.env.emplace_back("JUSTIFI_BASE_URL", mock.base_url());
    options.env.emplace_back("JUSTIFI_CLIENT_ID", "test_client_id");
    options.env.emplace_back("JUSTIFI_CLIENT_SECRET", "test_client_secret");
    return options;
}

inline void write_file(std::string const& path, std::string const& text)
{
    std::ofstream(path) << text;
}

inline std::string rpc(std::int64_t id, std::string const& method, boost::json::value params = nullptr)
{
    boost::json::object message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) message["params"] = std::move(params);
    return boost::json::serialize(message);
}

inline std::string notification(std::string const& method, boost::json::value params = nullptr)
{
    boost::json::object message{{"jsonrpc", "2.0"}, {"method", method}};
    if (!params.is_null()) message["params"] = std::move(params);
    return boost::json::serialize(message);
}

}  // namespace justifi::test
