// The Prometheus text the registry renders, and the bounded request labels.
#include "server/http_transport.hpp"
#include "core/metrics.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
namespace metrics = justifi::core::metrics;

namespace {

bool contains(std::string const& text, std::string const& line) { return text.find(line) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_registry)

BOOST_AUTO_TEST_CASE(counters_render_with_help_type_and_escaped_labels)
{
    metrics::registry r;
    r.counter("calls_total", "calls by tool", {"tool", "outcome"});
    r.add("calls_total", {"list_payments", "ok"});
    r.add("calls_total", {"list_payments", "ok"}, 2);
    r.add("calls_total", {"we\"ird\\name\n", "ok"});
    r.add("not_declared_total", {"x"});  // ignored, not an error
    auto const text = r.render();
    BOOST_TEST(contains(text, "# HELP calls_total calls by tool\n# TYPE calls_total counter\n"));
    BOOST_TEST(contains(text, "calls_total{tool=\"list_payments\",outcome=\"ok\"} 3\n"), text);
    BOOST_TEST(contains(text, "calls_total{tool=\"we\\\"ird\\\\name\\n\",outcome=\"ok\"} 1\n"), text);
    BOOST_TEST(!contains(text, "not_declared_total"));
}

BOOST_AUTO_TEST_CASE(histograms_have_cumulative_buckets_an_inf_bucket_a_sum_and_a_count)
{
    metrics::registry r;
    r.histogram("latency_seconds", "latency", {"method"});
    r.observe("latency_seconds", {"ping"}, 300us);   // in the 0.0005 bucket
    r.observe("latency_seconds", {"ping"}, 2ms);     // 0.0025
    r.observe("latency_seconds", {"ping"}, 30s);     // above every bucket
    auto const text = r.render();
    BOOST_TEST(contains(text, "# TYPE latency_seconds histogram\n"));
    BOOST_TEST(contains(text, "latency_seconds_bucket{method=\"ping\",le=\"0.0005\"} 1\n"), text);
    BOOST_TEST(contains(text, "latency_seconds_bucket{method=\"ping\",le=\"0.0025\"} 2\n"), text);
    BOOST_TEST(contains(text, "latency_seconds_bucket{method=\"ping\",le=\"10\"} 2\n"), text);
    BOOST_TEST(contains(text, "latency_seconds_bucket{method=\"ping\",le=\"+Inf\"} 3\n"), text);
    BOOST_TEST(contains(text, "latency_seconds_count{method=\"ping\"} 3\n"), text);
    BOOST_TEST(contains(text, "latency_seconds_sum{method=\"ping\"} 30.0023"), text);
}

BOOST_AUTO_TEST_CASE(gauges_are_read_when_rendered)
{
    metrics::registry r;
    int open = 3;
    r.gauge("open_connections", "open now", [&open] { return static_cast<double>(open); });
    BOOST_TEST(contains(r.render(), "open_connections 3\n"));
    open = 7;
    BOOST_TEST(contains(r.render(), "open_connections 7\n"));
}

BOOST_AUTO_TEST_CASE(request_labels_come_from_a_fixed_set)
{
    BOOST_TEST(justifi::server::request_label("tools/call") == "tools/call");
    BOOST_TEST(justifi::server::request_label("initialize") == "initialize");
    BOOST_TEST(justifi::server::request_label("") == "http");
    BOOST_TEST(justifi::server::request_label("made/up-by-a-client-123") == "other");
}

BOOST_AUTO_TEST_SUITE_END()
