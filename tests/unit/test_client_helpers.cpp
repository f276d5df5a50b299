// The JustiFi client's sans-io parts (base URL, paths, header values) and the token
// cache's bookkeeping, driven on an io_context with a counting token source.
#include "client/justifi_client.hpp"
#include "client/token_cache.hpp"
#include "net/http_fetch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace justifi::client;
using justifi::net::cache_max_age;
using justifi::auth::client_credentials;
using namespace std::chrono_literals;

namespace {

std::string ok(justifi::core::outcome<std::string> const& r)
{
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : std::string()));
    return *r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_helpers)

BOOST_AUTO_TEST_CASE(check_json_tells_an_object_from_other_json_and_from_what_is_not_json)
{
    BOOST_TEST((check_json(R"({"data":[{"id":"py_1","amount":100}],"page_info":{"has_next":false}})") == json_shape::object));
    BOOST_TEST((check_json(" \r\n{}\n ") == json_shape::object));
    BOOST_TEST((check_json("[{}]") == json_shape::other));
    BOOST_TEST((check_json(R"("text")") == json_shape::other));
    BOOST_TEST((check_json("12") == json_shape::other));
    BOOST_TEST((check_json("null") == json_shape::other));
    BOOST_TEST((check_json("") == json_shape::invalid));
    BOOST_TEST((check_json(R"({"data":[1,2)") == json_shape::invalid));             // cut short
    BOOST_TEST((check_json(R"({"a":1} {"b":2})") == json_shape::invalid));          // two values
    BOOST_TEST((check_json(R"({"a":1}x)") == json_shape::invalid));
    BOOST_TEST((check_json("<html><body>Gateway</body></html>") == json_shape::invalid));
    BOOST_TEST((check_json("{\"a\":\"\xff\xfe\"}") == json_shape::invalid));       // not UTF-8
    BOOST_TEST((check_json(R"({"a":1,})") == json_shape::invalid));                 // no trailing commas
    BOOST_TEST((check_json("{\"a\":1} // note") == json_shape::invalid));          // no comments
    // The same depth limit as json::parse: 32 levels pass, 33 do not.
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    BOOST_TEST((check_json("{\"a\":" + nested(31) + "}") == json_shape::object));
    BOOST_TEST((check_json("{\"a\":" + nested(32) + "}") == json_shape::invalid));
}

BOOST_AUTO_TEST_CASE(base_url_drops_trailing_slash_and_v1)
{
    BOOST_TEST(ok(normalise_base_url("https://api.justifi.ai")) == "https://api.justifi.ai");
    BOOST_TEST(ok(normalise_base_url("https://api.justifi.ai/")) == "https://api.justifi.ai");
    BOOST_TEST(ok(normalise_base_url("https://api.justifi.ai/v1")) == "https://api.justifi.ai");
    BOOST_TEST(ok(normalise_base_url("https://API.justifi.ai/v1/")) == "https://api.justifi.ai");
    BOOST_TEST(ok(normalise_base_url("https://proxy.example.com:8443/justifi/v1")) ==
               "https://proxy.example.com:8443/justifi");
}

BOOST_AUTO_TEST_CASE(plain_http_only_for_loopback)
{
    BOOST_TEST(ok(normalise_base_url("http://127.0.0.1:8081")) == "http://127.0.0.1:8081");
    BOOST_TEST(ok(normalise_base_url("http://localhost:8081/v1")) == "http://localhost:8081");
    auto const remote = normalise_base_url("http://api.justifi.ai");
    BOOST_REQUIRE(remote.has_error());
    BOOST_TEST(remote.error().message.find("loopback") != std::string::npos);
    BOOST_TEST((remote.error().code == justifi::core::errc::invalid_config));
    // An IPv4-looking prefix must not pass for loopback (Boost.URL 1.81 misreads such hosts).
    BOOST_TEST(normalise_base_url("http://127.0.0.1.evil.example").has_error());
    BOOST_TEST(normalise_base_url("ftp://api.justifi.ai").has_error());
    BOOST_TEST(normalise_base_url("https://user:pw@api.justifi.ai").has_error());
    BOOST_TEST(normalise_base_url("api.justifi.ai").has_error());
}

