// Fault injection for /v1 requests, chosen by configuration and changeable at run time
// (POST /__mock/faults). Sans-io: this only decides; mock/api carries the decision out.
//
// Counters are consumed in a fixed order, each only while it lasts: drop_first, then
// drop_after_first, then cut_first, then html_first, then rate_limit_first, then fail_first, then the fail_rate draw. So
// {drop_first: 1, fail_first: 2} drops the next request and fails the two after it.
#pragma once

#include "mock/seeded_random.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace justifi::mock {

struct fault_settings {
    std::chrono::milliseconds latency{0};  // added to every /v1 response
    double fail_rate = 0.0;                // fraction of /v1 requests answered with fail_status
    int fail_status = 503;
    std::uint64_t fail_first = 0;        // the next N /v1 requests answer fail_status
    std::uint64_t rate_limit_first = 0;  // the next N answer 429 with Retry-After: 1
    std::uint64_t drop_first = 0;        // the next N get their connection closed unanswered
    // The next N are processed (and their answer kept under their Idempotency-Key), then their
    // connection is closed unanswered: the client cannot tell whether the request took effect.
    std::uint64_t drop_after_first = 0;
    std::uint64_t cut_first = 0;  // processed, then the answer's head and half its body, then a reset
    // Not processed: a 200 whose body is an HTML page, as from a proxy or captive portal.
    std::uint64_t html_first = 0;
};

enum class fault_kind { none, drop, drop_after_processing, cut_after_processing, html, rate_limit, fail };

struct fault_decision {
    fault_kind kind = fault_kind::none;
    int status = 0;  // for fail
    std::chrono::milliseconds latency{0};
    char const* reason = "";  // which setting caused it, for the error message
};

class fault_plan {
public:
    fault_plan(fault_settings settings, std::uint64_t seed) : settings_(settings), random_(seed ^ 0x6661756c74ULL) {}

    fault_decision next();
    // Applies the fields present in `patch` (the POST /__mock/faults body); on a bad field
    // nothing changes and the error names it.
    boost::system::result<void, std::string> update(boost::json::object const& patch);
    fault_settings current() const;
    boost::json::object to_json() const;

    static boost::json::object to_json(fault_settings const& s);
    static bool valid_fail_status(long long status) { return status >= 400 && status <= 599; }

private:
    mutable std::mutex mutex_;
    fault_settings settings_;
    seeded_random random_;
};

}  // namespace justifi::mock
