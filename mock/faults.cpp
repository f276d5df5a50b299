#include "mock/faults.hpp"

#include <string_view>

namespace justifi::mock {

namespace json = boost::json;

fault_decision fault_plan::next()
{
    std::lock_guard lock(mutex_);
    fault_decision d;
    d.latency = settings_.latency;
    if (settings_.drop_first > 0) {
        --settings_.drop_first;
        d.kind = fault_kind::drop;
        d.reason = "drop_first";
    } else if (settings_.drop_after_first > 0) {
        --settings_.drop_after_first;
        d.kind = fault_kind::drop_after_processing;
        d.reason = "drop_after_first";
    } else if (settings_.cut_first > 0) {
        --settings_.cut_first;
        d.kind = fault_kind::cut_after_processing;
        d.reason = "cut_first";
    } else if (settings_.html_first > 0) {
        --settings_.html_first;
        d.kind = fault_kind::html;
        d.reason = "html_first";
    } else if (settings_.rate_limit_first > 0) {
        --settings_.rate_limit_first;
        d.kind = fault_kind::rate_limit;
        d.status = 429;
        d.reason = "rate_limit_first";
    } else if (settings_.fail_first > 0) {
        --settings_.fail_first;
        d.kind = fault_kind::fail;
        d.status = settings_.fail_status;
        d.reason = "fail_first";
    } else if (settings_.fail_rate > 0 && random_.chance(settings_.fail_rate)) {
        d.kind = fault_kind::fail;
        d.status = settings_.fail_status;
        d.reason = "fail_rate";
    }
    return d;
}

boost::system::result<void, std::string> fault_plan::update(json::object const& patch)
{
    std::lock_guard lock(mutex_);
    auto next = settings_;
    for (auto const& [key, value] : patch) {
        std::string_view const name = key;
        auto const as_count = [&value = value](std::uint64_t& out, long long max) -> bool {  // clang 14: no binding captures
            if (value.is_int64() && value.as_int64() >= 0 && value.as_int64() <= max) {
                out = static_cast<std::uint64_t>(value.as_int64());
                return true;
            }
            if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(max)) {
                out = value.as_uint64();
                return true;
            }
            return false;
        };
        std::uint64_t n = 0;
        if (name == "latency_ms") {
            if (!as_count(n, 600'000)) return std::string("latency_ms must be an integer from 0 to 600000");
            next.latency = std::chrono::milliseconds(n);
        } else if (name == "fail_rate") {
            if (!value.is_number()) return std::string("fail_rate must be a number from 0 to 1");
            double const rate = value.to_number<double>();
            if (!(rate >= 0.0 && rate <= 1.0)) return std::string("fail_rate must be a number from 0 to 1");
            next.fail_rate = rate;
        } else if (name == "fail_status") {
            if (!as_count(n, 599) || !valid_fail_status(static_cast<long long>(n)))
                return std::string("fail_status must be an HTTP status from 400 to 599");
            next.fail_status = static_cast<int>(n);
        } else if (name == "fail_first" || name == "rate_limit_first" || name == "drop_first" ||
                   name == "drop_after_first" || name == "cut_first" || name == "html_first") {
            if (!as_count(n, 1'000'000'000)) return std::string(name) + " must be a non-negative integer";
            if (name == "fail_first") next.fail_first = n;
            else if (name == "rate_limit_first") next.rate_limit_first = n;
            else if (name == "drop_first") next.drop_first = n;
            else if (name == "drop_after_first") next.drop_after_first = n;
            else if (name == "cut_first") next.cut_first = n;
            else next.html_first = n;
        } else {
            return "unknown fault setting \"" + std::string(name) +
                   "\"; use latency_ms, fail_rate, fail_status, fail_first, rate_limit_first, drop_first, "
                   "drop_after_first, cut_first, html_first";
        }
    }
    settings_ = next;
    return {};
}

fault_settings fault_plan::current() const
{
    std::lock_guard lock(mutex_);
    return settings_;
}

json::object fault_plan::to_json() const { return to_json(current()); }

json::object fault_plan::to_json(fault_settings const& s)
{
    return {{"latency_ms", s.latency.count()},
            {"fail_rate", s.fail_rate},
            {"fail_status", s.fail_status},
            {"fail_first", s.fail_first},
            {"rate_limit_first", s.rate_limit_first},
            {"drop_first", s.drop_first},
            {"drop_after_first", s.drop_after_first},
            {"cut_first", s.cut_first},
            {"html_first", s.html_first}};
}

}  // namespace justifi::mock
