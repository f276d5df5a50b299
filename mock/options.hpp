// justifi-mock's settings: every one has a flag and an environment variable
// (flag > environment > default), in the style of server/config.
#pragma once

#include "mock/faults.hpp"
#include "core/settings.hpp"
#include "core/log.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace justifi::mock {

struct mock_settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8081;
    std::uint64_t seed = 42;
    std::string client_id = "test_client_id";
    std::string client_secret = "test_client_secret";
    // More API clients the token endpoint accepts (id, secret): merchants of their own.
    std::vector<std::pair<std::string, std::string>> extra_clients;
    std::chrono::seconds token_ttl{86'400};
    core::log::level log_level = core::log::level::info;
    unsigned threads = 0;  // 0: one per core
    fault_settings faults;
    // HTTPS: a given certificate chain and key, or a CA and certificate generated into a directory.
    std::string tls_cert_file;
    std::string tls_key_file;
    std::string tls_generate_dir;
    std::vector<std::string> tls_names{"localhost", "127.0.0.1"};  // what a generated certificate names
    // Bearer JWTs accepted besides the mock's own tokens: a JWKS from a file or a URL, and the
    // issuer and audience the tokens must carry.
    std::string jwks_file;
    std::string jwks_url;
    std::string jwks_ca_file;  // extra trust for an https JWKS URL
    std::chrono::seconds jwks_refresh_interval{60};
    std::string jwt_issuer;
    std::string jwt_audience;

    bool accepts_jwts() const { return !jwks_file.empty() || !jwks_url.empty(); }

    bool https() const { return !tls_cert_file.empty() || !tls_generate_dir.empty(); }
};

// Settings, or what to print and the exit code (help, or a bad value named with its source).
std::variant<mock_settings, core::exit_now> load_settings(int argc, char const* const* argv);

}  // namespace justifi::mock