BOOST_AUTO_TEST_CASE(path_parameters_are_filled_and_validated)
{
    json::object args{{"id", "py_123abc"}, {"payment_method_id", "pm_9-z"}};
    BOOST_TEST(ok(build_path("/v1/payments/{id}", args)) == "/v1/payments/py_123abc");
    BOOST_TEST(ok(build_path("/v1/payment_method_groups/{id}/payment_methods/{payment_method_id}", args)) ==
               "/v1/payment_method_groups/py_123abc/payment_methods/pm_9-z");
    BOOST_TEST(ok(build_path("/v1/payments", {})) == "/v1/payments");
}

BOOST_AUTO_TEST_CASE(path_injection_is_refused_naming_the_argument)
{
    for (auto const* bad : {"../oauth/token", "x?y", "a/b", "py_1#frag", "py%2F1", "", "py 1", "py_1\r\nX: y"}) {
        auto const r = build_path("/v1/payments/{id}", json::object{{"id", bad}});
        BOOST_REQUIRE_MESSAGE(r.has_error(), bad);
        BOOST_TEST(r.error().message.find("\"id\"") != std::string::npos);
        BOOST_TEST((r.error().code == justifi::core::errc::invalid_arguments));
    }
    BOOST_TEST(build_path("/v1/payments/{id}", json::object{{"id", std::string(129, 'a')}}).has_error());
    BOOST_TEST(build_path("/v1/payments/{id}", json::object{{"id", 42}}).has_error());
    BOOST_TEST(build_path("/v1/payments/{id}", json::object{}).error().message.find("required") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(header_values_with_control_characters_are_unsafe)
{
    BOOST_TEST(is_safe_header_value("acc_123"));
    BOOST_TEST(!is_safe_header_value("acc_123\r\nX-Evil: 1"));
    BOOST_TEST(!is_safe_header_value("acc\n"));
    BOOST_TEST(!is_safe_header_value(std::string("acc\0x", 5)));
    BOOST_TEST(!is_safe_header_value("tab\there"));
}

namespace {

// Named, never temporaries inside co_await: GCC 12 destroys such temporaries twice.
client_credentials const right{"client-a", "right-secret"};
client_credentials const wrong{"client-a", "wrong-secret"};
client_credentials const plain{"c", "s"};

// A token source that counts requests and takes a little while, as a real one would.
struct counting_source {
    std::atomic<int> requests{0};
    std::chrono::seconds ttl{3600};
    bool fail = false;
    bool refuse = false;

    token_cache::fetch_function function()
    {
        return [this](client_credentials const& c) -> asio::awaitable<boost::system::result<issued_token>> {
            int const n = ++requests;
            asio::steady_timer delay(co_await asio::this_coro::executor, 20ms);
            co_await delay.async_wait(asio::use_awaitable);
            if (fail) co_return make_error_code(client_error::token_request_failed);
            if (refuse) co_return make_error_code(client_error::credentials_refused);
            co_return issued_token{c.client_id + "-token-" + std::to_string(n), ttl};
        };
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_callers_on_a_cold_entry_share_one_token_request)
{
    asio::thread_pool pool(2);  // callers on several threads, as in the HTTP server
    counting_source source;
    token_cache cache(pool.get_executor(), source.function());
    std::atomic<int> got{0};
    std::atomic<int> same{0};
    for (int i = 0; i < 200; ++i)
        asio::co_spawn(pool, [&]() -> asio::awaitable<void> {
            auto token = co_await cache.get_or_refresh(right);
            if (token) ++got;
            if (token && *token == "client-a-token-1") ++same;
        }, asio::detached);
    pool.join();
    BOOST_TEST(source.requests.load() == 1);
    BOOST_TEST(got.load() == 200);
    BOOST_TEST(same.load() == 200);
}

BOOST_AUTO_TEST_CASE(a_different_secret_never_gets_the_cached_token)
{
    asio::io_context io;
    counting_source source;
    token_cache cache(io.get_executor(), source.function());
    std::string first, second, again;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        first = (co_await cache.get_or_refresh(right)).value();
        second = (co_await cache.get_or_refresh(wrong)).value();
        again = (co_await cache.get_or_refresh(right)).value();
    }, asio::detached);
    io.run();
    BOOST_TEST(source.requests.load() == 2);
    BOOST_TEST(first != second);
    BOOST_TEST(again == first);
    BOOST_TEST(token_cache::key_of({"client-a", "right-secret"}).find("right-secret") == std::string::npos);
}

namespace {

// The token cache's clock, moved by the test: time passes when the test says so, not while it sleeps.
struct manual_clock {
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
    std::function<std::chrono::steady_clock::time_point()> function()
    {
        return [this] { return now; };
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(token_is_refreshed_ahead_of_expiry)
{
    asio::io_context io;
    counting_source source;
    source.ttl = 61s;  // with a 60 s margin it must be refreshed after one second
    manual_clock clock;
    token_cache cache(io.get_executor(), source.function(), {.now = clock.function()});
    std::string first, soon, later;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        first = (co_await cache.get_or_refresh(plain)).value();
        soon = (co_await cache.get_or_refresh(plain)).value();
        clock.now += 1100ms;
        later = (co_await cache.get_or_refresh(plain)).value();
    }, asio::detached);
    io.run();
    BOOST_TEST(soon == first);
    BOOST_TEST(later != first);
    BOOST_TEST(source.requests.load() == 2);
}

BOOST_AUTO_TEST_CASE(invalidate_drops_only_the_token_it_names)
{
    asio::io_context io;
    counting_source source;
    token_cache cache(io.get_executor(), source.function());
    std::string first, after_stale_invalidate, after_invalidate;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        first = (co_await cache.get_or_refresh(plain)).value();
        co_await cache.invalidate(plain, "some-older-token");
        after_stale_invalidate = (co_await cache.get_or_refresh(plain)).value();
        co_await cache.invalidate(plain, first);
        after_invalidate = (co_await cache.get_or_refresh(plain)).value();
    }, asio::detached);
    io.run();
    BOOST_TEST(after_stale_invalidate == first);
    BOOST_TEST(after_invalidate != first);
}

BOOST_AUTO_TEST_CASE(a_failed_token_request_fails_every_waiter_and_is_not_cached)
{
    asio::io_context io;
    counting_source source;
    source.fail = true;
    token_cache cache(io.get_executor(), source.function());
    int failures = 0;
    for (int i = 0; i < 5; ++i)
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            auto token = co_await cache.get_or_refresh(plain);
            if (!token && token.error() == make_error_code(client_error::token_request_failed)) ++failures;
        }, asio::detached);
    io.run();
    BOOST_TEST(failures == 5);
    BOOST_TEST(source.requests.load() == 1);
    io.restart();
    source.fail = false;
    std::string recovered;
    boost::system::error_code recovery_error;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        auto token = co_await cache.get_or_refresh(plain);
        if (token) recovered = *token;
        else recovery_error = token.error();
    }, asio::detached);
    io.run();
    BOOST_TEST(!recovered.empty(), recovery_error.message());
    BOOST_TEST(source.requests.load() == 2);
}

