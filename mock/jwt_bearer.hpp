// Bearer JWTs the simulator accepts besides the tokens it issues, as JustiFi accepts Auth0
// tokens for its API: verified (auth/jwt) against a JWKS read from a file or fetched from a
// URL, with the configured issuer and audience. The JWKS is loaded at start and loaded again,
// at most once per refresh interval, when a token names a kid it does not have (key rotation).
#pragma once

#include "auth/jwt.hpp"
#include "mock/options.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace justifi::mock {

namespace asio = boost::asio;

class jwt_bearer {
public:
    explicit jwt_bearer(mock_settings const& settings);

    bool enabled() const { return !file_.empty() || !url_.empty(); }

    // Reads the file or fetches the URL and replaces the keys; the error says why it could not.
    asio::awaitable<boost::system::result<void, std::string>> load();

    // Verifies a bearer token the mock did not issue. An unknown kid loads the JWKS again
    // first, unless that was done less than an interval ago.
    asio::awaitable<boost::system::result<auth::jwt_claims, auth::jwt_error>> verify(std::string token);

    // Loads attempted (at start and on unknown kids), for /__mock/stats.
    std::uint64_t loads() const { return loads_.load(); }
    void reset_loads() { loads_ = 0; }

private:
    std::shared_ptr<auth::jwk_set const> keys() const;
    // True for one caller per interval: that caller loads, the others use the keys they have.
    bool claim_reload();

    std::string file_;
    std::string url_;
    std::string ca_file_;
    std::chrono::seconds refresh_interval_;
    auth::verification_rules rules_;

    mutable std::mutex mutex_;
    std::shared_ptr<auth::jwk_set const> keys_ = std::make_shared<auth::jwk_set const>();
    std::chrono::steady_clock::time_point last_load_{};
    std::atomic<std::uint64_t> loads_{0};
};

// GET `url` with Beast (https verified against the system store and `ca_file`, host name
// included); the body of a 200 answer, or what went wrong. Connecting, the handshake and the
// exchange share one `timeout`; name resolution is left to the system's own limits.
asio::awaitable<boost::system::result<std::string, std::string>> fetch_document(std::string url, std::string ca_file,
                                                                                 std::chrono::milliseconds timeout);

}  // namespace justifi::mock
