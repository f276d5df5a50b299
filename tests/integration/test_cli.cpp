// The binary's command line, environment and .env handling, as a user meets them.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace justifi::test;
using namespace std::chrono_literals;

namespace {

struct finished_run {
    int exit_code;
    std::string out;
    std::string err;
};

finished_run run_to_exit(child_options options)
{
    child_process process(product_binary, std::move(options));
    process.close_stdin();
    auto const code = process.wait(20s);
    BOOST_REQUIRE_MESSAGE(code, "process did not exit");
    BOOST_REQUIRE(process.wait_for_output_end(5s));
    return {*code, process.stdout_text(), process.stderr_text()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(version_flag_prints_version_and_exits_zero)
{
    auto const run = run_to_exit({.args = {"--version"}});
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.out.starts_with("justifi-mcp 0.1.0"));
}

BOOST_AUTO_TEST_CASE(health_subcommand_is_the_containers_healthcheck)
{
    http_server server({}, product_binary);
    auto const port = std::to_string(server.port);
    BOOST_TEST(run_to_exit({.args = {"health", "--port", port}}).exit_code == 0);
    BOOST_TEST(run_to_exit({.args = {"health"}, .env = {{"MCP_PORT", port}}}).exit_code == 0);

    // A server that has stopped: the probe says unhealthy and why.
    server.process.send_signal(SIGTERM);
    server.process.wait(15s);
    auto const gone = run_to_exit({.args = {"health", "--port", port}});
    BOOST_TEST(gone.exit_code == 1);
    BOOST_TEST(gone.err.find("unhealthy: cannot connect to 127.0.0.1:" + port) != std::string::npos, gone.err);

    auto const bad = run_to_exit({.args = {"health", "--port", "0"}});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.err.find("port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(help_names_every_setting_and_its_environment_variable)
{
    auto const run = run_to_exit({.args = {"--help"}});
    BOOST_TEST(run.exit_code == 0);
    for (char const* name : {"--transport", "MCP_TRANSPORT", "--host", "MCP_HOST", "--port", "MCP_PORT", "--log-level",
                             "LOG_LEVEL", "--public-url", "MCP_PUBLIC_URL", "--allowed-origins", "MCP_ALLOWED_ORIGINS",
                             "--session-secret", "MCP_SESSION_SECRET", "--drain-timeout", "MCP_DRAIN_TIMEOUT",
                             "--max-body-bytes", "MCP_MAX_BODY_BYTES", "--max-connections", "MCP_MAX_CONNECTIONS"})
        BOOST_TEST(run.out.find(name) != std::string::npos, name << " missing from --help");
}

BOOST_AUTO_TEST_CASE(out_of_range_port_flag_exits_nonzero_with_one_line_naming_it)
{
    auto const run = run_to_exit({.args = {"--port", "99999"}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("--port") != std::string::npos);
    BOOST_TEST(run.err.find("99999") != std::string::npos);
    BOOST_TEST(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    BOOST_TEST(run.out.empty());
}

BOOST_AUTO_TEST_CASE(unknown_transport_in_environment_names_the_variable)
{
    auto const run = run_to_exit({.env = {{"MCP_TRANSPORT", "carrier-pigeon"}}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("MCP_TRANSPORT") != std::string::npos);
    BOOST_TEST(run.err.find("carrier-pigeon") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_flag_is_refused)
{
    auto const run = run_to_exit({.args = {"--no-such-flag"}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("no-such-flag") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(short_session_secret_is_refused_without_echoing_it)
{
    auto const run = run_to_exit({.env = {{"MCP_SESSION_SECRET", "tooshort-SECRETVALUE"}}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("MCP_SESSION_SECRET") != std::string::npos);
    BOOST_TEST(run.err.find("SECRETVALUE") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(dotenv_in_working_directory_configures_the_server)
{
    auto const dir = make_temp_dir();
    write_file(dir + "/.env", "# local settings\nexport MCP_TRANSPORT=http\nMCP_PORT=\"0\"\nLOG_LEVEL=info # inline\n");
    {
        child_process process(product_binary, {.cwd = dir});
        auto const port = process.wait_for_port();
        BOOST_TEST(http_request(port, "GET", "/health").status == 200);
    }
    remove_tree(dir);
}

BOOST_AUTO_TEST_CASE(real_environment_wins_over_dotenv)
{
    auto const dir = make_temp_dir();
    // The .env value would be refused; the environment's must be the one used.
    write_file(dir + "/.env", "MCP_TRANSPORT=http\nMCP_PORT=99999\n");
    {
        child_process process(product_binary, {.env = {{"MCP_PORT", "0"}}, .cwd = dir});
        BOOST_TEST(http_request(process.wait_for_port(), "GET", "/health").status == 200);
    }
    remove_tree(dir);
}

BOOST_AUTO_TEST_CASE(flag_wins_over_environment)
{
    child_process process(product_binary, {.args = {"--transport", "http", "--port", "0"},
                                           .env = {{"MCP_PORT", "99999"}, {"MCP_TRANSPORT", "stdio"}}});
    BOOST_TEST(http_request(process.wait_for_port(), "GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(malformed_dotenv_names_the_file_and_line)
{
    auto const dir = make_temp_dir();
    write_file(dir + "/.env", "MCP_PORT=0\nthis line has no equals sign\n");
    auto const run = run_to_exit({.cwd = dir});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find(".env line 2") != std::string::npos);
    remove_tree(dir);
}

BOOST_AUTO_TEST_CASE(stdio_without_justifi_credentials_exits_naming_them)
{
    auto const run = run_to_exit({.unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET"}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("JUSTIFI_CLIENT_ID") != std::string::npos);
    BOOST_TEST(run.err.find("JUSTIFI_CLIENT_SECRET") != std::string::npos);
    BOOST_TEST(run.out.empty());
}

BOOST_AUTO_TEST_CASE(auth_none_is_refused_unless_bound_to_loopback)
{
    auto const run = run_to_exit({.args = {"--transport", "http", "--host", "0.0.0.0", "--port", "0"},
                                  .env = {{"MCP_AUTH", "none"}}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("MCP_AUTH") != std::string::npos);
    BOOST_TEST(run.err.find("loopback") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_http_base_url_is_refused_for_a_remote_host)
{
    auto const run = run_to_exit({.env = {{"JUSTIFI_BASE_URL", "http://api.justifi.ai"}}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("JUSTIFI_BASE_URL") != std::string::npos);
    BOOST_TEST(run.err.find("loopback") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_http_base_url_is_refused_for_a_domain_that_merely_starts_with_127)
{
    // Loopback is a parsed address, not a prefix: this name resolves wherever its owner likes.
    for (auto const* url : {"http://127.evil.example", "http://127.0.0.1.evil.example:8081"}) {
        auto const run = run_to_exit({.env = {{"JUSTIFI_BASE_URL", url}}});
        BOOST_TEST(run.exit_code == 2, url);
        BOOST_TEST(run.err.find("only for a loopback host") != std::string::npos, run.err);
    }
}

BOOST_AUTO_TEST_CASE(a_public_bind_without_a_public_url_is_refused_at_start)
{
    // Otherwise the OAuth resource (and its cached metadata) would come from whatever Host a caller sends.
    auto const run = run_to_exit({.args = {"--transport", "http", "--host", "0.0.0.0", "--port", "0"},
                                  .unset_env = {"MCP_AUTH", "MCP_PUBLIC_URL"}});
    BOOST_TEST(run.exit_code == 2);
    BOOST_TEST(run.err.find("MCP_PUBLIC_URL must be set") != std::string::npos, run.err);
    // Loopback (a developer, or ngrok in front) needs none.
    http_server local({.unset_env = {"MCP_AUTH", "MCP_PUBLIC_URL"}}, product_binary);
    BOOST_TEST(http_request(local.port, "GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(port_already_in_use_exits_nonzero_with_reason)
{
    http_server first({}, product_binary);
    auto const run = run_to_exit({.args = {"--transport", "http", "--port", std::to_string(first.port)}});
    BOOST_TEST(run.exit_code == 1);
    BOOST_TEST(run.err.find("cannot listen") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
