// Access tokens obtained for callers, shared by every coroutine of the process and protected
// by a strand: for the client-credentials path (keyed by client id AND a SHA-256 of the secret,
// so a wrong secret never finds a token), and for token exchange (keyed by a SHA-256 of the
// subject token and the scopes asked for). Refreshed ahead of expiry; concurrent callers on a
// cold or expiring entry share one token request (single flight).
// Anyone can present credentials, so the cache is built to be flooded: it holds at most
// `max_entries` (least recently used go first), credentials JustiFi refused are remembered
// only briefly (so they are not asked about again at once), a fetch that failed otherwise is
// not kept at all, and fetches across all callers have a budget per second.
#pragma once

#include "auth/auth_stage.hpp"
#include "core/metrics.hpp"
#include "core/single_flight.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace justifi::client {

namespace asio = boost::asio;

struct issued_token {
    std::string access_token;
    std::chrono::seconds expires_in{24 * 3600};  // JustiFi's tokens live 24 h when it says nothing
};

struct token_cache_settings {
    std::chrono::seconds refresh_margin{60};
    std::size_t max_entries = 10'000;
    // How long credentials JustiFi refused are answered from memory.
    std::chrono::seconds refused_ttl{30};
    // Token fetches (misses and refreshes) per second over all callers, and the burst above
    // that rate; 0 per second: no budget. Over it, a miss fails with token_budget_exhausted.
    double fetches_per_second = 10;
    double fetch_burst = 20;
    // The clock; empty: steady_clock. Tests hand in one they move themselves.
    std::function<std::chrono::steady_clock::time_point()> now;
};

class token_cache {
public:
    using clock = std::chrono::steady_clock;
    using fetch_function = std::function<asio::awaitable<boost::system::result<issued_token>>(auth::client_credentials const&)>;
    // Obtains the token for one key; run by one caller at a time per key.
    using fetch_once = std::function<asio::awaitable<boost::system::result<issued_token>>()>;

    // `fetch` serves the client-credentials calls below; a cache used only by key may have none.
    token_cache(asio::any_io_executor executor, fetch_function fetch, token_cache_settings settings = {},
                core::metrics::registry* metrics = nullptr);

    // The token under `key`, obtained with `fetch` when there is none (or it is due). A refusal
    // (credentials_refused, exchange_refused, exchange_scope_refused) is remembered for refused_ttl.
    asio::awaitable<boost::system::result<std::string>> get_or_fetch(std::string key, fetch_once fetch);
    // Forget `token` under `key` (unless a newer one has already replaced it).
    asio::awaitable<void> invalidate_key(std::string key, std::string token);

    // The token for these credentials, fetched when there is none (or it is due). Errors: the
    // fetch's own (credentials_refused is remembered for refused_ttl), or token_budget_exhausted.
    asio::awaitable<boost::system::result<std::string>> get_or_refresh(auth::client_credentials const& credentials);
    // After an upstream 401: forget `token` (unless a newer one has already replaced it).
    asio::awaitable<void> invalidate(auth::client_credentials const& credentials, std::string token);

    // Entries held now (tokens, remembered refusals and fetches under way).
    std::size_t size() const { return size_.load(std::memory_order_relaxed); }

    static std::string key_of(auth::client_credentials const& credentials);

private:
    // One fetch that callers on the same key wait for.
    using flight = core::single_flight<boost::system::result<std::string>>;
    struct entry {
        std::string token;
        clock::time_point refresh_at{};
        clock::time_point expires_at{};
        clock::time_point refused_until{};
        boost::system::error_code refused_with;
        std::shared_ptr<flight> in_flight;
        std::list<std::string>::iterator position;  // in recency_
    };

    asio::awaitable<boost::system::result<std::string>> get_on_strand(std::string key, fetch_once fetch);
    asio::awaitable<void> invalidate_on_strand(std::string key, std::string token);
    entry& insert(std::string const& key);
    void touch(entry& e);
    void erase(std::string const& key);
    bool take_fetch_budget(clock::time_point now);
    void count(std::string_view result) const;

    asio::strand<asio::any_io_executor> strand_;
    fetch_function fetch_;
    token_cache_settings settings_;
    core::metrics::registry* metrics_;
    // Touched only on strand_.
    std::unordered_map<std::string, entry> entries_;
    std::list<std::string> recency_;  // most recently used first
    std::atomic<std::size_t> size_{0};  // entries_.size(), readable from any thread
    double budget_tokens_;
    clock::time_point budget_updated_ = clock::now();
};

}  // namespace justifi::client
