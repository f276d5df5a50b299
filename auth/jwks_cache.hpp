// The signing keys that bearer tokens are verified with: a JWKS read from a file, fetched
// from a URL, or found through an issuer's metadata (RFC 8414, then OpenID discovery), as
// an Auth0 tenant publishes it. Cached; loaded again when a token names a kid we do not have
// (key rotation), at most once per refresh interval and by one coroutine at a time while the
// others wait for its answer (single flight on a strand). Verification itself is auth/jwt.
#pragma once

#include "auth/jwt.hpp"
#include "core/single_flight.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace justifi::auth {

namespace asio = boost::asio;

struct key_source {
    enum class kind { file, url, issuer };
    kind type = kind::issuer;
    std::string location;  // a path, a JWKS URL, or an issuer whose metadata names the JWKS
};

struct jwks_cache_settings {
    key_source source;
    std::string ca_file;  // PEM CAs trusted for https besides the system store
    // Least time between two loads caused by unknown kids: a flood of forged kids costs the
    // issuer one request a minute. The load at start does not count.
    std::chrono::seconds refresh_interval{60};
    // Least time between two attempts while no key was ever loaded (the issuer was down at start).
    std::chrono::seconds retry_interval{5};
    std::chrono::milliseconds fetch_timeout{5'000};
    std::string user_agent;
    // keep_fresh() reloads the keys as often as the JWKS's Cache-Control max-age says, but no more
    // often than min_refresh and no less often than max_refresh: a key the issuer removed stops
    // being trusted within max_refresh, without waiting for a token that names an unknown kid.
    std::chrono::seconds min_refresh{300};
    std::chrono::seconds max_refresh{3600};
    // The wall clock tokens are checked against; empty: system_clock. Tests hand in their own.
    std::function<std::chrono::system_clock::time_point()> now;
};

// Sans-io: the wait before the next timed reload, given the last answer's max-age (none: max_refresh).
std::chrono::seconds timed_refresh_interval(std::optional<std::chrono::seconds> max_age,
                                            jwks_cache_settings const& settings);

// Sans-io.

// Where an issuer's metadata may be, in the order MCP clients try them: RFC 8414 (path
// inserted after /.well-known/), then OpenID Connect discovery (path appended).
std::vector<std::string> issuer_metadata_urls(std::string_view issuer);

// The jwks_uri of an authorization server metadata document, after checking that the
// document names `issuer` exactly (RFC 8414 section 3.3) and that the URI is https (or http
// on a loopback host). An unusable_document refusal says what is wrong.
core::outcome<std::string> jwks_uri_from_metadata(std::string_view document, std::string_view issuer);
// The same for another endpoint the metadata names ("token_endpoint").
core::outcome<std::string> endpoint_from_metadata(std::string_view document, std::string_view issuer,
                                                  std::string_view member);

class jwks_cache {
public:
    jwks_cache(asio::any_io_executor executor, jwks_cache_settings settings);

    // Loads now, whatever the intervals (at start); a refusal (fetch_failed, unusable_document) says why it could not.
    asio::awaitable<core::outcome<void>> load();

    // Verifies `token` against the cached keys. With no keys yet, they are loaded first; a
    // token that names an unknown kid loads them again unless that was done less than a
    // refresh interval ago. keys_unavailable when no key could ever be loaded.
    // A client sends the same token with every request for its lifetime, so a token that
    // verified is remembered (by its SHA-256, for these rules and this key set) until it
    // expires: the signature is checked once, not on every request.
    asio::awaitable<boost::system::result<jwt_claims, jwt_error>> verify(std::string token,
                                                                         verification_rules const& rules);

    // Loads the keys now (the load at start), then again on the timer of jwks_cache_settings until
    // the io_context stops. A key set
    // is replaced (and the verifications remembered with it forgotten) only when the JWKS changed.
    asio::awaitable<void> keep_fresh();

    // Loads attempted, successful or not.
    std::uint64_t loads() const { return loads_.load(); }
    void reset_loads() { loads_ = 0; }
    jwks_cache_settings const& settings() const { return settings_; }
    std::chrono::system_clock::time_point wall_clock() const
    {
        return settings_.now ? settings_.now() : std::chrono::system_clock::now();
    }

private:
    using keys_ptr = std::shared_ptr<jwk_set const>;
    using load_result = core::outcome<void>;

    keys_ptr current_keys() const;
    // Runs on the strand. `seen` is the key set the caller verified with: if it has been
    // replaced since, the caller simply retries with the new one.
    asio::awaitable<load_result> reload_on_strand(keys_ptr seen, bool forced);
    // The network (or file) part of a load, off the strand's bookkeeping.
    struct read_outcome {
        jwk_set keys;
        std::string digest;  // of the document: an unchanged JWKS keeps its key set
        std::optional<std::chrono::seconds> max_age;
    };
    asio::awaitable<core::outcome<read_outcome>> read_keys();
    asio::awaitable<core::outcome<std::string>> discover_jwks_uri();

    jwks_cache_settings settings_;
    asio::strand<asio::any_io_executor> strand_;

    mutable std::mutex keys_mutex_;
    keys_ptr keys_;  // null until the first successful load
    std::string keys_digest_;
    std::atomic<long long> last_max_age_{-1};  // seconds; -1: the JWKS said nothing

    // Touched only on strand_.
    // The load under way, which other callers wait for instead of loading again.
    std::shared_ptr<core::single_flight<load_result>> loading_;
    load_result last_outcome_;
    std::optional<std::chrono::steady_clock::time_point> last_attempt_;
    std::optional<std::chrono::steady_clock::time_point> last_refresh_;  // caused by an unknown kid
    std::string jwks_uri_;  // for kind::issuer, once discovered

    std::atomic<std::uint64_t> loads_{0};

    struct remembered {
        std::shared_ptr<jwt_claims const> claims;
        keys_ptr keys;                        // the set it verified against: a reload forgets it
        verification_rules const* rules;      // and the rules
    };
    std::optional<jwt_claims> recall(std::string const& digest, verification_rules const& rules,
                                     std::chrono::system_clock::time_point now);
    void remember(std::string digest, jwt_claims const& claims, keys_ptr keys, verification_rules const& rules);

    std::mutex verified_mutex_;
    std::unordered_map<std::string, remembered> verified_;
    std::deque<std::string> verified_order_;  // oldest first, for a bounded memory
};

}  // namespace justifi::auth
