// Settings: the sans-io parsers (.env, durations, lists) and load() driven by argv
// arrays, the environment and temporary .env files.
#include "server/config.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;
namespace cfg = justifi::server::config;

namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

// KEY=VALUE strings, which Boost.Test can print when a comparison fails.
std::vector<std::string> dotenv_ok(std::string_view text)
{
    auto out = cfg::parse_dotenv(text);
    if (!out) BOOST_FAIL("unexpected .env error: " << out.error().message);
    std::vector<std::string> flat;
    for (auto const& [key, value] : *out) flat.push_back(key + "=" + value);
    return flat;
}

// A refused .env's line number and reason, read back from "line N: reason".
struct dotenv_error {
    std::size_t line;
    std::string reason;
};

dotenv_error dotenv_bad(std::string_view text)
{
    auto out = cfg::parse_dotenv(text);
    if (out) BOOST_FAIL("parse_dotenv accepted: " << text);
    auto const& message = out.error().message;
    BOOST_TEST((out.error().code == justifi::core::errc::invalid_config));
    BOOST_REQUIRE(message.starts_with("line "));
    auto const colon = message.find(": ");
    BOOST_REQUIRE(colon != std::string::npos);
    return {std::stoul(message.substr(5, colon - 5)), message.substr(colon + 2)};
}

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

// Every variable load() reads. The fixture clears them for each test and puts back
// whatever the surrounding environment had, so tests neither see nor leak settings.
constexpr char const* setting_vars[] = {
    "MCP_TRANSPORT",      "MCP_HOST",          "MCP_PORT",          "LOG_LEVEL",        "MCP_PUBLIC_URL",
    "MCP_ALLOWED_ORIGINS", "MCP_ALLOWED_HOSTS", "MCP_SESSION_SECRET", "MCP_SESSION_TTL", "MCP_REQUEST_STATE_TTL", "MCP_DRAIN_TIMEOUT",
    "MCP_HEADER_TIMEOUT", "MCP_IDLE_TIMEOUT",  "MCP_WRITE_TIMEOUT", "MCP_MAX_CONNECTIONS", "MCP_MAX_BODY_BYTES",
    "MCP_THREADS",        "JUSTIFI_AUTH0_DOMAIN", "JUSTIFI_AUTH0_AUDIENCE", "JUSTIFI_OAUTH_ISSUER",
    "JUSTIFI_OAUTH_SCOPES", "MCP_TRUST_PROXY",   "MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS", "JUSTIFI_UPSTREAM_AUTH",
    "JUSTIFI_EXCHANGE_CLIENT_ID", "JUSTIFI_EXCHANGE_CLIENT_SECRET", "JUSTIFI_REQUIRE_DPOP", "JUSTIFI_OAUTH_VALIDATION",
    "JUSTIFI_SCOPE_IMPLICATIONS",
};

struct clean_environment {
    std::map<std::string, std::optional<std::string>> saved;
    std::vector<std::filesystem::path> files;

    clean_environment()
    {
        for (auto const* name : setting_vars) {
            auto const* v = std::getenv(name);
            saved[name] = v ? std::optional<std::string>(v) : std::nullopt;
            ::unsetenv(name);
        }
    }
    ~clean_environment()
    {
        for (auto const& [name, value] : saved) {
            if (value) ::setenv(name.c_str(), value->c_str(), 1);
            else ::unsetenv(name.c_str());
        }
        std::error_code ec;
        for (auto const& f : files) std::filesystem::remove(f, ec);
    }

    // A .env file unique to this process and test.
    std::string write_env_file(std::string_view text)
    {
        auto path = std::filesystem::temp_directory_path() /
                    ("justifi-unit-" + std::to_string(::getpid()) + "-" + std::to_string(files.size()) + ".env");
        std::ofstream(path) << text;
        files.push_back(path);
        return path.string();
    }
};

// load() with argv; a nonexistent --env-file keeps a stray ./.env out of the test.
std::variant<cfg::settings, justifi::core::exit_now> load(std::vector<std::string> args,
                                                       std::string env_file = "/nonexistent/justifi-unit.env")
{
    std::vector<std::string> storage{"justifi-mcp", "--env-file", std::move(env_file)};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char const*> argv;
    for (auto const& a : storage) argv.push_back(a.c_str());
    return cfg::load(static_cast<int>(argv.size()), argv.data());
}

