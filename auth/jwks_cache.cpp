#include "auth/jwks_cache.hpp"

#include "net/http_fetch.hpp"
#include "core/encoding.hpp"
#include "core/log.hpp"
#include "net/web_address.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace justifi::auth {
namespace {

namespace json = boost::json;

using core::use_tuple;
// Distinct verified tokens remembered: a few per active user, bounded whatever the traffic.
constexpr std::size_t remembered_tokens = 4096;

using text_result = core::outcome<std::string>;
core::refusal unusable(std::string why) { return core::refuse(core::errc::unusable_document, std::move(why)); }

}  // namespace

std::vector<std::string> issuer_metadata_urls(std::string_view issuer)
{
    auto const url = boost::urls::parse_absolute_uri(issuer);
    if (!url) return {};
    std::string const origin = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
    std::string path(url->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    return {origin + "/.well-known/oauth-authorization-server" + path,
            origin + path + "/.well-known/openid-configuration"};
}

core::outcome<std::string> jwks_uri_from_metadata(std::string_view document, std::string_view issuer)
{
    return endpoint_from_metadata(document, issuer, "jwks_uri");
}

core::outcome<std::string> endpoint_from_metadata(std::string_view document, std::string_view issuer,
                                                  std::string_view member)
{
    boost::system::error_code ec;
    auto const parsed = json::parse(document, ec);
    if (ec || !parsed.is_object()) return unusable("the metadata is not a JSON object");
    auto const& metadata = parsed.get_object();
    auto const* named = metadata.if_contains("issuer");
    if (!named || !named->is_string()) return unusable("the metadata has no \"issuer\"");
    if (named->get_string() != issuer)
        return unusable("the metadata names issuer \"" + std::string(named->get_string()) + "\", not \"" +
                        std::string(issuer) + "\"");
    auto const* uri = metadata.if_contains(member);
    if (!uri || !uri->is_string()) return unusable("the metadata has no \"" + std::string(member) + "\"");
    std::string const text(uri->get_string());
    // "https:/keys" parses, but names no host to fetch from: parse_web_url wants one.
    auto const url = net::parse_web_url(text);
    bool const secure = url && url->scheme == "https";
    bool const local = url && url->scheme == "http" && net::is_loopback_host(url->host);
    if (!secure && !local)
        return unusable(std::string(member) + " \"" + text + "\" is not an https:// URL with a host");
    return text;
}

std::chrono::seconds timed_refresh_interval(std::optional<std::chrono::seconds> max_age,
                                            jwks_cache_settings const& settings)
{
    auto const floor = std::max(std::chrono::seconds(1), settings.min_refresh);
    auto const ceiling = std::max(floor, settings.max_refresh);
    return std::clamp(max_age.value_or(ceiling), floor, ceiling);
}

jwks_cache::jwks_cache(asio::any_io_executor executor, jwks_cache_settings settings)
    : settings_(std::move(settings)), strand_(asio::make_strand(executor))
{
}

jwks_cache::keys_ptr jwks_cache::current_keys() const
{
    std::lock_guard lock(keys_mutex_);
    return keys_;
}

asio::awaitable<core::outcome<void>> jwks_cache::load()
{
    auto const keys = current_keys();
    co_return co_await asio::co_spawn(strand_, reload_on_strand(keys, true), core::use_awaitable_uncancelled());
}

std::optional<jwt_claims> jwks_cache::recall(std::string const& digest, verification_rules const& rules,
                                             std::chrono::system_clock::time_point now)
{
    auto const keys = current_keys();
    std::lock_guard lock(verified_mutex_);
    auto const it = verified_.find(digest);
    if (it == verified_.end()) return std::nullopt;
    auto const& entry = it->second;
    // nbf and iat passed when it verified and time only moves on; exp is checked on every use.
    if (entry.keys != keys || entry.rules != &rules || now >= entry.claims->exp + rules.clock_skew) return std::nullopt;
    return *entry.claims;
}

void jwks_cache::remember(std::string digest, jwt_claims const& claims, keys_ptr keys, verification_rules const& rules)
{
    std::lock_guard lock(verified_mutex_);
    auto [it, inserted] = verified_.insert_or_assign(digest, remembered{std::make_shared<jwt_claims const>(claims),
                                                                        std::move(keys), &rules});
    if (!inserted) return;
    verified_order_.push_back(std::move(digest));
    if (verified_order_.size() > remembered_tokens) {
        verified_.erase(verified_order_.front());
        verified_order_.pop_front();
    }
}

asio::awaitable<boost::system::result<jwt_claims, jwt_error>> jwks_cache::verify(std::string token,
                                                                                 verification_rules const& rules)
{
    // Keyed by the canonical form: a variant of a verified token (its signature written another
    // way) is the same token, not a second entry.
    auto const raw_digest = core::encoding::sha256(canonical_token(token));
    std::string digest(reinterpret_cast<char const*>(raw_digest.data()), raw_digest.size());
    if (auto known = recall(digest, rules, wall_clock())) co_return std::move(*known);

    auto keys = current_keys();
    if (keys) {
        auto verified = verify_jwt(token, *keys, rules, wall_clock());
        if (verified) remember(std::move(digest), *verified, keys, rules);
        if (verified || verified.error() != jwt_error::unknown_key) co_return verified;
    }
    // No keys yet, or a kid we do not know: perhaps the issuer rotated its keys.
    co_await asio::co_spawn(strand_, reload_on_strand(keys, false), core::use_awaitable_uncancelled());
    auto const fresh = current_keys();
    if (!fresh) co_return jwt_error::keys_unavailable;
    auto verified = verify_jwt(token, *fresh, rules, wall_clock());
    if (verified) remember(std::move(digest), *verified, fresh, rules);
    co_return verified;
}

asio::awaitable<jwks_cache::load_result> jwks_cache::reload_on_strand(keys_ptr seen, bool forced)
{
    // Someone replaced the keys since the caller looked: verify with those.
    if (current_keys() != seen && !forced) co_return load_result();
    if (auto const pending = loading_) {
        auto outcome = co_await pending->wait();
        co_return outcome;
    }
    auto const now = std::chrono::steady_clock::now();
    if (!forced) {
        // With keys, only unknown kids reload, once per refresh interval (the load at start is
        // not counted: a rotation just after start is picked up). Without, retry every few seconds.
        auto const& last = seen ? last_refresh_ : last_attempt_;
        auto const interval = seen ? settings_.refresh_interval : settings_.retry_interval;
        if (last && now - *last < interval) co_return last_outcome_;
        if (seen) last_refresh_ = now;
    }

    auto const pending = std::make_shared<core::single_flight<load_result>>(strand_, load_result());
    loading_ = pending;
    last_attempt_ = now;
    ++loads_;
    auto keys = co_await read_keys();
    if (keys) {
        last_max_age_ = keys->max_age ? keys->max_age->count() : -1;
        auto const source = settings_.source.type == key_source::kind::issuer ? jwks_uri_ : settings_.source.location;
        std::unique_lock lock(keys_mutex_);
        if (keys_ && keys_digest_ == keys->digest) {
            // The same document: the key set (and what was verified with it) stays.
            lock.unlock();
            core::log::debug("JWKS unchanged", {{"source", source}});
        } else {
            keys_ = std::make_shared<jwk_set const>(std::move(keys->keys));
            keys_digest_ = std::move(keys->digest);
            auto const loaded = keys_;
            lock.unlock();
            for (auto const& why : loaded->skipped) core::log::warning("JWKS key skipped", {{"reason", why}});
            core::log::info("JWKS loaded", {{"source", source}, {"keys", loaded->keys.size()}});
        }
        last_outcome_ = load_result();
    } else {
        // The keys we had (if any) stay in use.
        core::log::warning("JWKS load failed", {{"error", keys.error().message}});
        last_outcome_ = keys.error();
    }
    loading_.reset();
    pending->finish(last_outcome_);
    co_return last_outcome_;
}

asio::awaitable<text_result> jwks_cache::discover_jwks_uri()
{
    auto const& issuer = settings_.source.location;
    std::string failures;
    // Named, not a temporary inside co_await: GCC 12 can destroy those twice.
    net::fetch_options const options{settings_.ca_file, settings_.fetch_timeout, 64 * 1024, settings_.user_agent};
    auto const urls = issuer_metadata_urls(issuer);
    for (auto const& url : urls) {
        auto document = co_await net::fetch_document(url, options);
        if (!document) {
            failures += (failures.empty() ? "" : "; ") + url + ": " + document.error().message;
            continue;
        }
        auto uri = jwks_uri_from_metadata(document->body, issuer);
        if (!uri) co_return unusable(url + ": " + uri.error().message);
        co_return uri;
    }
    co_return core::refuse(core::errc::fetch_failed,
                           "no authorization server metadata for issuer " + issuer + " (" + failures + ")");
}

asio::awaitable<void> jwks_cache::keep_fresh()
{
    // The load at start (a failure is logged; the issuer may come back), then the timed ones.
    co_await load();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto const said = last_max_age_.load();
        auto const max_age = said < 0 ? std::nullopt : std::optional<std::chrono::seconds>(std::chrono::seconds(said));
        timer.expires_after(timed_refresh_interval(max_age, settings_));
        if (auto [ec] = co_await timer.async_wait(use_tuple); ec) co_return;
        // A failure keeps the keys we have; the next attempt comes after the same wait.
        auto const keys = current_keys();
        co_await asio::co_spawn(strand_, reload_on_strand(keys, true), core::use_awaitable_uncancelled());
    }
}

