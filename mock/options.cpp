#include "mock/options.hpp"

#include "net/web_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace justifi::mock {
namespace {

namespace po = boost::program_options;

using apply_fn = std::function<core::outcome<void>(std::string const& value, mock_settings&)>;

core::refusal invalid(std::string why) { return core::refuse(core::errc::invalid_config, std::move(why)); }

struct setting_spec {
    char const* flag;
    char const* env;
    char const* default_text;
    char const* help;
    apply_fn apply;
};

std::optional<long long> parse_integer(std::string const& s, long long min, long long max)
{
    long long v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < min || v > max) return std::nullopt;
    return v;
}

apply_fn count_setting(std::uint64_t fault_settings::*member)
{
    return [member](std::string const& v, mock_settings& s) -> core::outcome<void> {
        auto const n = parse_integer(v, 0, 1'000'000'000);
        if (!n) return invalid("must be a non-negative integer");
        s.faults.*member = static_cast<std::uint64_t>(*n);
        return {};
    };
}

apply_fn text_setting(std::string mock_settings::*member)
{
    return [member](std::string const& v, mock_settings& s) -> core::outcome<void> {
        if (v.empty()) return invalid("must not be empty");
        s.*member = v;
        return {};
    };
}

// http:// only on loopback (nothing else to trust), https:// anywhere.
core::outcome<void> check_jwks_url(std::string const& v)
{
    auto const url = justifi::net::parse_web_url(v);
    if (!url) return invalid("must be an absolute http:// or https:// URL with a host");
    if (url->scheme == "https" || justifi::net::is_loopback_host(url->host)) return {};
    return invalid("may use http:// only for a loopback host (127.0.0.1, localhost); use https://");
}

apply_fn readable_file_setting(std::string mock_settings::*member)
{
    return [member](std::string const& v, mock_settings& s) -> core::outcome<void> {
        if (!std::ifstream(v)) return invalid("names a file that cannot be read");
        s.*member = v;
        return {};
    };
}

std::vector<setting_spec> const& specs()
{
    static std::vector<setting_spec> const table{
        {"host", "JUSTIFI_MOCK_HOST", "127.0.0.1", "address to listen on",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             boost::system::error_code ec;
             boost::asio::ip::make_address(v, ec);
             if (ec && v != "localhost") return invalid("must be an IPv4 or IPv6 address (or localhost)");
             s.host = v == "localhost" ? "127.0.0.1" : v;
             return {};
         }},
        {"port", "JUSTIFI_MOCK_PORT", "8081", "TCP port (0 picks a free one; the listening log line names it)",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const p = parse_integer(v, 0, 65535);
             if (!p) return invalid("must be an integer between 0 and 65535");
             s.port = static_cast<std::uint16_t>(*p);
             return {};
         }},
        {"seed", "JUSTIFI_MOCK_SEED", "42", "seed of the generated data: the same seed gives the same objects",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             std::uint64_t n = 0;
             auto const [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
             if (ec != std::errc{} || end != v.data() + v.size()) return invalid("must be a non-negative integer");
             s.seed = n;
             return {};
         }},
        {"client-id", "JUSTIFI_MOCK_CLIENT_ID", "test_client_id", "the only client_id POST /oauth/token accepts",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             if (v.empty()) return invalid("must not be empty");
             s.client_id = v;
             return {};
         }},
        {"client-secret", "JUSTIFI_MOCK_CLIENT_SECRET", "test_client_secret",
         "the only client_secret POST /oauth/token accepts",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             if (v.empty()) return invalid("must not be empty");
             s.client_secret = v;
             return {};
         }},
        {"extra-clients", "JUSTIFI_MOCK_EXTRA_CLIENTS", "",
         "more client credentials POST /oauth/token accepts, as comma-separated id:secret pairs",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             s.extra_clients.clear();
             std::string_view rest = v;
             while (!rest.empty()) {
                 auto const comma = rest.find(',');
                 auto const pair = rest.substr(0, comma);
                 auto const colon = pair.find(':');
                 if (colon == std::string_view::npos || colon == 0 || colon + 1 == pair.size())
                     return invalid("must be comma-separated id:secret pairs");
                 s.extra_clients.emplace_back(pair.substr(0, colon), pair.substr(colon + 1));
                 rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
             }
             return {};
         }},
        {"token-ttl", "JUSTIFI_MOCK_TOKEN_TTL", "86400", "lifetime of issued access tokens, in seconds",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const n = parse_integer(v, 1, 365LL * 86400);
             if (!n) return invalid("must be a number of seconds from 1 to 31536000");
             s.token_ttl = std::chrono::seconds(*n);
             return {};
         }},
        {"log-level", "JUSTIFI_MOCK_LOG_LEVEL", "info", "stderr log threshold: debug, info, warning, error or off",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const l = core::log::parse_level(v);
             if (!l) return invalid("must be one of debug, info, warning, error, off");
             s.log_level = *l;
             return {};
         }},
        {"threads", "JUSTIFI_MOCK_THREADS", "one per usable CPU", "I/O threads",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const n = parse_integer(v, 1, 256);
             if (!n) return invalid("must be an integer between 1 and 256");
             s.threads = static_cast<unsigned>(*n);
             return {};
         }},
        {"latency-ms", "JUSTIFI_MOCK_LATENCY_MS", "0", "fault: milliseconds added to every /v1 response",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const n = parse_integer(v, 0, 600'000);
             if (!n) return invalid("must be an integer from 0 to 600000");
             s.faults.latency = std::chrono::milliseconds(*n);
             return {};
         }},
        {"fail-rate", "JUSTIFI_MOCK_FAIL_RATE", "0", "fault: fraction (0 to 1) of /v1 requests answered with --fail-status",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             char* end = nullptr;
             double const rate = std::strtod(v.c_str(), &end);
             if (v.empty() || *end != '\0' || !(rate >= 0.0 && rate <= 1.0)) return invalid("must be a number from 0 to 1");
             s.faults.fail_rate = rate;
             return {};
         }},
        {"fail-status", "JUSTIFI_MOCK_FAIL_STATUS", "503", "fault: HTTP status of injected failures (400-599)",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const n = parse_integer(v, 400, 599);
             if (!n) return invalid("must be an HTTP status from 400 to 599");
             s.faults.fail_status = static_cast<int>(*n);
             return {};
         }},
        {"fail-first", "JUSTIFI_MOCK_FAIL_FIRST", "0", "fault: the first N /v1 requests answer --fail-status",
         count_setting(&fault_settings::fail_first)},
        {"rate-limit-first", "JUSTIFI_MOCK_RATE_LIMIT_FIRST", "0",
         "fault: the first N /v1 requests answer 429 with Retry-After: 1", count_setting(&fault_settings::rate_limit_first)},
        {"drop-first", "JUSTIFI_MOCK_DROP_FIRST", "0",
         "fault: the first N /v1 requests have their connection closed before a complete answer",
         count_setting(&fault_settings::drop_first)},
        {"drop-after-first", "JUSTIFI_MOCK_DROP_AFTER_FIRST", "0",
         "fault: the first N /v1 requests are processed (their answer kept under their Idempotency-Key), then their "
         "connection is closed without the answer",
         count_setting(&fault_settings::drop_after_first)},
        {"jwks-file", "JUSTIFI_MOCK_JWKS_FILE", "none",
         "also accept bearer JWTs signed by a key of this JWKS file (with --jwt-issuer and --jwt-audience)",
         readable_file_setting(&mock_settings::jwks_file)},
        {"jwks-url", "JUSTIFI_MOCK_JWKS_URL", "none",
         "also accept bearer JWTs signed by a key of the JWKS at this URL (https://, or http:// on loopback); fetched "
         "at start and again, at most once per --jwks-refresh-interval, when a token names an unknown kid",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             if (auto checked = check_jwks_url(v); !checked) return checked;
             s.jwks_url = v;
             return {};
         }},
        {"jwks-ca-file", "JUSTIFI_MOCK_JWKS_CA_FILE", "the system store",
         "PEM CA certificates trusted for an https --jwks-url, besides the system store",
         readable_file_setting(&mock_settings::jwks_ca_file)},
        {"jwks-refresh-interval", "JUSTIFI_MOCK_JWKS_REFRESH_INTERVAL", "60",
         "least number of seconds between two loads of the JWKS (file or URL) on unknown kids",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             auto const n = parse_integer(v, 0, 86'400);
             if (!n) return invalid("must be a number of seconds from 0 to 86400");
             s.jwks_refresh_interval = std::chrono::seconds(*n);
             return {};
         }},
        {"jwt-issuer", "JUSTIFI_MOCK_JWT_ISSUER", "none", "the \"iss\" accepted bearer JWTs must have",
         text_setting(&mock_settings::jwt_issuer)},
        {"jwt-audience", "JUSTIFI_MOCK_JWT_AUDIENCE", "none",
         "the audience accepted bearer JWTs must have (their \"aud\", or one entry of it)",
         text_setting(&mock_settings::jwt_audience)},
        {"tls-cert", "JUSTIFI_MOCK_TLS_CERT", "none (plain HTTP)",
         "serve HTTPS with this PEM certificate chain (the server's certificate first); needs --tls-key",
         readable_file_setting(&mock_settings::tls_cert_file)},
        {"tls-key", "JUSTIFI_MOCK_TLS_KEY", "none", "PEM private key of --tls-cert",
         readable_file_setting(&mock_settings::tls_key_file)},
        {"tls-generate", "JUSTIFI_MOCK_TLS_GENERATE", "none (plain HTTP)",
         "serve HTTPS with a CA and a certificate it signs, generated at start into this directory as ca.pem, "
         "cert.pem and key.pem; trust ca.pem (JUSTIFI_CA_FILE)",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             if (v.empty()) return invalid("must name a directory");
             s.tls_generate_dir = v;
             return {};
         }},
        {"tls-names", "JUSTIFI_MOCK_TLS_NAMES", "localhost,127.0.0.1",
         "comma-separated host names and IP addresses a --tls-generate certificate is valid for",
         [](std::string const& v, mock_settings& s) -> core::outcome<void> {
             std::vector<std::string> names;
             for (std::size_t start = 0; start <= v.size();) {
                 auto const end = std::min(v.find(',', start), v.size());
                 auto const name = v.substr(start, end - start);
                 boost::system::error_code ec;
                 boost::asio::ip::make_address(name, ec);
                 bool const host_name = !name.empty() && name.size() <= 253 &&
                                        std::all_of(name.begin(), name.end(), [](unsigned char c) {
                                            return std::isalnum(c) || c == '-' || c == '.' || c == '*';
                                        });
                 if (ec && !host_name) return invalid("must be host names or IP addresses separated by commas");
                 names.push_back(name);
                 start = end + 1;
             }
             s.tls_names = std::move(names);
             return {};
         }},
    };
    return table;
}

