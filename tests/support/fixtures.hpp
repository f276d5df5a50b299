// Shared helpers for the integration suites: paths of the binaries under test and
// a running HTTP server on an ephemeral port.
#pragma once

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace justifi::test {

// Waits for a condition the test cannot be told about (a process's state seen from outside),
// checking it every 10 ms; false when `limit` passes first. Never a fixed sleep: a fast machine
// goes on at once, a slow one gets the whole limit.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10))
{
    auto const until = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

inline std::string const product_binary = JUSTIFI_MCP_BINARY;
inline std::string const test_server_binary = JUSTIFI_MCP_TEST_SERVER;
inline std::string const mock_binary = JUSTIFI_MOCK_BINARY;

// The server under test over HTTP on 127.0.0.1 and a port the kernel picks. Unless the
// options name MCP_AUTH (set or unset), it runs in the local development mode MCP_AUTH=none,
// so suites that are not about auth need no credentials; auth suites set or unset MCP_AUTH.
// Likewise, unless they name JUSTIFI_OAUTH_VALIDATION, bearer tokens are passed through
// unverified (there is no issuer to fetch keys from); the token_validation suite names it;
// and unless they name MCP_RATE_LIMIT, callers are not rate-limited.
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
        auto const names = [&options](std::string_view variable) {
            for (auto const& [name, value] : options.env)
                if (name == variable) return true;
            for (auto const& name : options.unset_env)
                if (name == variable) return true;
            return false;
        };
        if (!names("MCP_AUTH")) options.env.emplace_back("MCP_AUTH", "none");
        if (!names("JUSTIFI_OAUTH_VALIDATION")) options.env.emplace_back("JUSTIFI_OAUTH_VALIDATION", "none");
        // Suites that fire hundreds of requests from one caller are not about rate limits; the limits suite names it.
        if (!names("MCP_RATE_LIMIT")) options.env.emplace_back("MCP_RATE_LIMIT", "0");
        return options;
    }
};

// Asks mock_server for HTTPS with a certificate the simulator generates (--tls-generate).
struct serve_https_t {
    explicit serve_https_t() = default;
};
inline constexpr serve_https_t serve_https{};

// The JustiFi simulator on an ephemeral loopback port, plain HTTP or HTTPS.
struct mock_server {
    std::string tls_dir;  // empty: plain HTTP; else where ca.pem, cert.pem and key.pem were generated
    child_process process;
    std::uint16_t port;

    explicit mock_server(std::vector<std::string> args = {})
        : process(mock_binary, with_port(std::move(args))), port(process.wait_for_port())
    {
    }

    mock_server(serve_https_t, std::vector<std::string> args = {})
        : tls_dir(make_temp_dir()),
          process(mock_binary, with_port(with_generated_certificate(tls_dir, std::move(args)))),
          port(process.wait_for_port())
    {
    }

    ~mock_server()
    {
        if (!tls_dir.empty()) remove_tree(tls_dir);
    }
    mock_server(mock_server const&) = delete;
    mock_server& operator=(mock_server const&) = delete;

    static child_options with_port(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--host", "127.0.0.1", "--port", "0"});
        return {.args = std::move(args)};
    }

    static std::vector<std::string> with_generated_certificate(std::string const& dir, std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--tls-generate", dir});
        return args;
    }

    bool https() const { return !tls_dir.empty(); }
    std::string ca_file() const { return tls_dir + "/ca.pem"; }
    std::string base_url() const { return (https() ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port); }

    // A control request over the mock's own scheme (HTTPS trusts the generated CA).
    http_response request(std::string const& method, std::string const& target, header_list const& headers = {},
                          std::string const& body = {}) const
    {
        if (!https()) return http_request(port, method, target, headers, body);
        return https_request(port, ca_file(), method, target, headers, body);
    }
    boost::json::value stats() const { return request("GET", "/__mock/stats").json(); }
    void reset_stats() const { request("DELETE", "/__mock/stats"); }
    void set_faults(boost::json::object const& faults) const
    {
        request("POST", "/__mock/faults", {{"Content-Type", "application/json"}}, boost::json::serialize(faults));
    }
    // Forgets every access token the mock issued: the next /v1 call with one gets 401.
    void revoke_tokens() const { request("DELETE", "/__mock/tokens"); }
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

// Tool results: their text, and whether they are errors.
inline std::string text_of(boost::json::object const& result)
{
    std::string out;
    if (auto const* content = result.if_contains("content"); content && content->is_array())
        for (auto const& block : content->get_array())
            if (auto const* t = block.as_object().if_contains("text"); t && t->is_string()) out += t->get_string();
    return out;
}

inline bool is_error(boost::json::object const& result)
{
    auto const* flag = result.if_contains("isError");
    return flag && flag->is_bool() && flag->get_bool();
}

// Requests that reached the simulator's /v1 API, all paths together.
inline std::int64_t total_v1_requests(mock_server const& mock)
{
    std::int64_t total = 0;
    auto const stats = mock.stats();  // named: never range-for over a temporary's member
    for (auto const& [label, count] : stats.at("requests_by_path").as_object())
        if (label.find("/v1/") != boost::json::string::npos) total += count.to_number<std::int64_t>();
    return total;
}

inline void write_file(std::string const& path, std::string const& text)
{
    std::ofstream(path) << text;
}

// JUSTIFI_OAUTH_SCOPES' default, as challenges name them (space-separated).
inline std::string default_scopes()
{
    return "payments:read payments:write payouts:read payouts:write checkouts:read checkouts:write refunds:read "
           "refunds:write disputes:read balances:read payment_methods:read sub_accounts:read terminals:read "
           "proceeds:read";
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
