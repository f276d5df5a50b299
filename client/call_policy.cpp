#include "client/call_policy.hpp"

#include "client/justifi_client.hpp"

#include <algorithm>

namespace justifi::client {

bool retryable_status(int status) { return status == 429 || status == 409 || status >= 500; }

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value)
{
    constexpr long long cap_seconds = 3600;
    auto const first = value.find_first_not_of(" \t");
    if (first == std::string_view::npos) return std::nullopt;
    value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
    long long seconds = 0;
    for (char const c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        seconds = std::min(cap_seconds, seconds * 10 + (c - '0'));
    }
    return std::chrono::seconds(seconds);
}

std::chrono::milliseconds call_policy::backoff(std::optional<std::chrono::milliseconds> server_says, double jitter) const
{
    if (server_says) return *server_says;
    auto const ceiling = settings_.first_backoff.count() << (attempt_ - 1);
    // "Full jitter" over the upper half: spreads the retries of many clients hit by one outage.
    auto const floor = ceiling / 2;
    auto const spread = static_cast<long long>(std::clamp(jitter, 0.0, 1.0) * static_cast<double>(ceiling - floor) + 0.5);
    return std::chrono::milliseconds(floor + spread);
}

call_decision call_policy::after(attempt_outcome const& outcome, std::chrono::milliseconds time_left, double jitter)
{
    bool const answered = !outcome.error;
    if (answered && outcome.status == 401 && token_refreshable_ && !refreshed_) {
        // The cached token may have been revoked: one fresh token, without counting an attempt.
        refreshed_ = true;
        return {call_step::refresh_token_then_send, std::chrono::milliseconds(0)};
    }
    // A deadline that passed gets no second try: its attempt would only time out again.
    bool const transient =
        answered ? retryable_status(outcome.status) : outcome.error != make_error_code(client_error::timed_out);
    bool const attempts_left = attempt_ < settings_.max_attempts && time_left.count() > 0;
    if (!transient || !attempts_left) return {call_step::finish, std::chrono::milliseconds(0)};
    auto const pause = std::min(backoff(outcome.retry_after, jitter), time_left);
    ++attempt_;
    return {call_step::send_again, pause};
}

}  // namespace justifi::client
