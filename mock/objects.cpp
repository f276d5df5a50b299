#include "mock/objects.hpp"

#include <algorithm>
#include <cctype>

namespace justifi::mock {

bool all_digits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool luhn_valid(std::string_view digits)
{
    if (!all_digits(digits)) return false;
    int sum = 0;
    bool twice = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (twice && (d *= 2) > 9) d -= 9;
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

std::string card_brand(std::string_view n)
{
    auto const prefix = [&](std::size_t len) {
        int v = 0;
        for (std::size_t i = 0; i < len && i < n.size(); ++i) v = v * 10 + (n[i] - '0');
        return v;
    };
    if (n.starts_with("4")) return "visa";
    if ((prefix(2) >= 51 && prefix(2) <= 55) || (prefix(4) >= 2221 && prefix(4) <= 2720)) return "mastercard";
    if (prefix(2) == 34 || prefix(2) == 37) return "american_express";
    if (n.starts_with("6011") || n.starts_with("65") || (prefix(3) >= 644 && prefix(3) <= 649)) return "discover";
    if (n.starts_with("36") || n.starts_with("38") || (prefix(3) >= 300 && prefix(3) <= 305)) return "diners_club";
    if (prefix(2) == 35) return "jcb";
    if (prefix(2) == 62) return "unionpay";
    return "";
}

namespace {

json::object bin_details(std::string_view brand, std::string_view number)
{
    // The test cards' funding types; everything else is a consumer credit card.
    std::string funding = "Credit";
    if (number == "4000056655665556" || number == "5200828282828210") funding = "Debit";
    if (number == "5105105105105100") funding = "Prepaid";
    std::string card_brand = brand == "american_express" ? "American Express"
                           : brand == "mastercard"       ? "Mastercard"
                           : brand == "discover"         ? "Discover"
                           : brand == "diners_club"      ? "Diners Club"
                           : brand == "jcb"              ? "JCB"
                           : brand == "unionpay"         ? "UnionPay"
                                                         : "Visa";
    std::string issuer = brand == "american_express" ? "AMERICAN EXPRESS"
                       : brand == "discover"         ? "DISCOVER BANK"
                       : brand == "mastercard"       ? "JPMORGAN CHASE BANK, N.A."
                                                     : "WELLS FARGO BANK, N.A.";
    return {{"type", funding},
            {"card_brand", card_brand},
            {"card_class", "Consumer"},
            {"country", "United States of America"},
            {"issuer", issuer},
            {"funding_source", funding}};
}

json::value string_or_null(std::string const& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

std::string last_four(std::string_view digits) { return std::string(digits.substr(digits.size() > 4 ? digits.size() - 4 : 0)); }

}  // namespace

record make_card_method(seeded_random& random, std::string id, std::string account_id, std::string customer_id,
                        card_input const& card, std::int64_t created_us)
{
    auto const brand = card_brand(card.number);
    auto const at = iso8601(created_us);
    json::object details{{"id", id},
                         {"acct_last_four", last_four(card.number)},
                         {"brand", brand.empty() ? std::string("unknown") : brand},
                         {"name", card.name},
                         {"token", id},
                         {"month", card.month},
                         {"year", card.year},
                         {"metadata", card.metadata},
                         {"created_at", at},
                         {"updated_at", at},
                         {"address_line1_check", "unchecked"},
                         {"address_postal_code_check", card.postal_code.empty() ? "unchecked" : "pass"},
                         {"bin_details", bin_details(brand, card.number)}};
    record r;
    r.key = {created_us, id};
    r.account_id = account_id;
    r.data = {{"status", "valid"},
              {"invalid_reason", nullptr},
              {"card", std::move(details)},
              {"customer_id", string_or_null(customer_id)},
              {"signature", random.id("").substr(0, 22)},
              {"account_id", string_or_null(account_id)}};
    r.hidden = {{"kind", "card"}, {"number", card.number}};
    return r;
}

record make_bank_method(seeded_random& random, std::string id, std::string account_id, std::string customer_id,
                        bank_input const& bank, std::int64_t created_us)
{
    auto const at = iso8601(created_us);
    json::object details{{"id", id},
                         {"account_owner_name", bank.account_owner_name},
                         {"account_owner_type", bank.account_owner_type},
                         {"account_type", bank.account_type},
                         {"bank_name", bank.bank_name.empty() ? std::string("Test Bank") : bank.bank_name},
                         {"account_number_last4", last_four(bank.account_number)},
                         {"routing_number", bank.routing_number},
                         {"token", id},
                         {"metadata", bank.metadata},
                         {"created_at", at},
                         {"updated_at", at}};
    record r;
    r.key = {created_us, id};
    r.account_id = account_id;
    r.data = {{"status", "valid"},
              {"invalid_reason", nullptr},
              {"bank_account", std::move(details)},
              {"customer_id", string_or_null(customer_id)},
              {"signature", random.id("").substr(0, 22)},
              {"account_id", string_or_null(account_id)}};
    r.hidden = {{"kind", "bank_account"}, {"number", bank.account_number}, {"routing_number", bank.routing_number}};
    return r;
}

bool is_card(record const& pm) { return pm.data.contains("card"); }

json::object embedded_payment_method(record const& pm)
{
    // Copied key by key: json::object::erase moves the last key into the gap.
    json::object out;
    for (auto const& [key, value] : pm.data)
        if (key != "status" && key != "invalid_reason") out[key] = value;
    return out;
}

json::object payment_method_summary(record const& pm)
{
    json::object out{{"id", pm.id()},
                     {"type", is_card(pm) ? "card" : "bank_account"},
                     {"status", pm.data.at("status")},
                     {"invalid_reason", pm.data.at("invalid_reason")}};
    if (is_card(pm)) {
        auto const& card = pm.data.at("card").as_object();
        for (auto const* key : {"name", "brand", "acct_last_four", "month", "year", "address_line1_check",
                                "address_postal_code_check", "bin_details"})
            out[key] = card.at(key);
    } else {
        auto const& bank = pm.data.at("bank_account").as_object();
        for (auto const* key : {"account_owner_name", "account_type", "bank_name"}) out[key] = bank.at(key);
        out["acct_last_four"] = bank.at("account_number_last4");
    }
    return out;
}

std::int64_t processing_fee(std::int64_t amount, std::string_view payment_mode)
{
    if (payment_mode == "ach") return std::min<std::int64_t>(500, std::max<std::int64_t>(30, amount / 100));
    if (payment_mode == "card_present") return amount * 26 / 1000 + 10;
    return amount * 29 / 1000 + 30;
}

record make_payment(seeded_random& random, payment_input const& in)
{
    auto const at = iso8601(in.created_us);
    bool const captured = in.status == "succeeded" || in.status == "pending";
    bool const charged = captured;  // fees apply once funds are taken
    auto const fee = charged ? processing_fee(in.amount, in.payment_mode) : 0;
    auto const app_fee = in.application_fee_amount.value_or(in.amount * 6 / 1000);
    json::object p;
    p["id"] = in.id;
    p["account_id"] = in.account_id;
    p["amount"] = in.amount;
    p["amount_disputed"] = 0;
    p["amount_refunded"] = 0;
    p["amount_refundable"] = in.status == "succeeded" ? in.amount : 0;
    p["amount_returned"] = 0;
    p["application_fee_rate_id"] = string_or_null(in.application_fee_rate_id);
    p["balance"] = charged ? in.amount - fee : 0;
    p["capture_strategy"] = in.capture_strategy;
    p["captured"] = captured;
    p["created_at"] = at;
    p["currency"] = "usd";
    p["description"] = string_or_null(in.description);
    p["disputed"] = false;
    p["error_code"] = string_or_null(in.error_code);
    p["error_description"] = string_or_null(in.error_description);
    p["fee_amount"] = fee;
    p["financial_transaction_id"] = random.id("ft_");
    p["is_test"] = true;
    p["metadata"] = in.metadata;
    p["payment_intent_id"] = string_or_null(in.payment_intent_id);
    p["checkout_id"] = string_or_null(in.checkout_id);
    p["refunded"] = false;
    p["returned"] = false;
    p["status"] = in.status;
    p["payment_mode"] = in.payment_mode;
    p["terminal_id"] = string_or_null(in.terminal_id);
    p["statement_descriptor"] = string_or_null(in.statement_descriptor);
    p["expedited"] = in.expedited ? json::value(*in.expedited) : json::value(nullptr);
    p["updated_at"] = at;
    p["payment_method"] = in.payment_method ? json::value(embedded_payment_method(*in.payment_method)) : json::value(nullptr);
    p["application_fee"] = json::object{{"id", random.id("fee_")},
                                        {"amount", app_fee},
                                        {"currency", "usd"},
                                        {"created_at", at},
                                        {"updated_at", at}};
    p["transaction_hold"] = nullptr;
    p["refunds"] = json::array();
    p["disputes"] = json::array();
    record r;
    r.key = {in.created_us, in.id};
    r.account_id = in.account_id;
    r.data = std::move(p);
    if (in.payment_method) r.hidden["payment_method_id"] = in.payment_method->id();
    return r;
}

record make_refund(std::string id, record const& payment, std::int64_t amount, std::string reason,
                   std::string description, json::object metadata, std::string status, std::int64_t created_us)
{
    auto const at = iso8601(created_us);
    record r;
    r.key = {created_us, id};
    r.account_id = payment.account_id;
    r.data = {{"id", id},
              {"payment_id", payment.id()},
              {"amount", amount},
              {"description", string_or_null(description)},
              {"reason", string_or_null(reason)},
              {"status", status},
              {"metadata", std::move(metadata)},
              {"created_at", at},
              {"updated_at", at}};
    return r;
}

json::object make_checkout(std::string const& id, std::string const& account_id, std::string const& platform_account_id,
                           std::int64_t amount, std::string const& description, std::string const& status,
                           std::int64_t created_us)
{
    return {{"id", id},
            {"account_id", account_id},
            {"platform_account_id", platform_account_id},
            {"payment_amount", amount},
            {"payment_currency", "USD"},
            {"payment_description", description},
            {"payment_methods", json::array()},
            {"payment_method_group_id", nullptr},
            {"status", status},
            {"mode", "test"},
            {"successful_payment_id", nullptr},
            {"statement_descriptor", nullptr},
            {"application_fees", json::object{{"card", json::object{{"amount", amount * 6 / 1000}}},
                                              {"bank_account", json::object{{"amount", amount * 3 / 1000}}}}},
            {"payment_settings", json::object{{"ach_payments", true},
                                              {"bnpl_payments", false},
                                              {"credit_card_payments", true},
                                              {"insurance_payments", false}}},
            {"payment", json::object{{"description", description}, {"metadata", json::object()}}},
            {"created_at", iso8601(created_us)},
            {"updated_at", iso8601(created_us)},
            {"completions", json::array()}};
}

json::object make_completion(std::string const& id, std::string const& checkout_id, record const& pm,
                             std::string const& payment_id, bool succeeded, std::string const& error_code,
                             std::string const& error_text, std::int64_t at_us)
{
    return {{"id", id},
            {"payment_mode", "ecom"},
            {"payment_token", pm.id()},
            {"status", succeeded ? "succeeded" : "failed"},
            {"payment_status", succeeded ? "succeeded" : "failed"},
            {"payment_error_code", string_or_null(error_code)},
            {"payment_error_description", string_or_null(error_text)},
            {"checkout_id", checkout_id},
            {"additional_transactions", json::array()},
            {"payment_id", string_or_null(payment_id)},
            {"payment_method_id", pm.id()},
            {"created_at", iso8601(at_us)},
            {"updated_at", iso8601(at_us)}};
}

void apply_capture(json::object& p, std::int64_t now_us)
{
    auto const amount = get_int(p, "amount");
    auto const fee = processing_fee(amount, get_string(p, "payment_mode"));
    p["captured"] = true;
    p["status"] = "succeeded";
    p["fee_amount"] = fee;
    p["balance"] = amount - fee;
    p["amount_refundable"] = amount;
    p["updated_at"] = iso8601(now_us);
}

void apply_void(json::object& p, std::int64_t now_us)
{
    p["status"] = "canceled";
    p["amount_refundable"] = 0;
    p["updated_at"] = iso8601(now_us);
}

void apply_refund(json::object& p, json::object const& refund, std::int64_t now_us)
{
    auto const amount = get_int(p, "amount");
    auto const refunded = get_int(p, "amount_refunded") + get_int(refund, "amount");
    p["amount_refunded"] = refunded;
    p["amount_refundable"] = std::max<std::int64_t>(0, amount - refunded - get_int(p, "amount_disputed"));
    p["balance"] = get_int(p, "balance") - get_int(refund, "amount");
    p["refunded"] = refunded >= amount;
    if (get_string(p, "status") != "disputed") p["status"] = refunded >= amount ? "fully_refunded" : "partially_refunded";
    p["refunds"].as_array().push_back(refund);
    p["updated_at"] = iso8601(now_us);
}

void apply_dispute(json::object& p, json::object const& dispute)
{
    p["disputed"] = true;
    p["amount_disputed"] = get_int(dispute, "amount");
    p["amount_refundable"] = 0;
    p["status"] = "disputed";
    p["disputes"].as_array().push_back(dispute);
}

record make_balance_transaction(std::string id, std::string account_id, std::int64_t amount, std::int64_t fee,
                                std::string txn_type, std::string source_type, std::string source_id,
                                std::string financial_transaction_id, std::int64_t created_us)
{
    auto const at = iso8601(created_us);
    record r;
    r.key = {created_us, id};
    r.account_id = account_id;
    r.data = {{"id", id},
              {"account_id", account_id},
              {"amount", amount},
              {"available_on", iso8601(created_us + 2 * us_per_day)},
              {"currency", "usd"},
              {"description", nullptr},
              {"fee", fee},
              {"financial_transaction_id", financial_transaction_id},
              {"net", amount - fee},
              {"payout_id", nullptr},
              {"source_id", source_id},
              {"source_type", source_type},
              {"txn_type", txn_type},
              {"created_at", at},
              {"updated_at", at}};
    return r;
}

std::int64_t get_int(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
    return 0;
}

std::string get_string(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool get_bool(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    return v && v->is_bool() && v->as_bool();
}

}  // namespace justifi::mock

namespace justifi::mock {

std::optional<decline> card_decline(std::string_view number, bool verification_given)
{
    struct row {
        std::string_view number;
        decline what;
    };
    static row const table[] = {
        {"4000000000000002", {"card_declined", "do_not_honor", "This card has been rejected by the issuing bank. Please try a different card or payment method.", "005"}},
        {"4000000000009995", {"card_declined", "insufficient_funds", "This card has insufficient funds. Please try a different card or payment method.", "116"}},
        {"4000000000009987", {"card_declined", "lost_card", "This card has been reported lost. Please try a different card or payment method.", "208"}},
        {"4000000000009979", {"card_declined", "stolen_card", "This card has been reported stolen. Please try a different card or payment method.", "209"}},
        {"4000000000000069", {"expired_card", "expired_card", "The card has expired. Please check the expiration date or try a different card or payment method.", "101"}},
        {"4000000000000127", {"invalid_cvc", "invalid_cvc", "The card's security code is incorrect. Please check the security code or try a different card or payment method.", "517"}},
        {"4000000000000119", {"gateway_error", "gateway_error", "There was an issue processing your payment with the gateway. Please try again later.", "907"}},
        {"4000000000000341", {"card_declined", "do_not_honor", "This card has been rejected by the issuing bank. Please try a different card or payment method.", "005"}},
    };
    for (auto const& r : table)
        if (r.number == number) return r.what;
    if (number == "4000000000000101" && verification_given)
        return decline{"invalid_cvc", "invalid_cvc", "The card's security code is incorrect (cvc_check failed).", "517"};
    if (!luhn_valid(number))
        return decline{"card_number_invalid", "", "Format is invalid for parameter: card_number (the number fails the Luhn check)", ""};
    return std::nullopt;
}

std::optional<decline> bank_decline(std::string_view routing, std::string_view account)
{
    if (routing != "110000000") return std::nullopt;
    if (account == "000222222227") return decline{"insufficient_funds", "", "The bank account has insufficient funds (R01).", ""};
    if (account == "000333333335") return decline{"service_not_allowed", "", "The bank account does not allow debits (R16).", ""};
    if (account == "000111111113") return decline{"account_closed", "", "The bank account is closed (R02).", ""};
    if (account == "000111111116") return decline{"invalid_account_number", "", "The bank account does not exist (R03).", ""};
    return std::nullopt;
}

std::optional<decline> method_decline(record const& pm)
{
    auto const number = get_string(pm.hidden, "number");
    if (get_string(pm.hidden, "kind") == "card") return card_decline(number, get_bool(pm.hidden, "verification_given"));
    return bank_decline(get_string(pm.hidden, "routing_number"), number);
}

api_error decline_error(decline const& d)
{
    api_error e{402, d.code, d.message, {}, {}};
    if (!d.decline_code.empty()) e.extra["decline_code"] = d.decline_code;
    if (!d.network_error_code.empty()) {
        e.extra["network_error_code"] = d.network_error_code;
        e.extra["network"] = nullptr;
        e.extra["network_error_category"] = nullptr;
    }
    return e;
}

}  // namespace justifi::mock
