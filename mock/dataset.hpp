// The simulator's data: one collection per JustiFi object type, each kept in list order.
// Sans-io and unlocked: mock/store owns the one dataset and its mutex.
#pragma once

#include "mock/api_error.hpp"
#include "mock/pagination.hpp"
#include "mock/seeded_random.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::mock {

struct record {
    sort_key key;            // created_at and id: the list order
    std::string account_id;  // owner: a sub account, or the platform account for proceeds
    json::object data;       // what the API shows
    json::object hidden;     // what it never shows: full card and bank account numbers

    std::string const& id() const { return key.id; }
};

class collection {
public:
    record* find(std::string_view id);
    record const* find(std::string_view id) const;
    // Records stay where they are in memory, so the pointer stays valid.
    record* add(record r);
    void clear();
    std::size_t size() const { return items_.size(); }

    // Newest first, the order every JustiFi list uses.
    template <class F>
    void for_each_newest(F&& f) const
    {
        for (auto it = items_.rbegin(); it != items_.rend(); ++it) f(static_cast<record const&>(**it));
    }
    template <class F>
    void for_each_newest(F&& f)
    {
        for (auto it = items_.rbegin(); it != items_.rend(); ++it) f(**it);
    }

private:
    std::vector<std::unique_ptr<record>> items_;  // ascending key
    std::map<std::string, record*, std::less<>> index_;
};

struct dataset {
    std::string platform_account_id;
    collection sub_accounts;
    collection payments;
    collection refunds;
    collection payouts;
    collection proceeds;
    collection balance_transactions;
    collection disputes;
    collection checkouts;
    collection payment_methods;
    collection payment_method_groups;
    collection terminals;
    collection payment_intents;
    // Tokens for the documented test cards, usable from every sub account and never listed.
    collection test_payment_methods;
    std::map<std::string, json::object, std::less<>> payout_accounts;    // by sub account id
    std::map<std::string, json::object, std::less<>> account_settings;   // by sub account id
    std::map<std::string, std::string, std::less<>> application_fee_rates;  // afr_ id by sub account id

    // Ids of objects created at run time come from the seed too, so a scripted session
    // sees the same ids on every run.
    seeded_random random{0};
    std::int64_t last_created_us = 0;

    // Creation times strictly increase, so new objects list first, in creation order.
    std::int64_t stamp(std::int64_t now_us)
    {
        last_created_us = std::max(now_us, last_created_us + 1);
        return last_created_us;
    }
};

// Fills `d` deterministically from `seed`; timestamps fall in the 90 days before `anchor_us`.
void seed_dataset(dataset& d, std::uint64_t seed, std::int64_t anchor_us);

// Time, as JustiFi writes it: "2021-01-01T12:00:00Z".
std::string iso8601(std::int64_t us);
std::string iso_date(std::int64_t us);  // "2021-01-01"
// RFC 3339 date-time ("2022-01-01T00:00:00Z", fractions and offsets allowed) or a date,
// which means its midnight UTC.
std::optional<std::int64_t> parse_timestamp(std::string_view text);
std::int64_t wall_clock_us();
std::int64_t start_of_day_us(std::int64_t us);

constexpr std::int64_t us_per_second = 1'000'000;
constexpr std::int64_t us_per_day = 86'400 * us_per_second;

}  // namespace justifi::mock