std::string help_text(po::options_description const& desc)
{
    std::ostringstream out;
    out << "justifi-mock: an offline simulator of the JustiFi API (https://api.justifi.ai) for tests,\n"
        << "benchmarks and trying justifi-mcp without an account.\n\n"
        << "Usage: justifi-mock [options]\n\n"
        << "Point the server at it with JUSTIFI_BASE_URL=http://127.0.0.1:<port> and the client\n"
        << "credentials below. Every option can also be set by the environment variable shown.\n"
        << "For HTTPS, --tls-generate DIR writes a CA to trust: JUSTIFI_BASE_URL=https://127.0.0.1:<port>\n"
        << "JUSTIFI_CA_FILE=DIR/ca.pem.\n\n"
        << desc << "\n"
        << "Run-time control (no auth): GET /__mock/stats, DELETE /__mock/stats, GET and POST\n"
        << "/__mock/faults with {latency_ms, fail_rate, fail_status, fail_first, rate_limit_first,\n"
        << "drop_first, drop_after_first, cut_first, html_first}, POST /__mock/reset (the seeded data again), DELETE\n"
        << "/__mock/tokens (forgets every access token issued so far). Test tokens usable from any sub\n"
        << "account: pm_test_visa, pm_test_card_declined, pm_test_insufficient_funds,\n"
        << "pm_test_expired_card, pm_test_bank_account, pm_test_ach_insufficient_funds and more (see\n"
        << "mock/README.md).\n";
    return out.str();
}

}  // namespace

