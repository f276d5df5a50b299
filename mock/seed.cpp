// The seeded world: a platform with four sub accounts and ninety days of history.
// Everything comes from one seeded_random, so a seed always gives the same ids, amounts
// and statuses; only the anchor (the start of today, UTC) moves the timestamps.
#include "mock/dataset.hpp"
#include "mock/objects.hpp"

#include <cmath>

namespace justifi::mock {
namespace {

struct account_profile {
    char const* name;
    char const* mcc;
    double weight;  // share of the payments
    int terminals;
    std::vector<std::string> items;
};

std::vector<account_profile> const& profiles()
{
    static std::vector<account_profile> const table{
        {"The Shire Haberdashery", "5651", 0.40, 3,
         {"Waistcoat, emerald", "Wool cloak", "Brass buttons (set of 12)", "Wide-brim hat", "Pipe-weed pouch"}},
        {"Rivendell Outfitters", "5941", 0.30, 2,
         {"Elven rope, 30 ft", "Trail boots", "Lembas, box of 12", "Grey cloak", "Travel lantern"}},
        {"Gondor Family Dental", "8021", 0.20, 2, {"Cleaning and exam", "Filling", "Crown", "X-rays", "Whitening"}},
        {"Bree Pony Stables", "7999", 0.10, 0, {"Pony rental (day)", "Boarding (week)", "Riding lesson", "Tack repair"}},
    };
    return table;
}

std::vector<std::string> const first_names{"Amanda", "Sylvia", "Kevin", "Lindsay", "Maya", "Sue", "Diana",
                                           "Candace", "Seimone", "Rebekkah", "Tamika", "Lisa", "Brittney",
                                           "Napheesa", "Aliyah", "Kayla", "Jordan", "Chris", "Sam", "Alex"};
std::vector<std::string> const last_names{"Kessel", "Fowles", "Garnett", "Whalen", "Moore", "Bird", "Taurasi",
                                          "Parker", "Augustus", "Brunson", "Catchings", "Leslie", "Griner",
                                          "Collier", "Boston", "McBride", "Banks", "Rivera", "Nguyen", "Okafor"};
std::vector<std::string> const bank_names{"Wells Fargo", "Chase", "Bank of America", "US Bank", "Altra",
                                          "Bremer Bank", "Associated Bank"};

// A Luhn-valid number with the brand's prefix and length.
std::string card_number(seeded_random& rnd, std::string_view brand)
{
    std::string n;
    std::size_t length = 16;
    if (brand == "visa") n = "4";
    else if (brand == "mastercard") n = "5" + std::to_string(rnd.between(1, 5));
    else if (brand == "american_express") n = rnd.chance(0.5) ? "34" : "37", length = 15;
    else n = "6011";
    while (n.size() < length - 1) n += static_cast<char>('0' + rnd.between(0, 9));
    for (char check = '0'; check <= '9'; ++check)
        if (luhn_valid(n + check)) return n + check;
    return n + '0';
}

std::int64_t round_amount(seeded_random& rnd)
{
    // Mostly small tickets, a long tail of large ones: $5 to $2,500.
    auto amount = static_cast<std::int64_t>(500.0 * std::pow(500.0, rnd.unit() * rnd.unit() * 1.3));
    amount = std::min<std::int64_t>(amount, 250'000);
    if (rnd.chance(0.6)) amount = (amount / 100) * 100;
    else if (rnd.chance(0.5)) amount = (amount / 100) * 100 + 99;
    return std::max<std::int64_t>(amount, 500);
}

struct seeder {
    dataset& d;
    seeded_random rnd;
    std::int64_t anchor;
    std::int64_t window_start;

    struct account_state {
        std::string id;
        account_profile const* profile;
        std::vector<std::string> customers;
        std::vector<record*> methods;        // chargeable
        std::vector<record*> failing_methods;  // tokenized test cards that decline
        std::vector<record*> terminals;
        std::vector<record*> groups;
    };
    std::vector<account_state> accounts;

    std::int64_t time_between(std::int64_t lo, std::int64_t hi)
    {
        return rnd.between(lo / us_per_second, std::max(lo, hi) / us_per_second) * us_per_second;
    }
    int anchor_year() const { return std::stoi(iso_date(anchor).substr(0, 4)); }
    std::string person() { return rnd.pick(first_names) + " " + rnd.pick(last_names); }

    static std::string holder_name(json::object const& payment)
    {
        auto const& pm = payment.at("payment_method").as_object();
        if (auto const* c = pm.if_contains("card")) return get_string(c->as_object(), "name");
        if (auto const* b = pm.if_contains("bank_account")) return get_string(b->as_object(), "account_owner_name");
        return {};
    }

    void run()
    {
        d.platform_account_id = rnd.id("acc_");
        d.payout_accounts[d.platform_account_id] = {{"id", rnd.id("ba_")},
                                                    {"full_name", "Middle-earth Payments Platform"},
                                                    {"bank_name", "Wells Fargo"},
                                                    {"account_number_last4", rnd.digits(4)},
                                                    {"routing_number", "110000000"},
                                                    {"country", "US"},
                                                    {"currency", "usd"},
                                                    {"nickname", "Platform operating account"},
                                                    {"account_type", "checking"}};
        for (auto const& p : profiles()) add_account(p);
        add_test_tokens();
        for (auto& a : accounts) {
            add_payment_methods(a);
            add_terminals(a);
        }
        add_payments();
        for (auto& a : accounts) {
            add_groups(a);
            add_open_checkouts(a);
            add_open_intents(a);
        }
        add_balance_transactions_and_payouts();
        add_proceeds();
    }

    void add_account(account_profile const& p)
    {
        account_state a;
        a.id = rnd.id("acc_");
        a.profile = &p;
        auto const created = time_between(anchor - 400 * us_per_day, anchor - 100 * us_per_day);
        auto const at = iso8601(created);
        auto const payout_account = rnd.id("ba_");
        auto const fee_rate = rnd.id("afr_");
        d.application_fee_rates[a.id] = fee_rate;
        record r;
        r.key = {created, a.id};
        r.account_id = a.id;
        r.data = {{"id", a.id},
                  {"name", p.name},
                  {"account_type", "test"},
                  {"status", "enabled"},
                  {"currency", "usd"},
                  {"platform_account_id", d.platform_account_id},
                  {"payout_account_id", payout_account},
                  {"business_id", rnd.id("biz_")},
                  {"application_fee_rates",
                   json::array{json::object{{"id", fee_rate},
                                            {"rate_type", "cc"},
                                            {"basis_point_rate", 60},
                                            {"transaction_fee", 0},
                                            {"currency", "usd"},
                                            {"created_at", at},
                                            {"updated_at", at}}}},
                  {"processing_ready", true},
                  {"payout_ready", true},
                  {"related_accounts", json::object{{"live_account_id", rnd.id("acc_")}, {"test_account_id", a.id}}},
                  {"created_at", at},
                  {"updated_at", at}};
        d.sub_accounts.add(std::move(r));
        d.payout_accounts[a.id] = {{"id", payout_account},
                                   {"full_name", p.name},
                                   {"bank_name", rnd.pick(bank_names)},
                                   {"account_number_last4", rnd.digits(4)},
                                   {"routing_number", "110000000"},
                                   {"country", "US"},
                                   {"currency", "usd"},
                                   {"nickname", "Operating account"},
                                   {"account_type", "checking"}};
        d.account_settings[a.id] = {
            {"payments", json::object{{"id", rnd.id("stpy_")},
                                      {"mcc_code", p.mcc},
                                      {"credit_card_payments", true},
                                      {"ach_payments", true},
                                      {"card_present", p.terminals > 0},
                                      {"bnpl_payments", false},
                                      {"insurance_payments", false},
                                      {"platform_wallet_account", false}}},
            {"payouts", json::object{{"id", rnd.id("stpo_")},
                                     {"enabled", true},
                                     {"statement_descriptor", std::string(p.name).substr(0, 22)}}}};
        for (int i = 0; i < 24; ++i) a.customers.push_back(rnd.id("cust_"));
        accounts.push_back(std::move(a));
    }

    // Well-known tokens for the OpenAPI's test cards: usable from any sub account.
    void add_test_tokens()
    {
        struct token_row {
            char const* id;
            char const* number;  // or a bank account number
            bool bank;
        };
        static token_row const rows[] = {
            {"pm_test_visa", "4242424242424242", false},
            {"pm_test_visa_debit", "4000056655665556", false},
            {"pm_test_mastercard", "5555555555554444", false},
            {"pm_test_amex", "378282246310005", false},
            {"pm_test_discover", "6011000990139424", false},
            {"pm_test_card_declined", "4000000000000002", false},
            {"pm_test_insufficient_funds", "4000000000009995", false},
            {"pm_test_lost_card", "4000000000009987", false},
            {"pm_test_stolen_card", "4000000000009979", false},
            {"pm_test_expired_card", "4000000000000069", false},
            {"pm_test_invalid_cvc", "4000000000000127", false},
            {"pm_test_gateway_error", "4000000000000119", false},
            {"pm_test_charge_fails", "4000000000000341", false},
            {"pm_test_bank_account", "000123456789", true},
            {"pm_test_ach_insufficient_funds", "000222222227", true},
            {"pm_test_ach_no_debits", "000333333335", true},
            {"pm_test_ach_account_closed", "000111111113", true},
            {"pm_test_ach_no_account", "000111111116", true},
        };
        std::int64_t t = window_start - us_per_day;
        for (auto const& row : rows) {
            if (row.bank) {
                bank_input bank{"Test Account Holder", "110000000", row.number, "checking", "individual", "Test Bank", {}};
                d.test_payment_methods.add(make_bank_method(rnd, row.id, "", "", bank, t));
            } else {
                card_input card{row.number, "Test Cardholder", "12", std::to_string(anchor_year() + 5), "55555", {}};
                d.test_payment_methods.add(make_card_method(rnd, row.id, "", "", card, t));
            }
            t += us_per_second;
        }
    }

    void add_payment_methods(account_state& a)
    {
        int const count = 12 + static_cast<int>(a.profile->weight * 80);
        for (int i = 0; i < count; ++i) {
            auto const& customer = a.customers[static_cast<std::size_t>(i) % a.customers.size()];
            auto const created = time_between(window_start, anchor - 2 * us_per_day);
            auto const id = rnd.id("pm_");
            if (rnd.chance(0.8)) {
                static std::vector<std::string> const brands{"visa", "visa", "visa", "mastercard", "mastercard",
                                                             "american_express", "discover"};
                card_input card{card_number(rnd, rnd.pick(brands)), person(), std::to_string(rnd.between(1, 12)),
                                std::to_string(anchor_year() + rnd.between(1, 6)), rnd.digits(5), {}};
                a.methods.push_back(d.payment_methods.add(make_card_method(rnd, id, a.id, customer, card, created)));
            } else {
                bank_input bank{person(), "110000000", rnd.digits(12), rnd.chance(0.8) ? "checking" : "savings",
                                rnd.chance(0.8) ? "individual" : "company", rnd.pick(bank_names), {}};
                a.methods.push_back(d.payment_methods.add(make_bank_method(rnd, id, a.id, customer, bank, created)));
            }
        }
        // A couple of saved cards that decline, so failed payments have a cause to point at.
        for (auto const* number : {"4000000000000341", "4000000000009995"}) {
            auto const created = time_between(window_start, anchor - 30 * us_per_day);
            card_input card{number, person(), "8", std::to_string(anchor_year() + 3), rnd.digits(5), {}};
            a.failing_methods.push_back(d.payment_methods.add(
                make_card_method(rnd, rnd.id("pm_"), a.id, rnd.pick(a.customers), card, created)));
        }
    }

    void add_terminals(account_state& a)
    {
        static std::vector<std::string> const nicknames{"Front Counter", "Back Office", "Patio", "Checkout 2",
                                                        "Mobile Cart"};
        for (int i = 0; i < a.profile->terminals; ++i) {
            auto const id = rnd.id("trm_");
            auto const created = time_between(window_start, window_start + 20 * us_per_day);
            auto const status_index = rnd.weighted({0.6, 0.3, 0.1});
            static char const* const statuses[] = {"connected", "disconnected", "unknown"};
            auto const last_seen = time_between(anchor - 3 * us_per_day, anchor - us_per_second);
            record r;
            r.key = {created, id};
            r.account_id = a.id;
            r.data = {{"id", id},
                      {"account_id", a.id},
                      {"platform_account_id", d.platform_account_id},
                      {"provider", "verifone"},
                      {"status", statuses[status_index]},
                      {"provider_id", rnd.digits(8)},
                      {"provider_serial_number", rnd.digits(3) + "-" + rnd.digits(3) + "-" + rnd.digits(3)},
                      {"nickname", nicknames[static_cast<std::size_t>(i) % nicknames.size()]},
                      {"verified_at", iso8601(created + us_per_day)},
                      {"model_name", rnd.chance(0.5) ? "e285" : "m400"},
                      {"terminal_order_created_at", iso8601(created - 7 * us_per_day)},
                      {"status_last_requested_at", iso8601(last_seen)},
                      {"created_at", iso8601(created)},
                      {"updated_at", iso8601(last_seen)}};
            r.hidden = {{"last_connected", last_seen}, {"last_active", last_seen - 3600 * us_per_second}};
            a.terminals.push_back(d.terminals.add(std::move(r)));
        }
    }

    void add_payments()
    {
        std::vector<double> weights;
        for (auto const& p : profiles()) weights.push_back(p.weight);
        int const total = 420;
        for (int i = 0; i < total; ++i) add_payment(accounts[rnd.weighted(weights)]);
    }

    void add_payment(account_state& a)
    {
        bool const failing = rnd.chance(0.03);
        record const* pm = failing ? rnd.pick(a.failing_methods) : rnd.pick(a.methods);
        bool const card = is_card(*pm);
        // succeeded, failed, pending, authorized, canceled, partially_refunded, fully_refunded, disputed
        static char const* const outcomes[] = {"succeeded", "failed", "pending", "authorized", "canceled",
                                               "partially_refunded", "fully_refunded", "disputed"};
        auto const outcome = failing ? std::string("failed")
                                     : std::string(outcomes[rnd.weighted(
                                           card ? std::vector<double>{52, 4, 0, 6, 3, 8, 9, 8}
                                                : std::vector<double>{60, 8, 20, 0, 0, 6, 6, 0})]);
        auto const earliest = std::max(pm->key.created_us, window_start) + 3600 * us_per_second;
        std::int64_t created = time_between(earliest, anchor - 600 * us_per_second);
        // Authorizations and ACH debits settle within days: only recent ones are still open.
        if (outcome == "authorized" || outcome == "pending")
            created = time_between(std::max(earliest, anchor - 5 * us_per_day), anchor - 600 * us_per_second);
        // Refunds and disputes come days later, and before the anchor.
        bool const aftermath = outcome == "partially_refunded" || outcome == "fully_refunded" || outcome == "disputed";
        if (aftermath && earliest < anchor - 3 * us_per_day) created = time_between(earliest, anchor - 3 * us_per_day);

        payment_input in;
        in.id = rnd.id("py_");
        in.account_id = a.id;
        in.amount = round_amount(rnd);
        in.payment_method = pm;
        in.payment_mode = card ? "ecom" : "ach";
        if (card && !a.terminals.empty() && rnd.chance(0.15)) {
            in.payment_mode = "card_present";
            in.terminal_id = rnd.pick(a.terminals)->id();
        }
        in.capture_strategy = outcome == "authorized" || (card && rnd.chance(0.08)) ? "manual" : "automatic";
        in.status = outcome == "failed" || outcome == "pending" || outcome == "authorized" || outcome == "canceled"
                        ? outcome
                        : "succeeded";
        if (outcome == "canceled") in.capture_strategy = "manual";
        in.description = rnd.pick(a.profile->items) + " - Order #" + rnd.digits(5);
        if (rnd.chance(0.5)) in.metadata = {{"order_id", "ord_" + rnd.digits(6)}};
        in.application_fee_rate_id = d.application_fee_rates[a.id];
        in.created_us = created;
        if (!card) in.expedited = rnd.chance(0.1);
        if (outcome == "failed") {
            if (auto const why = method_decline(*pm)) {
                in.error_code = why->decline_code.empty() ? why->code : why->decline_code;
                in.error_description = why->message;
            } else if (card) {
                static std::vector<std::pair<std::string, std::string>> const reasons{
                    {"card_declined", "Your card was declined."},
                    {"insufficient_funds", "This card has insufficient funds."},
                    {"expired_card", "The card has expired."},
                    {"invalid_cvc", "The card's security code is incorrect."},
                    {"do_not_honor", "This card has been rejected by the issuing bank."}};
                auto const& r = rnd.pick(reasons);
                in.error_code = r.first;
                in.error_description = r.second;
            } else {
                in.error_code = rnd.chance(0.6) ? "insufficient_funds" : "account_closed";
                in.error_description = in.error_code == "insufficient_funds" ? "R01 Insufficient Funds" : "R02 Account Closed";
            }
        }
        auto* payment = d.payments.add(make_payment(rnd, in));

        if (aftermath && created <= anchor - 3 * us_per_day) {
            if (outcome == "disputed") add_dispute(*payment);
            else add_refunds(*payment, outcome == "fully_refunded");
        }
        if (card && in.payment_mode == "ecom" && in.status == "succeeded" && rnd.chance(0.12))
            add_intent_for(*payment, *pm);
        else if (in.payment_mode != "card_present" && in.status == "succeeded" && rnd.chance(0.1))
            add_checkout_for(*payment, *pm);
    }

    void add_refunds(record& payment, bool full)
    {
        auto const amount = get_int(payment.data, "amount");
        std::vector<std::int64_t> parts;
        if (!full) {
            parts.push_back(std::max<std::int64_t>(100, amount * rnd.between(10, 60) / 100 / 100 * 100));
        } else if (rnd.chance(0.3) && amount >= 1000) {
            auto const first = amount / 2 / 100 * 100;
            parts = {first, amount - first};
        } else {
            parts.push_back(amount);
        }
        static std::vector<std::string> const reasons{"customer_request", "customer_request", "duplicate", "fraudulent", ""};
        auto t = payment.key.created_us;
        for (auto const part : parts) {
            auto const latest = std::min(anchor - 60 * us_per_second, t + 20 * us_per_day);
            t = time_between(std::min(t + 3600 * us_per_second, latest), latest);
            bool const ach = get_string(payment.data, "payment_mode") == "ach";
            auto const status = ach && t > anchor - 2 * us_per_day ? "pending" : "succeeded";
            auto* refund = d.refunds.add(make_refund(rnd.id("re_"), payment, part, rnd.pick(reasons),
                                                     rnd.chance(0.5) ? "customer canceled their order" : "", {},
                                                     status, t));
            apply_refund(payment.data, refund->data, t);
            payment.data["updated_at"] = iso8601(t);
        }
    }

    void add_dispute(record& payment)
    {
        auto const created = time_between(payment.key.created_us + 2 * us_per_day,
                                          std::min(anchor - 60 * us_per_second, payment.key.created_us + 30 * us_per_day));
        static std::vector<std::string> const reasons{"fraudulent", "product_not_received", "duplicate",
                                                      "credit_not_processed", "unrecognized", "product_unacceptable"};
        std::string status = "needs_response";
        if (created < anchor - 10 * us_per_day)
            status = std::vector<std::string>{"under_review", "won", "lost"}[rnd.weighted({0.4, 0.35, 0.25})];
        auto const id = rnd.id("dp_");
        json::value response = nullptr;
        if (status != "needs_response")
            response = json::object{{"additional_statement", "The customer received the goods; tracking attached."},
                                    {"customer_name", holder_name(payment.data)},
                                    {"product_description", get_string(payment.data, "description")},
                                    {"shipping_carrier", "UPS"},
                                    {"shipping_tracking_number", "1Z" + rnd.digits(16)},
                                    {"shipping_date", iso_date(payment.key.created_us + us_per_day)}};
        json::value reversal = nullptr;
        if (status == "won")
            reversal = json::object{{"description", "Dispute was reversed"},
                                    {"created_at", iso8601(created + 9 * us_per_day)}};
        record r;
        r.key = {created, id};
        r.account_id = payment.account_id;
        r.data = {{"id", id},
                  {"payment_id", payment.id()},
                  {"account_id", payment.account_id},
                  {"amount", get_int(payment.data, "amount")},
                  {"currency", "usd"},
                  {"reason", rnd.pick(reasons)},
                  {"due_date", iso_date(created + 14 * us_per_day)},
                  {"status", status},
                  {"metadata", json::object()},
                  {"dispute_response", response},
                  {"dispute_reversal", reversal},
                  {"created_at", iso8601(created)},
                  {"updated_at", iso8601(status == "needs_response" ? created : created + 5 * us_per_day)}};
        auto* dispute = d.disputes.add(std::move(r));
        apply_dispute(payment.data, dispute->data);
    }

    void add_intent_for(record& payment, record const& pm)
    {
        auto const id = rnd.id("pi_");
        auto const created = payment.key.created_us - rnd.between(60, 3600) * us_per_second;
        record r;
        r.key = {created, id};
        r.account_id = payment.account_id;
        r.data = {{"id", id},
                  {"account_id", payment.account_id},
                  {"amount", get_int(payment.data, "amount")},
                  {"currency", "usd"},
                  {"description", payment.data.at("description")},
                  {"metadata", payment.data.at("metadata")},
                  {"payment_method", pm.data},
                  {"status", "succeeded"},
                  {"successful_payment_id", payment.id()},
                  {"created_at", iso8601(created)},
                  {"updated_at", payment.data.at("created_at")}};
        d.payment_intents.add(std::move(r));
        payment.data["payment_intent_id"] = id;
    }

    void add_checkout_for(record& payment, record const& pm)
    {
        auto const id = rnd.id("cho_");
        auto const created = payment.key.created_us - rnd.between(60, 1800) * us_per_second;
        record r;
        r.key = {created, id};
        r.account_id = payment.account_id;
        r.data = make_checkout(id, payment.account_id, d.platform_account_id, get_int(payment.data, "amount"),
                                 get_string(payment.data, "description"), "completed", created);
        r.data["successful_payment_id"] = payment.id();
        r.data["updated_at"] = payment.data.at("created_at");
        r.data["completions"].as_array().push_back(
            make_completion(rnd.id("chc_"), id, pm, payment.id(), true, "", "", payment.key.created_us));
        d.checkouts.add(std::move(r));
        payment.data["checkout_id"] = id;
    }

    void add_open_checkouts(account_state& a)
    {
        // Open, abandoned after a decline, and expired checkouts alongside the completed ones.
        for (auto const* status : {"created", "created", "created", "attempted", "attempted", "expired", "expired"}) {
            std::string const s = status;
            auto const created = s == "expired" ? time_between(window_start, anchor - 10 * us_per_day)
                                                : time_between(anchor - 6 * us_per_day, anchor - 600 * us_per_second);
            auto const id = rnd.id("cho_");
            record r;
            r.key = {created, id};
            r.account_id = a.id;
            r.data = make_checkout(id, a.id, d.platform_account_id, round_amount(rnd), rnd.pick(a.profile->items) + " - Order #" + rnd.digits(5),
                                     s, created);
            if (!a.groups.empty() && rnd.chance(0.5)) {
                auto const* group = rnd.pick(a.groups);
                r.data["payment_method_group_id"] = group->id();
                r.data["payment_methods"] = group->data.at("payment_methods");
            }
            if (s == "attempted") {
                auto const& pm = *rnd.pick(a.failing_methods);
                auto const why = method_decline(pm);
                r.data["completions"].as_array().push_back(make_completion(
                    rnd.id("chc_"), id, pm, "", false, why ? (why->decline_code.empty() ? why->code : why->decline_code) : "card_declined",
                    why ? why->message : "Your card was declined", created + 120 * us_per_second));
                r.data["updated_at"] = iso8601(created + 120 * us_per_second);
            }
            d.checkouts.add(std::move(r));
        }
    }

    void add_open_intents(account_state& a)
    {
        for (auto const* status : {"requires_payment_method", "requires_payment_method", "requires_payment_method",
                                   "requires_capture", "canceled"}) {
            std::string const s = status;
            auto const created = time_between(anchor - 7 * us_per_day, anchor - 600 * us_per_second);
            auto const id = rnd.id("pi_");
            json::value pm = nullptr;
            if (s != "requires_payment_method") {
                auto const* m = rnd.pick(a.methods);
                if (is_card(*m)) pm = m->data;
            }
            record r;
            r.key = {created, id};
            r.account_id = a.id;
            r.data = {{"id", id},
                      {"account_id", a.id},
                      {"amount", round_amount(rnd)},
                      {"currency", "usd"},
                      {"description", rnd.pick(a.profile->items) + " - Order #" + rnd.digits(5)},
                      {"metadata", json::object()},
                      {"payment_method", pm},
                      {"status", pm.is_null() && s == "requires_capture" ? "requires_payment_method" : status},
                      {"successful_payment_id", nullptr},
                      {"created_at", iso8601(created)},
                      {"updated_at", iso8601(created)}};
            d.payment_intents.add(std::move(r));
        }
    }

    void add_groups(account_state& a)
    {
        for (auto const* name : {"Saved cards", "Recurring customers"}) {
            auto const id = rnd.id("pmg_");
            auto const created = time_between(window_start, anchor - 20 * us_per_day);
            json::array members;
            std::vector<std::string> seen;
            for (int i = 0, n = static_cast<int>(rnd.between(3, 5)); i < n; ++i) {
                auto const* pm = rnd.pick(a.methods);
                if (std::find(seen.begin(), seen.end(), pm->id()) != seen.end()) continue;
                seen.push_back(pm->id());
                members.push_back(payment_method_summary(*pm));
            }
            record r;
            r.key = {created, id};
            r.account_id = a.id;
            r.data = {{"id", id},
                      {"account_id", a.id},
                      {"platform_account_id", d.platform_account_id},
                      {"name", name},
                      {"description", nullptr},
                      {"payment_methods", std::move(members)},
                      {"created_at", iso8601(created)},
                      {"updated_at", iso8601(created)}};
            a.groups.push_back(d.payment_method_groups.add(std::move(r)));
        }
    }

    void add_balance_transactions_and_payouts()
    {
        // The money that moved: captured payments, refunds and disputes, then a payout every
        // two days per sub account sweeping what settled in that window.
        d.payments.for_each_newest([&](record const& p) {
            auto const status = get_string(p.data, "status");
            if (status == "failed" || status == "authorized" || status == "canceled" || status == "pending") return;
            d.balance_transactions.add(make_balance_transaction(rnd.id("bt_"), p.account_id, get_int(p.data, "amount"),
                                                                get_int(p.data, "fee_amount"), "seller_payment", "payment",
                                                                p.id(), get_string(p.data, "financial_transaction_id"),
                                                                p.key.created_us));
        });
        d.refunds.for_each_newest([&](record const& r) {
            if (get_string(r.data, "status") != "succeeded") return;
            d.balance_transactions.add(make_balance_transaction(rnd.id("bt_"), r.account_id, -get_int(r.data, "amount"),
                                                                0, "seller_payment_refund", "refund", r.id(),
                                                                rnd.id("ft_"), r.key.created_us));
        });
        d.disputes.for_each_newest([&](record const& x) {
            d.balance_transactions.add(make_balance_transaction(rnd.id("bt_"), x.account_id, -get_int(x.data, "amount"),
                                                                1500, "seller_dispute", "dispute", x.id(), rnd.id("ft_"),
                                                                x.key.created_us));
        });

        std::vector<record*> movements;
        d.balance_transactions.for_each_newest([&](record& bt) { movements.push_back(&bt); });
        for (auto const& a : accounts) {
            for (auto end = window_start + 2 * us_per_day; end <= anchor; end += 2 * us_per_day) {
                auto const begin = end - 2 * us_per_day;
                std::int64_t payments_total = 0, refunds_total = 0, fees_total = 0, other_total = 0;
                int payments_count = 0, refunds_count = 0;
                std::vector<record*> swept;
                for (auto* bt : movements) {
                    if (bt->account_id != a.id || bt->key.created_us < begin || bt->key.created_us >= end) continue;
                    auto const type = get_string(bt->data, "txn_type");
                    auto const amount = get_int(bt->data, "amount");
                    fees_total += get_int(bt->data, "fee");
                    if (type == "seller_payment") payments_total += amount, ++payments_count;
                    else if (type == "seller_payment_refund") refunds_total += -amount, ++refunds_count;
                    else other_total += amount;
                    swept.push_back(bt);
                }
                auto const net = payments_total - refunds_total - fees_total + other_total;
                if (swept.empty() || net <= 0) continue;
                auto const id = rnd.id("po_");
                auto const created = end + rnd.between(0, 3600) * us_per_second;
                if (created > anchor) continue;
                std::string status = created > anchor - us_per_day ? "in_transit" : rnd.chance(0.02) ? "failed" : "paid";
                record po;
                po.key = {created, id};
                po.account_id = a.id;
                po.data = {{"id", id},
                           {"account_id", a.id},
                           {"amount", net},
                           {"bank_account", d.payout_accounts[a.id]},
                           {"currency", "usd"},
                           {"delivery_method", "standard"},
                           {"description", nullptr},
                           {"deposits_at", iso8601(created + us_per_day)},
                           {"fees_total", fees_total},
                           {"refunds_count", refunds_count},
                           {"refunds_total", refunds_total},
                           {"payments_count", payments_count},
                           {"payments_total", payments_total},
                           {"payout_type", "ach"},
                           {"other_total", other_total},
                           {"status", status},
                           {"settlement_priority", "standard"},
                           {"metadata", json::object()},
                           {"created_at", iso8601(created)},
                           {"updated_at", iso8601(status == "paid" ? created + us_per_day : created)}};
                d.payouts.add(std::move(po));
                for (auto* bt : swept) {
                    bt->data["payout_id"] = id;
                    if (get_string(bt->data, "source_type") == "payment")
                        if (auto* p = d.payments.find(get_string(bt->data, "source_id"))) p->hidden["payout_id"] = id;
                }
                auto* out = d.balance_transactions.add(make_balance_transaction(
                    rnd.id("bt_"), a.id, -net, 0, "payout", "payout", id, rnd.id("ft_"), created));
                out->data["payout_id"] = id;
            }
        }
    }

    void add_proceeds()
    {
        // The platform's own payouts: the application fees, swept weekly.
        std::vector<record const*> fees;
        d.payments.for_each_newest([&](record const& p) {
            if (get_bool(p.data, "captured") && get_string(p.data, "status") != "failed") fees.push_back(&p);
        });
        for (auto end = window_start + 7 * us_per_day; end <= anchor; end += 7 * us_per_day) {
            std::int64_t total = 0;
            int count = 0;
            for (auto const* p : fees) {
                if (p->key.created_us < end - 7 * us_per_day || p->key.created_us >= end) continue;
                total += get_int(p->data.at("application_fee").as_object(), "amount");
                ++count;
            }
            if (count == 0) continue;
            auto const id = rnd.id("po_");
            auto const created = end + 3600 * us_per_second;
            if (created > anchor) continue;
            std::string const status = created > anchor - 2 * us_per_day ? "scheduled" : "paid";
            record r;
            r.key = {created, id};
            r.account_id = d.platform_account_id;
            r.data = {{"id", id},
                      {"account_id", d.platform_account_id},
                      {"amount", total},
                      {"bank_account", d.payout_accounts[d.platform_account_id]},
                      {"currency", "usd"},
                      {"delivery_method", "standard"},
                      {"description", nullptr},
                      {"deposits_at", iso8601(created + 2 * us_per_day)},
                      {"refunds_count", 0},
                      {"refunds_total", 0},
                      {"payments_count", count},
                      {"payments_total", total},
                      {"payout_type", "proceeds"},
                      {"other_total", 0},
                      {"status", status},
                      {"metadata", json::object{{"platform_payout_id", "cp_" + rnd.digits(5)}}},
                      {"created_at", iso8601(created)},
                      {"updated_at", iso8601(created)}};
            d.proceeds.add(std::move(r));
        }
    }
};

}  // namespace

void seed_dataset(dataset& d, std::uint64_t seed, std::int64_t anchor_us)
{
    d.random = seeded_random(seed ^ 0x72756e74696d65ULL);
    d.last_created_us = anchor_us;
    seeder s{d, seeded_random(seed), anchor_us, anchor_us - 90 * us_per_day, {}};
    s.run();
}

}  // namespace justifi::mock
