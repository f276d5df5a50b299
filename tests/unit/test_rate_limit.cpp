// The per-caller token bucket, with the clock in the test's hands.
#include "core/rate_limit.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using justifi::core::rate_limiter;

namespace {

rate_limiter::clock::time_point const t0{};

}  // namespace

BOOST_AUTO_TEST_SUITE(rate_limit)

BOOST_AUTO_TEST_CASE(a_burst_is_admitted_then_the_next_request_waits_for_a_token)
{
    rate_limiter limiter(10, 3);
    for (int i = 0; i < 3; ++i) BOOST_TEST(!limiter.take("sub:a", t0));
    auto const wait = limiter.take("sub:a", t0);
    BOOST_REQUIRE(wait);
    BOOST_TEST(wait->count() == 100);  // one token at 10 a second
    BOOST_TEST(!limiter.take("sub:a", t0 + 100ms));
    BOOST_TEST(static_cast<bool>(limiter.take("sub:a", t0 + 100ms)));
}

BOOST_AUTO_TEST_CASE(callers_have_their_own_buckets)
{
    rate_limiter limiter(1, 1);
    BOOST_TEST(!limiter.take("client:one", t0));
    BOOST_TEST(static_cast<bool>(limiter.take("client:one", t0)));
    BOOST_TEST(!limiter.take("client:two", t0));
}

BOOST_AUTO_TEST_CASE(a_bucket_refills_to_the_burst_and_no_further)
{
    rate_limiter limiter(2, 4);
    for (int i = 0; i < 4; ++i) BOOST_TEST(!limiter.take("k", t0));
    // An hour later the bucket holds the burst, not 7200 tokens.
    for (int i = 0; i < 4; ++i) BOOST_TEST(!limiter.take("k", t0 + 1h));
    BOOST_TEST(static_cast<bool>(limiter.take("k", t0 + 1h)));
}

BOOST_AUTO_TEST_CASE(zero_rate_turns_limiting_off)
{
    rate_limiter limiter(0, 1);
    BOOST_TEST(!limiter.enabled());
    for (int i = 0; i < 1000; ++i) BOOST_TEST(!limiter.take("k", t0));
    BOOST_TEST(limiter.tracked_keys() == 0u);
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded_under_a_flood_of_distinct_callers)
{
    rate_limiter limiter(1, 5, 100);
    for (int i = 0; i < 10'000; ++i) limiter.take("caller-" + std::to_string(i), t0);
    BOOST_TEST(limiter.tracked_keys() <= 100u);
    // A caller that is still limited is not forgotten in favour of full buckets.
    rate_limiter small(1, 1, 3);
    BOOST_TEST(!small.take("busy", t0));
    BOOST_TEST(static_cast<bool>(small.take("busy", t0)));
    BOOST_TEST(!small.take("idle-1", t0 - 10s));  // refilled by t0
    BOOST_TEST(!small.take("idle-2", t0 - 10s));
    BOOST_TEST(!small.take("newcomer", t0));      // evicts the full buckets, keeps "busy"
    BOOST_TEST(static_cast<bool>(small.take("busy", t0)));
}

BOOST_AUTO_TEST_SUITE_END()