// Runs `body` on a fresh io_context to completion.
template <class Body>
void run_on(asio::io_context& io, Body body)
{
    asio::co_spawn(io, std::move(body), asio::detached);
    io.restart();
    io.run();
}

BOOST_AUTO_TEST_CASE(refused_credentials_are_remembered_briefly_then_asked_about_again)
{
    asio::io_context io;
    counting_source source;
    source.refuse = true;
    manual_clock clock;
    token_cache cache(io.get_executor(), source.function(), {.refused_ttl = 1s, .now = clock.function()});
    std::vector<boost::system::error_code> errors;
    run_on(io, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) errors.push_back((co_await cache.get_or_refresh(wrong)).error());
    });
    BOOST_TEST(source.requests.load() == 1);
    for (auto const& e : errors) BOOST_TEST((e == client_error::credentials_refused), e.message());
    clock.now += 1100ms;
    source.refuse = false;
    std::string token;
    run_on(io, [&]() -> asio::awaitable<void> { token = (co_await cache.get_or_refresh(wrong)).value(); });
    BOOST_TEST(source.requests.load() == 2);
    BOOST_TEST(!token.empty());
}

BOOST_AUTO_TEST_CASE(the_cache_holds_at_most_max_entries_and_forgets_the_least_recently_used)
{
    asio::io_context io;
    counting_source source;
    token_cache cache(io.get_executor(), source.function(), {.max_entries = 3});
    client_credentials const a{"a", "s"}, b{"b", "s"}, c{"c", "s"}, d{"d", "s"};
    std::size_t size_after = 0;
    run_on(io, [&]() -> asio::awaitable<void> {
        for (auto const* who : {&a, &b, &c, &a, &d}) (void)co_await cache.get_or_refresh(*who);  // d evicts b, not a
        size_after = cache.size();
        (void)co_await cache.get_or_refresh(a);  // still there
    });
    BOOST_TEST(size_after == 3u);
    BOOST_TEST(source.requests.load() == 4);
    run_on(io, [&]() -> asio::awaitable<void> { (void)co_await cache.get_or_refresh(b); });
    BOOST_TEST(source.requests.load() == 5);  // b was the one forgotten
}

