#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace justifi::core::metrics {
namespace {

// Label values escape backslash, double quote and newline (the text format's rules).
std::string escaped(std::string_view value)
{
    std::string out;
    for (char const c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string number(double v)
{
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    // The shortest text that reads back as the same double: "0.0005", not "0.00050000000000000001".
    char buf[64];
    for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

// `set` is "" or "a=\"x\",b=\"y\""; `extra` one more label, or "".
std::string braces(std::string const& set, std::string const& extra = {})
{
    if (set.empty() && extra.empty()) return {};
    if (set.empty()) return "{" + extra + "}";
    if (extra.empty()) return "{" + set + "}";
    return "{" + set + "," + extra + "}";
}

}  // namespace

void registry::counter(std::string name, std::string help, std::vector<std::string> labels)
{
    std::lock_guard lock(mutex_);
    auto f = std::make_unique<family>(family{name, std::move(help), family::kind::counter, std::move(labels), {}, {}, {}});
    by_name_[name] = f.get();
    families_.push_back(std::move(f));
}

void registry::histogram(std::string name, std::string help, std::vector<std::string> labels)
{
    std::lock_guard lock(mutex_);
    auto f = std::make_unique<family>(family{name, std::move(help), family::kind::histogram, std::move(labels), {}, {}, {}});
    by_name_[name] = f.get();
    families_.push_back(std::move(f));
}

void registry::gauge(std::string name, std::string help, std::function<double()> read)
{
    std::lock_guard lock(mutex_);
    auto f = std::make_unique<family>(family{name, std::move(help), family::kind::gauge, {}, std::move(read), {}, {}});
    by_name_[name] = f.get();
    families_.push_back(std::move(f));
}

std::string registry::label_set(family const& f, std::vector<std::string> const& values) const
{
    std::string out;
    for (std::size_t i = 0; i < f.labels.size(); ++i) {
        if (i) out += ',';
        out += f.labels[i] + "=\"" + escaped(i < values.size() ? values[i] : std::string()) + "\"";
    }
    return out;
}

void registry::add(std::string_view name, std::vector<std::string> const& values, double amount)
{
    std::lock_guard lock(mutex_);
    auto const it = by_name_.find(name);
    if (it == by_name_.end() || it->second->type != family::kind::counter) return;
    it->second->counters[label_set(*it->second, values)] += amount;
}

void registry::observe(std::string_view name, std::vector<std::string> const& values, std::chrono::nanoseconds duration)
{
    auto const seconds = std::chrono::duration<double>(duration).count();
    std::lock_guard lock(mutex_);
    auto const it = by_name_.find(name);
    if (it == by_name_.end() || it->second->type != family::kind::histogram) return;
    auto& series = it->second->histograms[label_set(*it->second, values)];
    auto const bucket = std::lower_bound(latency_buckets.begin(), latency_buckets.end(), seconds);
    if (bucket != latency_buckets.end()) ++series.buckets[static_cast<std::size_t>(bucket - latency_buckets.begin())];
    ++series.count;
    series.sum += seconds;
}

std::string registry::render() const
{
    std::string out;
    std::lock_guard lock(mutex_);
    for (auto const& f : families_) {
        auto const type = f->type == family::kind::counter ? "counter" : f->type == family::kind::histogram ? "histogram" : "gauge";
        out += "# HELP " + f->name + " " + f->help + "\n# TYPE " + f->name + " " + type + "\n";
        if (f->type == family::kind::gauge) {
            out += f->name + " " + number(f->read ? f->read() : 0) + "\n";
        } else if (f->type == family::kind::counter) {
            for (auto const& [labels, value] : f->counters) out += f->name + braces(labels) + " " + number(value) + "\n";
        } else {
            for (auto const& [labels, series] : f->histograms) {
                std::uint64_t cumulative = 0;
                for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
                    cumulative += series.buckets[i];
                    out += f->name + "_bucket" + braces(labels, "le=\"" + number(latency_buckets[i]) + "\"") + " " +
                           std::to_string(cumulative) + "\n";
                }
                out += f->name + "_bucket" + braces(labels, "le=\"+Inf\"") + " " + std::to_string(series.count) + "\n";
                out += f->name + "_sum" + braces(labels) + " " + number(series.sum) + "\n";
                out += f->name + "_count" + braces(labels) + " " + std::to_string(series.count) + "\n";
            }
        }
    }
    return out;
}

void declare_server_metrics(registry& r)
{
    r.counter(std::string(requests_total), "MCP endpoint requests by JSON-RPC method and HTTP status",
              {"method", "status"});
    r.histogram(std::string(request_duration), "time to answer an MCP endpoint request, by JSON-RPC method",
                {"method"});
    r.counter(std::string(tool_calls_total),
              "tool calls by tool and outcome (ok, tool_error, refused, cancelled, failed)", {"tool", "outcome"});
    r.counter(std::string(upstream_requests_total), "calls to the JustiFi API by HTTP status (0: no answer)",
              {"status"});
    r.histogram(std::string(upstream_duration), "time of one JustiFi API call, retries included");
    r.counter(std::string(token_cache_total), "client-credentials token cache lookups (hit, miss, refresh, refused, over_budget, evicted)",
              {"result"});
    r.counter(std::string(rate_limited_total), "requests refused with 429 by the per-caller rate limit");
    r.counter(std::string(overload_total), "tool calls refused with 503 because too many were in flight");
}

}  // namespace justifi::core::metrics
