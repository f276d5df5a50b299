// Bearer JWTs the simulator accepts besides the tokens it issues, as JustiFi accepts Auth0
// tokens for its API: verified (auth/jwt) against a JWKS read from a file or fetched from a
// URL (auth/jwks_cache, the code justifi-mcp uses), with the configured issuer and audience.
// The JWKS is loaded at start and loaded again, at most once per refresh interval, when a
// token names a kid it does not have (key rotation).
#pragma once

#include "auth/jwks_cache.hpp"
#include "mock/options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <string>

namespace justifi::mock {

namespace asio = boost::asio;

class jwt_bearer {
public:
    jwt_bearer(asio::any_io_executor executor, mock_settings const& settings);

    bool enabled() const { return enabled_; }

    // Reads the file or fetches the URL and replaces the keys; the error says why it could not.
    asio::awaitable<core::outcome<void>> load() { return keys_.load(); }

    // Verifies a bearer token the mock did not issue.
    asio::awaitable<boost::system::result<auth::jwt_claims, auth::jwt_error>> verify(std::string token)
    {
        return keys_.verify(std::move(token), rules_);
    }

    // Loads attempted (at start and on unknown kids), for /__mock/stats.
    std::uint64_t loads() const { return keys_.loads(); }
    void reset_loads() { keys_.reset_loads(); }

private:
    bool enabled_;
    auth::verification_rules rules_;
    auth::jwks_cache keys_;
};

}  // namespace justifi::mock
