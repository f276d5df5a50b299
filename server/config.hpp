// Settings: every one has a flag and an environment variable; a .env file in the
// working directory fills in what the real environment leaves unset.
// Flag > environment > .env > default.
#pragma once

#include "server/log.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace justifi::config {

enum class transport_kind { stdio, http };

struct settings {
    transport_kind transport = transport_kind::stdio;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    log::level log_level = log::level::info;
    std::string public_url;  // normalised: scheme://host[:port], no trailing slash; empty when unset
    std::vector<std::string> allowed_origins;  // exact origins, or "*"
    std::vector<std::string> allowed_hosts;    // host names (no port), or "*"
    std::string session_secret;                // empty: a random key per process
    std::chrono::seconds session_ttl{24 * 3600};
    std::chrono::milliseconds drain_timeout{20'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{120'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::size_t max_connections = 10'000;
    std::size_t max_body_bytes = 1024 * 1024;
    unsigned threads = 0;  // 0: one per core

    // The JustiFi side.
    std::string justifi_base_url = "https://api.justifi.ai";  // normalised
    std::chrono::milliseconds justifi_timeout{30'000};
    std::string justifi_ca_file;
    std::string justifi_client_id;
    std::string justifi_client_secret;
    bool read_only = false;
    std::vector<std::string> enabled_tools;  // empty: the whole catalog

    // "none": local development without OAuth; HTTP requests that bring no credentials are
    // served with the configured client credentials. Refused unless bound to loopback.
    bool auth_none = false;
};

// What main() should do instead of serving.
struct exit_now {
    int code;
    std::string text;  // to stdout for help/version (code 0), to stderr otherwise
};

std::variant<settings, exit_now> load(int argc, char const* const* argv);

// Sans-io pieces, unit-tested.
struct dotenv_error {
    std::size_t line;
    std::string reason;
};
std::variant<std::vector<std::pair<std::string, std::string>>, dotenv_error> parse_dotenv(std::string_view text);
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::vector<std::string> split_list(std::string_view text);

}  // namespace justifi::config
