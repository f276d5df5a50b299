// The binary's command line, environment and .env handling, as a user meets them.
#include "tests/support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

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

// A cgroup of the `cpu` controller with a quota of half a CPU, made for one test and removed
// after it (its processes gone). Only where this test may make one: root, and a cgroup v1 cpu
// hierarchy or the cgroup v2 root with the cpu controller.
struct half_cpu_cgroup {
    std::string dir;

    half_cpu_cgroup()
    {
        std::string const name = "/justifi-test-" + std::to_string(::getpid());
        if (try_make("/sys/fs/cgroup/cpu,cpuacct" + name, false) || try_make("/sys/fs/cgroup/cpu" + name, false) ||
            try_make("/sys/fs/cgroup" + name, true))
            return;
        dir.clear();
    }
    ~half_cpu_cgroup()
    {
        if (!dir.empty()) eventually([this] { return ::rmdir(dir.c_str()) == 0; }, 5s);
    }
    half_cpu_cgroup(half_cpu_cgroup const&) = delete;
    half_cpu_cgroup& operator=(half_cpu_cgroup const&) = delete;

    // A shell that moves itself into the cgroup, then becomes the product binary.
    child_options enter(std::vector<std::string> args) const
    {
        child_options options;
        options.args = {"-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", dir, product_binary};
        options.args.insert(options.args.end(), args.begin(), args.end());
        return options;
    }

private:
    bool try_make(std::string const& path, bool v2)
    {
        auto const parent = path.substr(0, path.rfind('/'));
        if (::access((parent + (v2 ? "/cgroup.subtree_control" : "/cpu.cfs_quota_us")).c_str(), W_OK) != 0) return false;
        if (::mkdir(path.c_str(), 0755) != 0) return false;
        dir = path;
        std::ofstream quota(path + (v2 ? "/cpu.max" : "/cpu.cfs_quota_us"));
        quota << (v2 ? "50000 100000\n" : "50000\n");
        quota.close();
        // A process must be able to join it too (delegation can allow the one and not the other).
        auto const join = "/bin/sh -c 'echo $$ > \"$0/cgroup.procs\"' '" + path + "' 2>/dev/null";
        if (quota.good() && std::system(join.c_str()) == 0) return true;
        eventually([&path] { return ::rmdir(path.c_str()) == 0; }, 5s);
        dir.clear();
        return false;
    }
};

boost::test_tools::assertion_result can_make_cpu_cgroups(boost::unit_test::test_unit_id)
{
    half_cpu_cgroup probe;
    boost::test_tools::assertion_result result(!probe.dir.empty());
    result.message() << "no cgroup cpu hierarchy this test may write to (it needs root)";
    return result;
}

std::string threads_line(child_process const& process)
{
    BOOST_REQUIRE(process.wait_for_stderr("\"message\":\"listening\"", 20s));
    auto const text = process.stderr_text();
    auto const at = text.find("\"message\":\"listening\"");
    auto const previous_newline = text.rfind('\n', at);
    auto const begin = previous_newline == std::string::npos ? 0 : previous_newline + 1;
    return text.substr(begin, text.find('\n', at) - begin);
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

BOOST_AUTO_TEST_CASE(io_threads_default_to_the_cpus_it_may_run_on)
{
    child_options options{.args = {"-c", "0", product_binary, "--transport", "http", "--host", "127.0.0.1", "--port", "0"}};
    options.env = {{"MCP_AUTH", "none"}, {"JUSTIFI_OAUTH_VALIDATION", "none"}};
    child_process pinned("/usr/bin/taskset", options);
    auto const line = threads_line(pinned);
    BOOST_TEST(line.find("\"threads\":1") != std::string::npos, line);
    BOOST_TEST(pinned.stderr_text().find("\"threads\":1,\"cpus\":1") != std::string::npos, pinned.stderr_text());
}

BOOST_AUTO_TEST_CASE(io_threads_default_to_the_cgroup_cpu_quota_rounded_up,
                     *boost::unit_test::precondition(can_make_cpu_cgroups))
{
    half_cpu_cgroup cgroup;
    BOOST_TEST_REQUIRE(!cgroup.dir.empty());
    auto options = cgroup.enter({"--transport", "http", "--host", "127.0.0.1", "--port", "0"});
    options.env = {{"MCP_AUTH", "none"}, {"JUSTIFI_OAUTH_VALIDATION", "none"}};
    {
        child_process limited("/bin/sh", options);
        auto const line = threads_line(limited);
        BOOST_TEST(line.find("\"threads\":1") != std::string::npos, line);
        BOOST_TEST(limited.stderr_text().find("\"cpu_quota_millicpus\":500") != std::string::npos, limited.stderr_text());
        // It still serves.
        auto const health = http_request(limited.wait_for_port(), "GET", "/health");
        BOOST_TEST(health.status == 200);
    }
    // MCP_THREADS wins over the quota.
    options.env.emplace_back("MCP_THREADS", "3");
    child_process explicit_count("/bin/sh", options);
    auto const line = threads_line(explicit_count);
    BOOST_TEST(line.find("\"threads\":3") != std::string::npos, line);
    BOOST_TEST(explicit_count.stderr_text().find("cpu_quota") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
