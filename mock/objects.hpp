// Builders for JustiFi objects, shared by the seed and by the requests that create
// objects, so both have one shape: the OpenAPI schemas (CardPayment, Refund, ...).
#pragma once

#include "mock/dataset.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::mock {

struct card_input {
    std::string number;  // full card number: kept in record::hidden, never shown
    std::string name;
    std::string month;
    std::string year;
    std::string postal_code;
    json::object metadata;
};

struct bank_input {
    std::string account_owner_name;
    std::string routing_number;
    std::string account_number;  // hidden, like a card number
    std::string account_type = "checking";
    std::string account_owner_type = "individual";
    std::string bank_name;
    json::object metadata;
};

bool all_digits(std::string_view s);
bool luhn_valid(std::string_view digits);
// "visa", "mastercard", "american_express", "discover", "diners_club", "jcb", "unionpay"; empty if unknown.
std::string card_brand(std::string_view number);

record make_card_method(seeded_random& random, std::string id, std::string account_id, std::string customer_id,
                        card_input const& card, std::int64_t created_us);
record make_bank_method(seeded_random& random, std::string id, std::string account_id, std::string customer_id,
                        bank_input const& bank, std::int64_t created_us);
bool is_card(record const& payment_method);
// As a payment embeds it: {card | bank_account, customer_id, signature, account_id}.
json::object embedded_payment_method(record const& payment_method);
// As checkouts and payment method groups list it: {id, type, status, name, brand, acct_last_four, ...}.
json::object payment_method_summary(record const& payment_method);

std::int64_t processing_fee(std::int64_t amount, std::string_view payment_mode);

struct payment_input {
    std::string id;
    std::string account_id;
    std::int64_t amount = 0;
    std::string capture_strategy = "automatic";
    std::string status;  // succeeded, authorized, pending, failed or canceled; refunds and disputes come later
    std::string description;
    json::object metadata;
    record const* payment_method = nullptr;
    std::string payment_mode = "ecom";  // ecom, ach, card_present
    std::string terminal_id;
    std::string payment_intent_id;
    std::string checkout_id;
    std::optional<std::int64_t> application_fee_amount;
    std::string application_fee_rate_id;
    std::string error_code;
    std::string error_description;
    std::string statement_descriptor;
    std::optional<bool> expedited;
    std::int64_t created_us = 0;
};
record make_payment(seeded_random& random, payment_input const& in);

record make_refund(std::string id, record const& payment, std::int64_t amount, std::string reason,
                   std::string description, json::object metadata, std::string status, std::int64_t created_us);

// A checkout as JustiFi shows it, and one completion attempt on it.
json::object make_checkout(std::string const& id, std::string const& account_id, std::string const& platform_account_id,
                           std::int64_t amount, std::string const& description, std::string const& status,
                           std::int64_t created_us);
json::object make_completion(std::string const& id, std::string const& checkout_id, record const& payment_method,
                             std::string const& payment_id, bool succeeded, std::string const& error_code,
                             std::string const& error_text, std::int64_t at_us);

// Bookkeeping on a payment's own fields when something happens to it.
void apply_capture(json::object& payment, std::int64_t now_us);
void apply_void(json::object& payment, std::int64_t now_us);
void apply_refund(json::object& payment, json::object const& refund, std::int64_t now_us);
void apply_dispute(json::object& payment, json::object const& dispute);

record make_balance_transaction(std::string id, std::string account_id, std::int64_t amount, std::int64_t fee,
                                std::string txn_type, std::string source_type, std::string source_id,
                                std::string financial_transaction_id, std::int64_t created_us);

// Field readers that tolerate absent and null values.
std::int64_t get_int(json::object const& o, std::string_view key);
std::string get_string(json::object const& o, std::string_view key);
bool get_bool(json::object const& o, std::string_view key);

}  // namespace justifi::mock

namespace justifi::mock {

// The OpenAPI's test cards and bank accounts that fail. They all tokenize (the API's own
// tokenization example fails the Luhn check) and fail when charged.
struct decline {
    std::string code;          // card_declined, expired_card, insufficient_funds ...
    std::string decline_code;  // empty for the bank account failures
    std::string message;
    std::string network_error_code;
};
std::optional<decline> card_decline(std::string_view number, bool verification_given);
std::optional<decline> bank_decline(std::string_view routing_number, std::string_view account_number);
// The decline of a stored payment method, from its hidden number (and, for
// 4000000000000101's cvc_check, whether it was tokenized with a verification code).
std::optional<decline> method_decline(record const& payment_method);
api_error decline_error(decline const& d);

}  // namespace justifi::mock
