#include "core/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace justifi::core {

rate_limiter::rate_limiter(double per_second, double burst, std::size_t max_keys)
    : per_second_(per_second), burst_(std::max(1.0, burst)), max_keys_(std::max<std::size_t>(1, max_keys))
{
}

double rate_limiter::refilled(bucket const& b, clock::time_point now) const
{
    auto const elapsed = std::chrono::duration<double>(now - b.updated).count();
    return std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
}

void rate_limiter::evict(clock::time_point now)
{
    // Callers whose bucket is full again lose nothing by being forgotten.
    std::erase_if(buckets_, [&](auto const& entry) { return refilled(entry.second, now) >= burst_; });
    // Still too many (a flood of distinct callers): start everyone afresh rather than grow.
    if (buckets_.size() >= max_keys_) buckets_.clear();
}

std::optional<std::chrono::milliseconds> rate_limiter::take(std::string_view key, clock::time_point now)
{
    if (!enabled()) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_) evict(now);
        it = buckets_.emplace(std::string(key), bucket{burst_, now}).first;
    }
    auto& b = it->second;
    b.tokens = refilled(b, now);
    b.updated = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    auto const wait_seconds = (1.0 - b.tokens) / per_second_;
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_seconds * 1000.0)));
}

std::size_t rate_limiter::tracked_keys() const
{
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

}  // namespace justifi::core
