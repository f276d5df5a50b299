#include "client/token_cache.hpp"

#include "client/justifi_client.hpp"
#include "core/encoding.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace justifi::client {
namespace {

using core::use_tuple;
// A refresh that failed for a passing reason is tried again this much later, while the token
// it would have replaced is still good.
constexpr std::chrono::seconds refresh_retry{5};

}  // namespace

token_cache::token_cache(asio::any_io_executor executor, fetch_function fetch, token_cache_settings settings,
                         core::metrics::registry* metrics)
    : strand_(asio::make_strand(executor)),
      fetch_(std::move(fetch)),
      settings_(settings),
      metrics_(metrics),
      budget_tokens_(std::max(1.0, settings.fetch_burst))
{
    settings_.max_entries = std::max<std::size_t>(1, settings_.max_entries);
}

std::string token_cache::key_of(auth::client_credentials const& credentials)
{
    auto const digest = core::encoding::sha256(credentials.client_secret);
    return credentials.client_id + "\n" + core::encoding::hex_encode({reinterpret_cast<char const*>(digest.data()), digest.size()});
}

asio::awaitable<boost::system::result<std::string>> token_cache::get_or_refresh(auth::client_credentials const& credentials)
{
    fetch_once fetch = [this, credentials]() { return fetch_(credentials); };
    co_return co_await get_or_fetch(key_of(credentials), std::move(fetch));
}

asio::awaitable<boost::system::result<std::string>> token_cache::get_or_fetch(std::string key, fetch_once fetch)
{
    // All bookkeeping runs on the strand; the caller resumes on its own executor.
    co_return co_await asio::co_spawn(strand_, get_on_strand(std::move(key), std::move(fetch)),
                                      core::use_awaitable_uncancelled());
}

void token_cache::count(std::string_view result) const
{
    if (metrics_) metrics_->add(core::metrics::token_cache_total, {std::string(result)});
}

void token_cache::touch(entry& e) { recency_.splice(recency_.begin(), recency_, e.position); }

token_cache::entry& token_cache::insert(std::string const& key)
{
    // Make room first: the least recently used entry that no fetch is waiting on goes. Entries
    // with a fetch under way are few (the fetch budget bounds them) and are skipped.
    if (entries_.size() >= settings_.max_entries) {
        for (auto it = recency_.end(); it != recency_.begin();) {
            --it;
            if (auto const victim = entries_.find(*it); victim != entries_.end() && !victim->second.in_flight) {
                entries_.erase(victim);
                recency_.erase(it);
                count("evicted");
                break;
            }
        }
    }
    recency_.push_front(key);
    auto& e = entries_[key];
    e.position = recency_.begin();
    size_ = entries_.size();
    return e;
}

void token_cache::erase(std::string const& key)
{
    auto const it = entries_.find(key);
    if (it == entries_.end()) return;
    recency_.erase(it->second.position);
    entries_.erase(it);
    size_ = entries_.size();
}

bool token_cache::take_fetch_budget(clock::time_point now)
{
    if (settings_.fetches_per_second <= 0) return true;
    auto const burst = std::max(1.0, settings_.fetch_burst);
    auto const elapsed = std::chrono::duration<double>(now - budget_updated_).count();
    budget_tokens_ = std::min(burst, budget_tokens_ + std::max(0.0, elapsed) * settings_.fetches_per_second);
    budget_updated_ = now;
    if (budget_tokens_ < 1.0) return false;
    budget_tokens_ -= 1.0;
    return true;
}

namespace {

// What the authorization server or JustiFi said no to: asking again at once would get the same no.
bool is_refusal(boost::system::error_code const& ec)
{
    return ec == client_error::credentials_refused || ec == client_error::exchange_refused ||
           ec == client_error::exchange_scope_refused;
}

}  // namespace

asio::awaitable<boost::system::result<std::string>> token_cache::get_on_strand(std::string key, fetch_once fetch)
{
    auto const now = settings_.now ? settings_.now() : clock::now();
    std::string usable;  // a token that is due for refresh but still valid
    if (auto const it = entries_.find(key); it != entries_.end()) {
        auto& e = it->second;
        touch(e);
        if (now < e.refused_until) {
            count("refused");
            co_return e.refused_with;
        }
        if (!e.token.empty() && now < e.refresh_at) {
            count("hit");
            co_return e.token;
        }
        if (auto const pending = e.in_flight) {
            // Someone is already asking JustiFi: wait for their answer instead of asking again.
            auto outcome = co_await pending->wait();
            co_return outcome;
        }
        if (!e.token.empty() && now < e.expires_at) usable = e.token;
    }

    if (!take_fetch_budget(now)) {
        // JustiFi is not asked more often than the budget allows, whoever is asking; a token
        // that is due but still valid serves until the budget allows its refresh.
        if (!usable.empty()) co_return usable;
        count("over_budget");
        co_return make_error_code(client_error::token_budget_exhausted);
    }
    count(usable.empty() ? "miss" : "refresh");
    auto const pending = std::make_shared<flight>(strand_, boost::system::error_code{});
    {
        auto const it = entries_.find(key);
        auto& e = it == entries_.end() ? insert(key) : it->second;
        e.in_flight = pending;
    }

    auto fetched = co_await fetch();
    auto const done_at = settings_.now ? settings_.now() : clock::now();
    // In-flight entries are never evicted: the entry is still there.
    auto& e = entries_.at(key);
    e.in_flight.reset();
    boost::system::result<std::string> outcome = boost::system::error_code{};
    if (fetched) {
        e.token = std::move(fetched->access_token);
        auto const lifetime = fetched->expires_in > settings_.refresh_margin ? fetched->expires_in - settings_.refresh_margin
                                                                             : fetched->expires_in / 2;
        e.refresh_at = done_at + lifetime;
        e.expires_at = done_at + fetched->expires_in;
        e.refused_until = {};
        outcome = e.token;
    } else if (is_refusal(fetched.error())) {
        // Remembered briefly: the same wrong secret (or refused token) sent again is refused
        // without asking again.
        e.token.clear();
        e.refused_until = done_at + settings_.refused_ttl;
        e.refused_with = fetched.error();
        outcome = fetched.error();
    } else if (!usable.empty() && done_at < e.expires_at) {
        e.refresh_at = done_at + refresh_retry;
        outcome = usable;
    } else {
        // A passing failure is not kept: the next caller asks again (within the budget).
        outcome = fetched.error();
        erase(key);
    }
    pending->finish(outcome);
    co_return outcome;
}

asio::awaitable<void> token_cache::invalidate(auth::client_credentials const& credentials, std::string token)
{
    co_await invalidate_key(key_of(credentials), std::move(token));
}

asio::awaitable<void> token_cache::invalidate_key(std::string key, std::string token)
{
    co_await asio::co_spawn(strand_, invalidate_on_strand(std::move(key), std::move(token)), core::use_awaitable_uncancelled());
}

asio::awaitable<void> token_cache::invalidate_on_strand(std::string key, std::string token)
{
    auto const it = entries_.find(key);
    if (it != entries_.end() && it->second.token == token) {
        it->second.token.clear();
        it->second.refresh_at = {};
        it->second.expires_at = {};
    }
    co_return;
}

}  // namespace justifi::client
