// Per-principal rate limiting: a token bucket per caller (a verified token's subject, a
// client id, or a hash of an unverified token), sans-io: the caller passes the clock. The
// memory is bounded: past `max_keys` callers, full buckets are forgotten first.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace justifi::core {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    // `per_second` tokens are added per second up to `burst`; 0 per second turns limiting off.
    rate_limiter(double per_second, double burst, std::size_t max_keys = 100'000);

    bool enabled() const { return per_second_ > 0; }

    // nullopt: admitted, one token taken. Otherwise how long until the next token.
    std::optional<std::chrono::milliseconds> take(std::string_view key, clock::time_point now);

    std::size_t tracked_keys() const;

private:
    struct bucket {
        double tokens;
        clock::time_point updated;
    };
    double refilled(bucket const& b, clock::time_point now) const;
    void evict(clock::time_point now);

    double per_second_;
    double burst_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace justifi::core
