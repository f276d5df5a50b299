// Metrics in the Prometheus text format (0.0.4): counters and histograms with fixed label
// names, and gauges read when scraped. Every label value comes from a bounded set (tool
// names, known MCP methods, HTTP statuses), so the series stay few whatever clients send.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::core::metrics {

// Request and upstream latencies, in seconds: 0.5 ms to 10 s.
inline constexpr std::array<double, 14> latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

class registry {
public:
    // Declares a family once, before use; `labels` are the label names in order.
    void counter(std::string name, std::string help, std::vector<std::string> labels = {});
    void histogram(std::string name, std::string help, std::vector<std::string> labels = {});
    void gauge(std::string name, std::string help, std::function<double()> read);

    // `values` match the family's label names, in order. Unknown families are ignored.
    void add(std::string_view name, std::vector<std::string> const& values = {}, double amount = 1);
    void observe(std::string_view name, std::vector<std::string> const& values, std::chrono::nanoseconds duration);

    std::string render() const;

private:
    struct histogram_series {
        std::array<std::uint64_t, latency_buckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct family {
        std::string name;
        std::string help;
        enum class kind { counter, histogram, gauge } type;
        std::vector<std::string> labels;
        std::function<double()> read;
        std::map<std::string, double> counters;  // by rendered label set
        std::map<std::string, histogram_series> histograms;
    };
    std::string label_set(family const& f, std::vector<std::string> const& values) const;

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<family>> families_;
    std::map<std::string, family*, std::less<>> by_name_;
};

// The families the server records, declared in one place.
void declare_server_metrics(registry& r);

// Names used by the recording sites.
inline constexpr std::string_view requests_total = "justifi_mcp_requests_total";
inline constexpr std::string_view request_duration = "justifi_mcp_request_duration_seconds";
inline constexpr std::string_view tool_calls_total = "justifi_mcp_tool_calls_total";
inline constexpr std::string_view upstream_requests_total = "justifi_mcp_upstream_requests_total";
inline constexpr std::string_view upstream_duration = "justifi_mcp_upstream_duration_seconds";
inline constexpr std::string_view token_cache_total = "justifi_mcp_token_cache_total";
inline constexpr std::string_view rate_limited_total = "justifi_mcp_rate_limited_total";
inline constexpr std::string_view overload_total = "justifi_mcp_overload_rejections_total";

}  // namespace justifi::core::metrics