BOOST_AUTO_TEST_CASE(a_flood_of_distinct_credentials_is_held_to_the_fetch_budget_and_to_max_entries)
{
    asio::io_context io;
    counting_source source;
    source.refuse = true;
    token_cache cache(io.get_executor(), source.function(),
                      {.max_entries = 50, .fetches_per_second = 1, .fetch_burst = 5});
    int over_budget = 0;
    std::size_t size_after = 0;
    run_on(io, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 1000; ++i) {
            client_credentials const someone{"test_" + std::to_string(i), "guess"};
            auto const token = co_await cache.get_or_refresh(someone);
            if (!token && token.error() == client_error::token_budget_exhausted) ++over_budget;
        }
        size_after = cache.size();
    });
    // The burst, plus what the rate adds while the loop runs (20 ms per fetch).
    BOOST_TEST(source.requests.load() <= 6);
    BOOST_TEST(over_budget >= 994);
    BOOST_TEST(size_after <= 6u);
}

BOOST_AUTO_TEST_CASE(a_token_due_for_refresh_is_still_served_while_the_budget_is_spent)
{
    asio::io_context io;
    counting_source source;
    source.ttl = 61s;  // due after a second, valid for a minute
    manual_clock clock;
    token_cache cache(io.get_executor(), source.function(),
                      {.fetches_per_second = 0.01, .fetch_burst = 2, .now = clock.function()});
    client_credentials const other{"other", "s"};
    client_credentials const third{"third", "s"};
    std::string first, later;
    boost::system::error_code third_error;
    run_on(io, [&]() -> asio::awaitable<void> {
        first = (co_await cache.get_or_refresh(plain)).value();
        (void)co_await cache.get_or_refresh(other);  // the budget is spent now
        third_error = (co_await cache.get_or_refresh(third)).error();
    });
    BOOST_TEST((third_error == client_error::token_budget_exhausted));
    clock.now += 1100ms;
    run_on(io, [&]() -> asio::awaitable<void> { later = (co_await cache.get_or_refresh(plain)).value(); });
    BOOST_TEST(later == first);
    BOOST_TEST(source.requests.load() == 2);
}

BOOST_AUTO_TEST_CASE(cache_max_age_reads_what_cache_control_allows)
{
    BOOST_TEST(cache_max_age("public, max-age=15, stale-while-revalidate=15, stale-if-error=86400").value().count() == 15);
    BOOST_TEST(cache_max_age("Max-Age=600").value().count() == 600);
    BOOST_TEST(cache_max_age("max-age=60, no-cache").value().count() == 0);
    BOOST_TEST(cache_max_age("no-store").value().count() == 0);
    BOOST_TEST(cache_max_age("max-age=99999999999").value().count() == 365LL * 24 * 3600);
    BOOST_TEST(!cache_max_age("").has_value());
    BOOST_TEST(!cache_max_age("public").has_value());
    BOOST_TEST(!cache_max_age("max-age=-1, max-age=x").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