asio::awaitable<core::outcome<jwks_cache::read_outcome>> jwks_cache::read_keys()
{
    std::string document;
    std::optional<std::chrono::seconds> max_age;
    auto const& source = settings_.source;
    if (source.type == key_source::kind::file) {
        std::ifstream in(source.location, std::ios::binary);
        if (!in) co_return core::refuse(core::errc::fetch_failed, "cannot read " + source.location);
        std::ostringstream text;
        text << in.rdbuf();
        document = text.str();
    } else {
        std::string url = source.location;
        if (source.type == key_source::kind::issuer) {
            if (jwks_uri_.empty()) {
                auto discovered = co_await discover_jwks_uri();
                if (!discovered) co_return discovered.error();
                jwks_uri_ = std::move(*discovered);
            }
            url = jwks_uri_;
        }
        net::fetch_options const options{settings_.ca_file, settings_.fetch_timeout, 1024 * 1024,
                                            settings_.user_agent};
        auto fetched = co_await net::fetch_document(url, options);
        if (!fetched) {
            // The metadata may have moved the JWKS: look it up again next time.
            jwks_uri_.clear();
            co_return core::refuse(core::errc::fetch_failed, "cannot fetch " + url + ": " + fetched.error().message);
        }
        document = std::move(fetched->body);
        max_age = fetched->max_age;
    }
    auto parsed = parse_jwks(document);
    if (!parsed) co_return parsed.error();
    auto const digest = core::encoding::sha256(document);
    co_return read_outcome{std::move(*parsed), std::string(reinterpret_cast<char const*>(digest.data()), digest.size()),
                           max_age};
}

}  // namespace justifi::auth
