// Access tokens for the client-credentials path, shared by every coroutine of the
// process and protected by a strand. Keyed by client id AND a SHA-256 of the secret, so
// a wrong secret never finds a token; refreshed ahead of expiry; and concurrent callers
// on a cold or expiring entry share one token request (single flight).
#pragma once

#include "auth/auth_stage.hpp"
#include "server/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace justifi::client {

namespace asio = boost::asio;

struct issued_token {
    std::string access_token;
    std::chrono::seconds expires_in{24 * 3600};  // JustiFi's tokens live 24 h when it says nothing
};

class token_cache {
public:
    using clock = std::chrono::steady_clock;
    using fetch_function = std::function<asio::awaitable<boost::system::result<issued_token>>(auth::client_credentials const&)>;

    token_cache(asio::any_io_executor executor, fetch_function fetch,
                std::chrono::seconds refresh_margin = std::chrono::seconds(60), metrics::registry* metrics = nullptr);

    asio::awaitable<boost::system::result<std::string>> get_or_refresh(auth::client_credentials const& credentials);
    // After an upstream 401: forget `token` (unless a newer one has already replaced it).
    asio::awaitable<void> invalidate(auth::client_credentials const& credentials, std::string token);

    static std::string key_of(auth::client_credentials const& credentials);

private:
    struct entry {
        std::string token;
        clock::time_point refresh_at{};
        bool fetching = false;
        std::vector<std::shared_ptr<asio::steady_timer>> waiters;
        boost::system::error_code last_error;
    };

    asio::awaitable<boost::system::result<std::string>> get_on_strand(auth::client_credentials credentials);
    asio::awaitable<void> invalidate_on_strand(std::string key, std::string token);

    asio::strand<asio::any_io_executor> strand_;
    fetch_function fetch_;
    std::chrono::seconds refresh_margin_;
    metrics::registry* metrics_;
    std::unordered_map<std::string, entry> entries_;  // touched only on strand_
};

}  // namespace justifi::client
