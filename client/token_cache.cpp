#include "client/token_cache.hpp"

#include "server/encoding.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace justifi::client {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

token_cache::token_cache(asio::any_io_executor executor, fetch_function fetch, std::chrono::seconds refresh_margin,
                         metrics::registry* metrics)
    : strand_(asio::make_strand(executor)), fetch_(std::move(fetch)), refresh_margin_(refresh_margin), metrics_(metrics)
{
}

std::string token_cache::key_of(auth::client_credentials const& credentials)
{
    auto const digest = encoding::sha256(credentials.client_secret);
    return credentials.client_id + "\n" + encoding::hex_encode({reinterpret_cast<char const*>(digest.data()), digest.size()});
}

asio::awaitable<boost::system::result<std::string>> token_cache::get_or_refresh(auth::client_credentials const& credentials)
{
    // All bookkeeping runs on the strand; the caller resumes on its own executor.
    co_return co_await asio::co_spawn(strand_, get_on_strand(credentials), asio::use_awaitable);
}

asio::awaitable<boost::system::result<std::string>> token_cache::get_on_strand(auth::client_credentials credentials)
{
    auto const key = key_of(credentials);
    for (;;) {
        auto& e = entries_[key];
        if (!e.token.empty() && clock::now() < e.refresh_at) {
            if (metrics_) metrics_->add(metrics::token_cache_total, {"hit"});
            co_return e.token;
        }
        if (!e.fetching) break;
        // Someone is already asking JustiFi: wait for their answer instead of asking again.
        auto waiter = std::make_shared<asio::steady_timer>(strand_, clock::time_point::max());
        e.waiters.push_back(waiter);
        co_await waiter->async_wait(use_tuple);
        auto& after = entries_[key];
        if (after.last_error && after.token.empty()) co_return after.last_error;
    }

    // A token that is there but due is a refresh; none at all is a miss.
    if (metrics_) {
        std::string result = "refresh";
        if (entries_[key].token.empty()) result = "miss";
        metrics_->add(metrics::token_cache_total, {result});
    }
    entries_[key].fetching = true;
    auto fetched = co_await fetch_(credentials);
    // The map may have rehashed while we waited: look the entry up again.
    auto& e = entries_[key];
    e.fetching = false;
    if (fetched) {
        e.token = fetched->access_token;
        auto const lifetime = fetched->expires_in > refresh_margin_ ? fetched->expires_in - refresh_margin_
                                                                    : fetched->expires_in / 2;
        e.refresh_at = clock::now() + lifetime;
        e.last_error = {};
    } else {
        e.token.clear();
        e.last_error = fetched.error();
    }
    for (auto const& waiter : e.waiters) waiter->cancel();
    e.waiters.clear();
    if (!fetched) co_return fetched.error();
    co_return e.token;
}

asio::awaitable<void> token_cache::invalidate(auth::client_credentials const& credentials, std::string token)
{
    co_await asio::co_spawn(strand_, invalidate_on_strand(key_of(credentials), std::move(token)), asio::use_awaitable);
}

asio::awaitable<void> token_cache::invalidate_on_strand(std::string key, std::string token)
{
    auto const it = entries_.find(key);
    if (it != entries_.end() && it->second.token == token) {
        it->second.token.clear();
        it->second.refresh_at = {};
    }
    co_return;
}

}  // namespace justifi::client