std::variant<mock_settings, core::exit_now> load_settings(int argc, char const* const* argv)
{
    po::options_description desc("Options");
    desc.add_options()("help,h", "print this help and exit");
    for (auto const& spec : specs()) {
        std::string text = std::string(spec.help) + "\n  env " + spec.env + ", default " + spec.default_text;
        desc.add_options()(spec.flag, po::value<std::string>()->value_name("VALUE"), text.c_str());
    }
    po::variables_map cli;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), cli);
    } catch (po::error const& e) {
        return core::exit_now{2, std::string("justifi-mock: ") + e.what() + " (see --help)"};
    }
    if (cli.count("help")) return core::exit_now{0, help_text(desc)};

    mock_settings s;
    auto const flag_value = [&cli](char const* name) -> std::optional<std::string> {
        if (!cli.count(name)) return std::nullopt;
        return cli[name].as<std::string>();
    };
    if (auto applied = core::apply_settings(specs(), flag_value, s, "justifi-mock"); !applied)
        return core::exit_now{2, applied.error().message};
    if (s.tls_cert_file.empty() != s.tls_key_file.empty())
        return core::exit_now{2, "justifi-mock: --tls-cert and --tls-key go together: give both, or neither for plain HTTP"};
    if (!s.tls_cert_file.empty() && !s.tls_generate_dir.empty())
        return core::exit_now{2, "justifi-mock: use either --tls-cert and --tls-key, or --tls-generate, not both"};
    if (!s.jwks_file.empty() && !s.jwks_url.empty())
        return core::exit_now{2, "justifi-mock: use either --jwks-file or --jwks-url, not both"};
    if (s.accepts_jwts() && (s.jwt_issuer.empty() || s.jwt_audience.empty()))
        return core::exit_now{2, "justifi-mock: --jwks-file and --jwks-url need --jwt-issuer and --jwt-audience: the "
                                   "issuer and audience accepted tokens must carry"};
    if (!s.accepts_jwts() && (!s.jwt_issuer.empty() || !s.jwt_audience.empty() || !s.jwks_ca_file.empty()))
        return core::exit_now{2, "justifi-mock: --jwt-issuer, --jwt-audience and --jwks-ca-file go with --jwks-file "
                                   "or --jwks-url (the keys to verify tokens with)"};
    return s;
}

}  // namespace justifi::mock
