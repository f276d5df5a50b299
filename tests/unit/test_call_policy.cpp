// The upstream call policy, case by case: each test feeds the machine what an attempt came
// to (a status, an error, a Retry-After, the time left) and checks the step it names.
#include "client/call_policy.hpp"
#include "client/justifi_client.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using justifi::client::attempt_outcome;
using justifi::client::call_decision;
using justifi::client::call_policy;
using justifi::client::call_step;
using justifi::client::client_error;
using justifi::client::parse_retry_after;

namespace {

constexpr auto plenty = 30'000ms;

call_policy three_attempts(bool refreshable = false) { return call_policy({3, 200ms}, refreshable); }

attempt_outcome answered(int status, std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
{
    return {{}, status, retry_after};
}

attempt_outcome failed(client_error e) { return {make_error_code(e), 0, std::nullopt}; }

bool finishes(call_decision const& d) { return d.step == call_step::finish; }

}  // namespace

BOOST_AUTO_TEST_SUITE(call_policy_steps)

BOOST_AUTO_TEST_CASE(a_success_finishes_on_the_first_attempt)
{
    auto policy = three_attempts();
    BOOST_TEST(finishes(policy.after(answered(200), plenty, 0.5)));
    BOOST_TEST(policy.attempt() == 1);
}

BOOST_AUTO_TEST_CASE(client_errors_are_final_because_sending_them_again_cannot_change_the_answer)
{
    for (int status : {400, 402, 403, 404, 422}) {
        auto policy = three_attempts(true);
        BOOST_TEST(finishes(policy.after(answered(status), plenty, 0.5)), "status " << status);
    }
}

BOOST_AUTO_TEST_CASE(server_errors_rate_limits_and_conflicts_are_retried_after_a_backoff)
{
    for (int status : {409, 429, 500, 502, 503, 504}) {
        auto policy = three_attempts();
        auto const d = policy.after(answered(status), plenty, 0.0);
        BOOST_TEST((d.step == call_step::send_again), "status " << status);
        BOOST_TEST(d.pause.count() > 0);
        BOOST_TEST(policy.attempt() == 2);
    }
}

BOOST_AUTO_TEST_CASE(the_backoff_doubles_per_attempt_and_jitter_picks_a_point_in_its_upper_half)
{
    auto low = three_attempts();
    BOOST_TEST(low.after(answered(503), plenty, 0.0).pause == 100ms);  // half of the first 200 ms
    BOOST_TEST(low.after(answered(503), plenty, 0.0).pause == 200ms);  // half of 400 ms

    auto high = three_attempts();
    BOOST_TEST(high.after(answered(503), plenty, 1.0).pause == 200ms);
    BOOST_TEST(high.after(answered(503), plenty, 1.0).pause == 400ms);

    auto middle = three_attempts();
    BOOST_TEST(middle.after(answered(503), plenty, 0.5).pause == 150ms);
}

BOOST_AUTO_TEST_CASE(jitter_outside_the_unit_interval_is_clamped)
{
    auto policy = three_attempts();
    BOOST_TEST(policy.after(answered(503), plenty, -3.0).pause == 100ms);
    BOOST_TEST(policy.after(answered(503), plenty, 7.0).pause == 400ms);
}

BOOST_AUTO_TEST_CASE(retry_after_replaces_the_backoff)
{
    auto policy = three_attempts();
    auto const d = policy.after(answered(429, 2s), plenty, 0.0);
    BOOST_TEST((d.step == call_step::send_again));
    BOOST_TEST(d.pause == 2000ms);
}

BOOST_AUTO_TEST_CASE(no_pause_outlasts_the_deadline)
{
    auto policy = three_attempts();
    auto const d = policy.after(answered(429, 60s), 750ms, 0.0);
    BOOST_TEST((d.step == call_step::send_again));
    BOOST_TEST(d.pause == 750ms);
}

BOOST_AUTO_TEST_CASE(a_passed_deadline_gets_no_further_attempt)
{
    auto policy = three_attempts();
    BOOST_TEST(finishes(policy.after(answered(503), 0ms, 0.5)));
    BOOST_TEST(policy.attempt() == 1);
}

BOOST_AUTO_TEST_CASE(the_attempt_budget_ends_the_call_with_the_last_answer)
{
    auto policy = three_attempts();
    BOOST_TEST((policy.after(answered(503), plenty, 0.5).step == call_step::send_again));
    BOOST_TEST((policy.after(answered(503), plenty, 0.5).step == call_step::send_again));
    BOOST_TEST(finishes(policy.after(answered(503), plenty, 0.5)));
    BOOST_TEST(policy.attempt() == 3);
}

BOOST_AUTO_TEST_CASE(a_single_attempt_budget_never_retries)
{
    call_policy policy({1, 200ms}, false);
    BOOST_TEST(finishes(policy.after(answered(503), plenty, 0.5)));
}

BOOST_AUTO_TEST_CASE(network_failures_are_retried_but_a_timeout_is_not)
{
    for (auto e : {client_error::connect_failed, client_error::connection_lost, client_error::tls_failed}) {
        auto policy = three_attempts();
        BOOST_TEST((policy.after(failed(e), plenty, 0.5).step == call_step::send_again), make_error_code(e).message());
    }
    // The deadline covers the whole call: a timed-out attempt leaves nothing for another.
    auto policy = three_attempts();
    BOOST_TEST(finishes(policy.after(failed(client_error::timed_out), plenty, 0.5)));
}

BOOST_AUTO_TEST_CASE(a_401_on_a_cached_token_refreshes_it_once_without_spending_an_attempt)
{
    auto policy = three_attempts(true);
    auto const first = policy.after(answered(401), plenty, 0.5);
    BOOST_TEST((first.step == call_step::refresh_token_then_send));
    BOOST_TEST(first.pause == 0ms);
    BOOST_TEST(policy.attempt() == 1);
    // The fresh token is refused too: JustiFi means it.
    BOOST_TEST(finishes(policy.after(answered(401), plenty, 0.5)));
}

BOOST_AUTO_TEST_CASE(the_refresh_still_allows_the_full_retry_budget_afterwards)
{
    auto policy = three_attempts(true);
    BOOST_TEST((policy.after(answered(401), plenty, 0.5).step == call_step::refresh_token_then_send));
    BOOST_TEST((policy.after(answered(503), plenty, 0.5).step == call_step::send_again));
    BOOST_TEST((policy.after(answered(503), plenty, 0.5).step == call_step::send_again));
    BOOST_TEST(finishes(policy.after(answered(503), plenty, 0.5)));
}

BOOST_AUTO_TEST_CASE(a_401_on_the_callers_own_bearer_token_is_final)
{
    auto policy = three_attempts(false);
    BOOST_TEST(finishes(policy.after(answered(401), plenty, 0.5)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retry_after_header)

BOOST_AUTO_TEST_CASE(delta_seconds_are_read)
{
    BOOST_TEST(parse_retry_after("5").value() == 5000ms);
    BOOST_TEST(parse_retry_after("0").value() == 0ms);
    BOOST_TEST(parse_retry_after(" 12\t").value() == 12000ms);
}

BOOST_AUTO_TEST_CASE(huge_values_are_capped_at_an_hour)
{
    BOOST_TEST(parse_retry_after("86400").value() == 3600s);
    BOOST_TEST(parse_retry_after("99999999999999999999999999").value() == 3600s);
}

BOOST_AUTO_TEST_CASE(anything_else_is_ignored)
{
    BOOST_TEST(!parse_retry_after(""));
    BOOST_TEST(!parse_retry_after("  "));
    BOOST_TEST(!parse_retry_after("-1"));
    BOOST_TEST(!parse_retry_after("1.5"));
    BOOST_TEST(!parse_retry_after("5s"));
    BOOST_TEST(!parse_retry_after("Fri, 04 Dec 2026 10:00:00 GMT"));
}

BOOST_AUTO_TEST_SUITE_END()