cfg::settings loaded(std::vector<std::string> args, std::string env_file = "/nonexistent/justifi-unit.env")
{
    auto out = load(std::move(args), std::move(env_file));
    if (auto const* exit = std::get_if<justifi::core::exit_now>(&out))
        BOOST_FAIL("load() asked to exit " << exit->code << ": " << exit->text);
    return std::get<cfg::settings>(out);
}

justifi::core::exit_now exited(std::vector<std::string> args, std::string env_file = "/nonexistent/justifi-unit.env")
{
    auto out = load(std::move(args), std::move(env_file));
    if (!std::holds_alternative<justifi::core::exit_now>(out)) BOOST_FAIL("load() accepted the settings");
    return std::get<justifi::core::exit_now>(out);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

// ---- parse_dotenv

BOOST_AUTO_TEST_CASE(dotenv_quotes_comments_export)
{
    auto const vars = dotenv_ok(
        "# a comment line\n"
        "\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "DOUBLE=\"with spaces # not a comment\"\n"
        "SINGLE='single # quoted'\n"
        "INLINE=value # trailing comment\n"
        "HASH=a#b\n"
        "  SPACED  =  padded  \n"
        "EQUALS=a=b=c\n"
        "EMPTY=\n"
        "EMPTY_QUOTED=\"\"\n"
        "QUOTED_COMMENT=\"v\" # comment after quotes\n"
        "KEEP_INNER=\"it's\"\n");
    std::vector<std::string> const expected{
        "PLAIN=value",
        "EXPORTED=yes",
        "DOUBLE=with spaces # not a comment",
        "SINGLE=single # quoted",
        "INLINE=value",
        "HASH=a#b",  // only " #" starts a comment in an unquoted value
        "SPACED=padded",
        "EQUALS=a=b=c",
        "EMPTY=",
        "EMPTY_QUOTED=",
        "QUOTED_COMMENT=v",
        "KEEP_INNER=it's",
    };
    BOOST_TEST(vars == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dotenv_keeps_file_order_and_duplicates)
{
    // load() applies them in order with overwrite=0, so the first one wins there.
    auto const vars = dotenv_ok("B=1\nA=2\nB=3");
    std::vector<std::string> const expected{"B=1", "A=2", "B=3"};
    BOOST_TEST(vars == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dotenv_handles_crlf_and_missing_final_newline)
{
    auto const vars = dotenv_ok("A=1\r\nB=\"two\"\r\nC=3");
    std::vector<std::string> const expected{"A=1", "B=two", "C=3"};
    BOOST_TEST(vars == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dotenv_empty_and_comment_only_files)
{
    BOOST_TEST(dotenv_ok("").empty());
    BOOST_TEST(dotenv_ok("\n\n# only comments\n   \n").empty());
}

BOOST_AUTO_TEST_CASE(dotenv_error_names_line_and_problem)
{
    auto err = dotenv_bad("A=1\n\n# c\nNOT A SETTING\n");
    BOOST_TEST(err.line == 4u);
    BOOST_TEST(err.reason == "expected KEY=VALUE");
}

BOOST_AUTO_TEST_CASE(dotenv_rejects_invalid_names)
{
    for (auto text : {"1ABC=x", "MY-VAR=x", "A.B=x", "=x", "MY VAR=x"}) {
        auto err = dotenv_bad(text);
        BOOST_TEST(err.line == 1u, text);
        BOOST_TEST(contains(err.reason, "is not a valid variable name"), text);
    }
    // The message quotes the offending name.
    BOOST_TEST(dotenv_bad("OK=1\nMY-VAR=x").reason == "\"MY-VAR\" is not a valid variable name");
    BOOST_TEST(dotenv_bad("OK=1\nMY-VAR=x").line == 2u);
}

BOOST_AUTO_TEST_CASE(dotenv_rejects_unterminated_quote)
{
    auto err = dotenv_bad("A=1\nB=\"open\nC=3\n");
    BOOST_TEST(err.line == 2u);
    BOOST_TEST(err.reason == "unterminated quoted value");
    BOOST_TEST(dotenv_bad("A='x").reason == "unterminated quoted value");
}

BOOST_AUTO_TEST_CASE(dotenv_rejects_text_after_quoted_value)
{
    auto err = dotenv_bad("A=\"x\"y");
    BOOST_TEST(err.line == 1u);
    BOOST_TEST(err.reason == "unexpected text after quoted value");
}

// ---- parse_duration

BOOST_AUTO_TEST_CASE(duration_units)
{
    BOOST_TEST(cfg::parse_duration("250ms").value_or(-1ms).count() == 250);
    BOOST_TEST(cfg::parse_duration("20s").value_or(-1ms).count() == 20'000);
    BOOST_TEST(cfg::parse_duration("2m").value_or(-1ms).count() == 120'000);
    BOOST_TEST(cfg::parse_duration("24h").value_or(-1ms).count() == 86'400'000);
    // A bare number is seconds.
    BOOST_TEST(cfg::parse_duration("15").value_or(-1ms).count() == 15'000);
    BOOST_TEST(cfg::parse_duration("0").value_or(-1ms).count() == 0);
}

BOOST_AUTO_TEST_CASE(duration_rejects_malformed)
{
    for (auto text : {"", "s", "ms", "-5s", "+5s", "1.5s", "5 s", " 5s", "5s ", "5S", "5d", "5sec", "10mss", "1e3"})
        BOOST_TEST(!cfg::parse_duration(text).has_value(), "accepted \"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(duration_rejects_absurdly_large_values)
{
    // Up to a billion units is accepted; beyond that it would overflow or be nonsense.
    BOOST_TEST(cfg::parse_duration("1000000000h").has_value());
    BOOST_TEST(!cfg::parse_duration("1000000001s").has_value());
    BOOST_TEST(!cfg::parse_duration("99999999999999999999999s").has_value());
}

// ---- split_list

BOOST_AUTO_TEST_CASE(split_list_trims_and_drops_empty_items)
{
    std::vector<std::string> const expected{"a", "b c", "d"};
    auto const got = cfg::split_list(" a ,, b c ,\td\t, ");
    BOOST_TEST(got == expected, boost::test_tools::per_element());
    BOOST_TEST(cfg::split_list("").empty());
    BOOST_TEST(cfg::split_list(" , ,").empty());
    BOOST_TEST(cfg::split_list("*").size() == 1u);
}

// ---- load

BOOST_FIXTURE_TEST_CASE(defaults_when_nothing_is_set, clean_environment)
{
    auto const s = loaded({});
    BOOST_TEST((s.transport == cfg::transport_kind::stdio));
    BOOST_TEST(s.host == "127.0.0.1");
    BOOST_TEST(s.port == 8080);
    BOOST_TEST((s.log_level == justifi::core::log::level::info));
    BOOST_TEST(s.public_url.empty());
    BOOST_TEST(s.allowed_origins.empty());
    BOOST_TEST(s.allowed_hosts.empty());
    BOOST_TEST(s.session_secret.empty());
    BOOST_TEST(s.session_ttl.count() == 24 * 3600);
    BOOST_TEST(s.drain_timeout.count() == 20'000);
    BOOST_TEST(s.max_body_bytes == 1024u * 1024u);
    BOOST_TEST(s.threads == 0u);
}

BOOST_FIXTURE_TEST_CASE(flags_in_both_spellings, clean_environment)
{
    auto const s = loaded({"--transport=HTTP", "--port", "9001", "--log-level", "WARN", "--threads=4",
                           "--drain-timeout", "0", "--header-timeout", "100ms", "--session-ttl", "1m",
                           "--max-connections", "1", "--max-body-bytes", "1024"});
    BOOST_TEST((s.transport == cfg::transport_kind::http));
    BOOST_TEST(s.port == 9001);
    BOOST_TEST((s.log_level == justifi::core::log::level::warning));
    BOOST_TEST(s.threads == 4u);
    BOOST_TEST(s.drain_timeout.count() == 0);
    BOOST_TEST(s.header_timeout.count() == 100);
    BOOST_TEST(s.session_ttl.count() == 60);
    BOOST_TEST(s.max_connections == 1u);
    BOOST_TEST(s.max_body_bytes == 1024u);
}

BOOST_FIXTURE_TEST_CASE(flag_beats_environment, clean_environment)
{
    ::setenv("MCP_PORT", "7001", 1);
    BOOST_TEST(loaded({}).port == 7001);
    BOOST_TEST(loaded({"--port", "7002"}).port == 7002);
}

BOOST_FIXTURE_TEST_CASE(empty_environment_variable_is_ignored, clean_environment)
{
    // MCP_PORT= in a shell means "unset", not "invalid".
    ::setenv("MCP_PORT", "", 1);
    BOOST_TEST(loaded({}).port == 8080);
}

BOOST_FIXTURE_TEST_CASE(environment_beats_dotenv_and_dotenv_beats_default, clean_environment)
{
    ::setenv("MCP_PORT", "7003", 1);
    auto const file = write_env_file("MCP_PORT=7004\nMCP_MAX_BODY_BYTES=4096\n");
    auto const s = loaded({}, file);
    BOOST_TEST(s.port == 7003);
    BOOST_TEST(s.max_body_bytes == 4096u);
    // The .env value was exported into the process environment (only where unset).
    BOOST_TEST(std::string(std::getenv("MCP_MAX_BODY_BYTES")) == "4096");
    BOOST_TEST(std::string(std::getenv("MCP_PORT")) == "7003");
}

BOOST_FIXTURE_TEST_CASE(invalid_dotenv_file_names_path_and_line, clean_environment)
{
    auto const file = write_env_file("MCP_PORT=1\nbroken line\n");
    auto const exit = exited({}, file);
    BOOST_TEST(exit.code == 2);
    BOOST_TEST(contains(exit.text, "invalid .env file"));
    BOOST_TEST(contains(exit.text, file));
    BOOST_TEST(contains(exit.text, "line 2"));
    BOOST_TEST(contains(exit.text, "expected KEY=VALUE"));
}

BOOST_FIXTURE_TEST_CASE(missing_dotenv_file_is_fine, clean_environment)
{
    BOOST_TEST(loaded({}, "/nonexistent/dir/.env").port == 8080);
}

BOOST_FIXTURE_TEST_CASE(help_and_version_exit_zero, clean_environment)
{
    auto const help = exited({"--help"});
    BOOST_TEST(help.code == 0);
    BOOST_TEST(contains(help.text, "Usage: justifi-mcp"));
    // Every setting documents its environment variable.
    for (auto const* name : setting_vars) BOOST_TEST(contains(help.text, name), name);

    auto const short_help = exited({"-h"});
    BOOST_TEST(short_help.code == 0);

    auto const version = exited({"--version"});
    BOOST_TEST(version.code == 0);
    BOOST_TEST(version.text.starts_with("justifi-mcp "));
    BOOST_TEST(exited({"-V"}).code == 0);
}

BOOST_FIXTURE_TEST_CASE(unknown_flag_exits_two_naming_it, clean_environment)
{
    auto const exit = exited({"--no-such-flag"});
    BOOST_TEST(exit.code == 2);
    BOOST_TEST(contains(exit.text, "no-such-flag"));
    BOOST_TEST(contains(exit.text, "--help"));
}

BOOST_FIXTURE_TEST_CASE(invalid_value_names_source_value_and_rule, clean_environment)
{
    auto const flag = exited({"--port", "70000"});
    BOOST_TEST(flag.code == 2);
    BOOST_TEST(flag.text == "justifi-mcp: invalid --port \"70000\": must be an integer between 0 and 65535");

    ::setenv("MCP_TRANSPORT", "carrier-pigeon", 1);
    auto const env = exited({});
    BOOST_TEST(env.code == 2);
    BOOST_TEST(contains(env.text, "MCP_TRANSPORT"));
    BOOST_TEST(contains(env.text, "carrier-pigeon"));
    BOOST_TEST(contains(env.text, "\"stdio\" or \"http\""));
}

BOOST_FIXTURE_TEST_CASE(invalid_secret_is_never_echoed, clean_environment)
{
    auto const flag = exited({"--session-secret", "short-secret-value"});
    BOOST_TEST(flag.code == 2);
    BOOST_TEST(contains(flag.text, "--session-secret"));
    BOOST_TEST(contains(flag.text, "at least 32 characters"));
    BOOST_TEST(!contains(flag.text, "short-secret-value"));

    ::setenv("MCP_SESSION_SECRET", "env-short-secret", 1);
    auto const env = exited({});
    BOOST_TEST(contains(env.text, "MCP_SESSION_SECRET"));
    BOOST_TEST(!contains(env.text, "env-short-secret"));
}

BOOST_FIXTURE_TEST_CASE(session_secret_of_32_chars_is_accepted, clean_environment)
{
    std::string const secret(32, 'k');
    BOOST_TEST(loaded({"--session-secret", secret}).session_secret == secret);
}

BOOST_FIXTURE_TEST_CASE(numeric_ranges_are_enforced, clean_environment)
{
    BOOST_TEST(loaded({"--port", "0"}).port == 0);
    BOOST_TEST(loaded({"--port", "65535"}).port == 65535);
    // The = spelling keeps "-1" from being read as an option.
    for (std::string const arg : {"--port=-1", "--port=8080x", "--port=", "--threads=0", "--threads=257",
                                  "--max-connections=0", "--max-connections=1000001", "--max-body-bytes=1023",
                                  "--max-body-bytes=67108865"}) {
        auto const exit = exited({arg});
        BOOST_TEST(exit.code == 2, arg);
        BOOST_TEST(contains(exit.text, arg.substr(0, arg.find('='))), exit.text);
    }
}

BOOST_FIXTURE_TEST_CASE(duration_minimums_are_enforced, clean_environment)
{
    auto const header = exited({"--header-timeout", "99ms"});
    BOOST_TEST(contains(header.text, "--header-timeout"));
    BOOST_TEST(contains(header.text, "at least 100ms"));
    auto const ttl = exited({"--session-ttl", "59s"});
    BOOST_TEST(contains(ttl.text, "at least 60s"));
    BOOST_TEST(exited({"--idle-timeout", "soon"}).code == 2);
}

BOOST_FIXTURE_TEST_CASE(host_accepts_addresses_and_localhost_only, clean_environment)
{
    BOOST_TEST(loaded({"--host", "0.0.0.0"}).host == "0.0.0.0");
    BOOST_TEST(loaded({"--host", "::1"}).host == "::1");
    // localhost is resolved here so the DNS-rebinding default sees a loopback address.
    BOOST_TEST(loaded({"--host", "localhost"}).host == "127.0.0.1");
    auto const exit = exited({"--host", "example.com"});
    BOOST_TEST(contains(exit.text, "\"example.com\""));
    BOOST_TEST(contains(exit.text, "IPv4 or IPv6"));
}

BOOST_FIXTURE_TEST_CASE(public_url_is_normalised, clean_environment)
{
    BOOST_TEST(loaded({"--public-url", "HTTPS://MCP.Example.COM/"}).public_url == "https://mcp.example.com");
    BOOST_TEST(loaded({"--public-url", "https://mcp.example.com:8443/base//"}).public_url ==
               "https://mcp.example.com:8443/base");
    BOOST_TEST(contains(exited({"--public-url", "ftp://mcp.example.com"}).text, "http:// or https://"));
    BOOST_TEST(contains(exited({"--public-url", "mcp.example.com"}).text, "absolute"));
    BOOST_TEST(contains(exited({"--public-url", "https://mcp.example.com/?x=1"}).text, "query"));
    BOOST_TEST(contains(exited({"--public-url", "https://user@mcp.example.com"}).text, "user info"));
}

BOOST_FIXTURE_TEST_CASE(allowed_origins_are_normalised_and_validated, clean_environment)
{
    auto const s = loaded({"--allowed-origins", "HTTP://LocalHost:3000, https://app.example.com/ ,*"});
    std::vector<std::string> const expected{"http://localhost:3000", "https://app.example.com", "*"};
    BOOST_TEST(s.allowed_origins == expected, boost::test_tools::per_element());

    // A path is not part of an origin; the message names the offending entry.
    auto const exit = exited({"--allowed-origins", "https://ok.example.com,https://app.example.com/path"});
    BOOST_TEST(exit.code == 2);
    BOOST_TEST(contains(exit.text, "entry \"https://app.example.com/path\""));
    BOOST_TEST(contains(exit.text, "without a path"));
}

BOOST_FIXTURE_TEST_CASE(allowed_hosts_are_lowercased_and_validated, clean_environment)
{
    auto const s = loaded({"--allowed-hosts", "MCP.Example.com, *"});
    std::vector<std::string> const expected{"mcp.example.com", "*"};
    BOOST_TEST(s.allowed_hosts == expected, boost::test_tools::per_element());

    auto const exit = exited({"--allowed-hosts", "ok.example.com,https://bad.example.com"});
    BOOST_TEST(contains(exit.text, "entry \"https://bad.example.com\" must be a host name"));
}

// ---- OAuth settings

BOOST_FIXTURE_TEST_CASE(oauth_defaults_point_at_justifis_auth0_tenant, clean_environment)
{
    auto const s = loaded({});
    BOOST_TEST(s.auth0_domain == "justifi.us.auth0.com");
    BOOST_TEST(s.auth0_audience == "https://api.justifi.ai");
    BOOST_TEST(s.oauth_issuer() == "https://justifi.us.auth0.com/");
    BOOST_TEST(s.oauth_scopes == cfg::default_oauth_scopes(), boost::test_tools::per_element());
    BOOST_TEST(s.oauth_scopes.size() == 14u);
    BOOST_TEST(!s.trust_proxy);
    BOOST_TEST(s.allow_client_credential_headers);
}

BOOST_FIXTURE_TEST_CASE(issuer_follows_the_auth0_domain_unless_overridden, clean_environment)
{
    ::setenv("JUSTIFI_AUTH0_DOMAIN", "Tenant.EU.auth0.com", 1);
    BOOST_TEST(loaded({}).oauth_issuer() == "https://tenant.eu.auth0.com/");
    // The override is kept verbatim: tokens' `iss` is compared character for character.
    ::setenv("JUSTIFI_OAUTH_ISSUER", "https://auth.justifi.ai/", 1);
    BOOST_TEST(loaded({}).oauth_issuer() == "https://auth.justifi.ai/");
    BOOST_TEST(loaded({"--oauth-issuer", "https://login.example.com"}).oauth_issuer() == "https://login.example.com");
}

BOOST_FIXTURE_TEST_CASE(issuer_must_be_an_https_url, clean_environment)
{
    for (std::string const bad : {"http://auth.example.com/", "justifi.us.auth0.com", "ftp://auth.example.com/",
                                  "https://user@auth.example.com/", "https://auth.example.com/?x=1",
                                  "https://auth.example.com/#f"}) {
        auto const exit = exited({"--oauth-issuer", bad});
        BOOST_TEST(exit.code == 2, bad);
        BOOST_TEST(contains(exit.text, "--oauth-issuer"), exit.text);
        BOOST_TEST(contains(exit.text, "must be an https:// URL"), exit.text);
    }
    // A local authorization server for development may speak plain HTTP on loopback.
    BOOST_TEST(loaded({"--oauth-issuer", "http://127.0.0.1:9000/"}).oauth_issuer() == "http://127.0.0.1:9000/");
}

BOOST_FIXTURE_TEST_CASE(auth0_domain_must_be_a_host_name, clean_environment)
{
    for (std::string const bad : {"https://justifi.us.auth0.com", "justifi.us.auth0.com/", "two words"}) {
        auto const exit = exited({"--auth0-domain", bad});
        BOOST_TEST(exit.code == 2, bad);
        BOOST_TEST(contains(exit.text, "must be a host name"), exit.text);
    }
}

BOOST_FIXTURE_TEST_CASE(audience_must_not_contain_spaces, clean_environment)
{
    BOOST_TEST(loaded({"--auth0-audience", "https://api.example.com"}).auth0_audience == "https://api.example.com");
    auto const exit = exited({"--auth0-audience", "my api"});
    BOOST_TEST(exit.code == 2);
    BOOST_TEST(contains(exit.text, "--auth0-audience"));
    BOOST_TEST(contains(exit.text, "without spaces"));
}

BOOST_FIXTURE_TEST_CASE(scopes_are_a_comma_list_of_scope_tokens, clean_environment)
{
    ::setenv("JUSTIFI_OAUTH_SCOPES", " payments:read , refunds:write,", 1);
    std::vector<std::string> const expected{"payments:read", "refunds:write"};
    BOOST_TEST(loaded({}).oauth_scopes == expected, boost::test_tools::per_element());

    auto const spaced = exited({"--oauth-scopes", "payments:read payments:write"});
    BOOST_TEST(spaced.code == 2);
    BOOST_TEST(contains(spaced.text, "entry \"payments:read payments:write\" must be a scope without spaces"));
    BOOST_TEST(contains(exited({"--oauth-scopes", " , "}).text, "at least one scope"));
    BOOST_TEST(exited({"--oauth-scopes", "a\"b"}).code == 2);
}

BOOST_AUTO_TEST_CASE(scope_token_grammar)
{
    BOOST_TEST(cfg::is_scope_token("payments:read"));
    BOOST_TEST(cfg::is_scope_token("!#[]~"));
    for (auto bad : {"", "a b", "a\tb", "a\"b", "a\\b", "caf\xc3\xa9"})
        BOOST_TEST(!cfg::is_scope_token(bad), bad);
}

BOOST_FIXTURE_TEST_CASE(proxy_trust_and_credential_headers_are_booleans, clean_environment)
{
    ::setenv("MCP_TRUST_PROXY", "TRUE", 1);
    ::setenv("MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS", "false", 1);
    auto const s = loaded({});
    BOOST_TEST(s.trust_proxy);
    BOOST_TEST(!s.allow_client_credential_headers);
    auto const exit = exited({"--trust-proxy", "sometimes"});
    BOOST_TEST(exit.code == 2);
    BOOST_TEST(exit.text == "justifi-mcp: invalid --trust-proxy \"sometimes\": must be true or false");
    BOOST_TEST(contains(exited({"--allow-client-credential-headers", "maybe"}).text, "must be true or false"));
}

BOOST_AUTO_TEST_CASE(exchange_mode_needs_its_public_url_validation_and_client)
{
    clean_environment env;
    std::vector<std::string> const exchange{"--transport", "http", "--upstream-auth", "exchange"};
    auto with = [&exchange](std::vector<std::string> more) {
        auto args = exchange;
        args.insert(args.end(), more.begin(), more.end());
        return args;
    };
    BOOST_TEST(exited(exchange).text.find("needs MCP_PUBLIC_URL") != std::string::npos);
    BOOST_TEST(exited(with({"--public-url", "https://mcp.example.com", "--oauth-validation", "none"}))
                   .text.find("needs JUSTIFI_OAUTH_VALIDATION=jwks") != std::string::npos);
    BOOST_TEST(exited(with({"--public-url", "https://mcp.example.com"})).text.find("JUSTIFI_EXCHANGE_CLIENT_ID") !=
               std::string::npos);
    ::setenv("JUSTIFI_EXCHANGE_CLIENT_SECRET", "s3cret", 1);
    auto const s = loaded(with({"--public-url", "https://mcp.example.com", "--exchange-client-id", "mcp-exchange",
                                "--require-dpop", "true"}));
    BOOST_TEST(s.exchanges_tokens());
    BOOST_TEST(s.accepts_dpop());
    BOOST_TEST(s.require_dpop);
    // Only this server's resource is an accepted audience: a JustiFi API token is not for us.
    BOOST_TEST(s.accepted_audiences() ==
               (std::vector<std::string>{"https://mcp.example.com", "https://mcp.example.com/mcp"}));
    BOOST_TEST(exited({"--require-dpop", "true"}).text.find("needs JUSTIFI_UPSTREAM_AUTH=exchange") != std::string::npos);
    BOOST_TEST(exited({"--upstream-auth", "both"}).text.find("must be passthrough or exchange") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
