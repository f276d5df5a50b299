// The Idempotency-Key table. Sans-io: the caller passes the clock.
//
// Keys are scoped by the API client (the client_id behind the access token), the way
// JustiFi scopes them by API key. A key remembers a fingerprint of its first request
// (method, path, Sub-Account, body): the same fingerprint replays the stored answer, another
// one is an error (422), and a key whose first request is still running answers 409.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace justifi::mock {

struct stored_reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

class idempotency_table {
public:
    using clock = std::chrono::steady_clock;

    enum class verdict {
        proceed,      // first use: the caller runs the request, then complete() or abandon()
        replay,       // same request again: answer `reply`
        in_flight,    // the first request has not finished: 409
        params_mismatch,  // same key, another request: 422
    };
    struct decision {
        verdict what = verdict::proceed;
        stored_reply reply;  // for replay
    };

    explicit idempotency_table(std::chrono::seconds ttl = std::chrono::hours(24), std::size_t max_keys = 100'000)
        : ttl_(ttl), max_keys_(max_keys)
    {
    }

    decision begin(std::string_view scope, std::string_view key, std::string_view fingerprint, clock::time_point now);
    void complete(std::string_view scope, std::string_view key, stored_reply reply);
    // Forget a key whose request failed on our side (5xx, exception) so a retry runs again.
    void abandon(std::string_view scope, std::string_view key);
    void clear();
    std::size_t size() const;

    // sha256 over what makes two requests "the same".
    static std::string fingerprint(std::string_view method, std::string_view path, std::string_view sub_account,
                                   std::string_view canonical_body);

private:
    struct entry {
        std::string fingerprint;
        bool done = false;
        stored_reply reply;
        clock::time_point created;
    };
    static std::string map_key(std::string_view scope, std::string_view key);
    void expire(clock::time_point now);

    std::chrono::seconds ttl_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
    std::deque<std::pair<clock::time_point, std::string>> order_;  // for expiry, oldest first
};

}  // namespace justifi::mock
