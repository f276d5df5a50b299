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
