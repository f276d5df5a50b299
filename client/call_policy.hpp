// When to retry a JustiFi call, how long to wait first, and when a rejected token is worth
// one refresh. Sans-io: the client's I/O loop reports what each attempt came to and carries
// out the step this machine names; time and randomness come in as values, so every case is
// a unit test (tests/unit/test_call_policy.cpp).
#pragma once

#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace justifi::client {

struct call_policy_settings {
    int max_attempts = 3;
    std::chrono::milliseconds first_backoff{200};
};

// What one attempt came to: an error when no answer came, else JustiFi's status.
struct attempt_outcome {
    boost::system::error_code error;
    int status = 0;
    std::optional<std::chrono::milliseconds> retry_after;  // the answer's Retry-After, parsed
};

enum class call_step {
    send_again,                 // after `pause` (zero: at once)
    refresh_token_then_send,    // drop the cached token, fetch a fresh one, send at once
    finish,                     // the last outcome is the answer
};

struct call_decision {
    call_step step = call_step::finish;
    std::chrono::milliseconds pause{0};
};

class call_policy {
public:
    // `token_refreshable`: the token came from the client-credentials cache, so a 401 may
    // mean it was revoked and a fresh one may succeed. A caller's own bearer token is not.
    call_policy(call_policy_settings settings, bool token_refreshable)
        : settings_(settings), token_refreshable_(token_refreshable)
    {
    }

    // What to do after an attempt. `time_left`: until the call's deadline (the pause never
    // passes it); `jitter` in [0, 1]: where in the backoff window this pause falls.
    call_decision after(attempt_outcome const& outcome, std::chrono::milliseconds time_left, double jitter);

    // 1 for the first send; a refresh after a 401 does not count as an attempt.
    int attempt() const { return attempt_; }

private:
    std::chrono::milliseconds backoff(std::optional<std::chrono::milliseconds> server_says, double jitter) const;

    call_policy_settings settings_;
    bool token_refreshable_;
    int attempt_ = 1;
    bool refreshed_ = false;
};

// Whether JustiFi's status says "try again": rate limited, a conflicting request in flight
// (an Idempotency-Key still being processed), or a server error.
bool retryable_status(int status);

// Retry-After in its delta-seconds form (what JustiFi and proxies send), capped at an hour;
// nullopt for anything else, the HTTP-date form included.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace justifi::client
