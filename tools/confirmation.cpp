#include "tools/confirmation.hpp"

#include "client/justifi_client.hpp"

#include <array>
#include <cstdlib>
#include <utility>
#include <vector>

namespace justifi::tools {
namespace {

std::string_view text_of(json::object const& object, std::string_view name)
{
    auto const* v = object.if_contains(name);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<std::int64_t> integer_of(json::object const& object, std::string_view name)
{
    auto const* v = object.if_contains(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

json::object const* object_of(json::object const& object, std::string_view name)
{
    auto const* v = object.if_contains(name);
    return v ? v->if_object() : nullptr;
}


// The path of a read whose one parameter is `name` (build_path refuses what is not an id).
core::outcome<std::optional<std::string>> read_path(std::string_view path_template, std::string_view name,
                                                    std::string_view id)
{
    auto path = client::build_path(path_template, json::object{{name, id}});
    if (!path) return std::move(path).error();
    return std::optional<std::string>(std::move(*path));
}

core::refusal would_refuse(std::string_view code, std::string message)
{
    return core::refuse(core::errc::invalid_arguments,
                        "JustiFi would refuse this (" + std::string(code) + "): " + std::move(message) +
                            ". Nothing was sent and nobody was asked.");
}

std::string currency_of(json::object const& object)
{
    auto const currency = text_of(object, "currency");
    return currency.empty() ? std::string("usd") : std::string(currency);
}

// "(Visa •••• 4242, 'Pony rental', 30 Nov 2026)", leaving out what JustiFi did not say.
std::string details(std::initializer_list<std::string> parts)
{
    std::string out;
    for (auto const& part : parts)
        if (!part.empty()) out += (out.empty() ? " (" : ", ") + part;
    return out.empty() ? out : out + ")";
}

std::string quoted(std::string_view text) { return text.empty() ? std::string() : "'" + std::string(text) + "'"; }

std::string payment_details(json::object const& payment)
{
    auto const* method = object_of(payment, "payment_method");
    return details({method ? describe_payment_method(*method) : std::string(), quoted(text_of(payment, "description")),
                    format_date(text_of(payment, "created_at"))});
}

std::string remaining_text(std::int64_t remaining, std::string_view currency)
{
    return remaining > 0 ? " " + format_money(remaining, currency) + " will remain refundable."
                         : " Nothing will remain refundable.";
}

// What JustiFi checks before a refund, in its words (the simulator mirrors the API).
core::outcome<std::int64_t> refundable_amount(json::object const& payment, std::optional<std::int64_t> amount)
{
    auto const id = std::string(text_of(payment, "id"));
    auto const status = text_of(payment, "status");
    if (status == "fully_refunded") return would_refuse("payment_fully_refunded", "payment " + id + " is fully refunded");
    if (status == "disputed")
        return would_refuse("payment_disputed", "payment " + id + " is disputed, and a disputed payment cannot be refunded");
    if (status == "authorized")
        return would_refuse("payment_not_captured",
                            "payment " + id + " is authorized but not captured: void it, or capture it first");
    if (status == "pending")
        return would_refuse("payment_not_settled",
                            "payment " + id + " is a pending ACH payment; it can be refunded once it has settled");
    if (status != "succeeded" && status != "partially_refunded")
        return would_refuse("payment_not_refundable", "payment " + id + " has status " + std::string(status) +
                                                          "; only captured payments can be refunded");
    auto const refundable = integer_of(payment, "amount_refundable").value_or(0);
    auto const currency = currency_of(payment);
    if (refundable <= 0) return would_refuse("payment_fully_refunded", "payment " + id + " has nothing left to refund");
    if (amount && *amount > refundable)
        return would_refuse("refund_exceeds_amount_available",
                            "the refund of " + format_money(*amount, currency) + " is more than the " +
                                format_money(refundable, currency) + " still refundable on payment " + id);
    return amount.value_or(refundable);
}

std::string reason_text(json::object const& arguments)
{
    auto const reason = text_of(arguments, "reason");
    if (reason.empty()) return {};
    std::string words(reason);
    for (auto& c : words)
        if (c == '_') c = ' ';
    return " Reason: " + words + ".";
}

// create_refund: the payment.
core::outcome<std::optional<std::string>> refund_reads(json::object const& arguments, std::span<json::object const> read)
{
    if (!read.empty()) return std::optional<std::string>();
    return read_path("/v1/payments/{payment_id}", "payment_id", text_of(arguments, "payment_id"));
}

core::outcome<std::string> refund_question(json::object const& arguments, std::span<json::object const> read)
{
    auto const& payment = read[0];
    auto const amount = refundable_amount(payment, integer_of(arguments, "amount"));
    if (!amount) return amount.error();
    auto const currency = currency_of(payment);
    auto const total = integer_of(payment, "amount").value_or(0);
    auto const refundable = integer_of(payment, "amount_refundable").value_or(0);
    return "Refund " + format_money(*amount, currency) + " of the " + format_money(total, currency) + " payment " +
           std::string(text_of(payment, "id")) + payment_details(payment) + "?" +
           remaining_text(refundable - *amount, currency) + reason_text(arguments);
}

// capture_payment and void_payment: the payment.
core::outcome<std::optional<std::string>> payment_reads(json::object const& arguments, std::span<json::object const> read)
{
    if (!read.empty()) return std::optional<std::string>();
    return read_path("/v1/payments/{payment_id}", "payment_id", text_of(arguments, "payment_id"));
}

core::outcome<std::string> capture_question(json::object const&, std::span<json::object const> read)
{
    auto const& payment = read[0];
    auto const id = std::string(text_of(payment, "id"));
    auto const status = text_of(payment, "status");
    auto const* captured = payment.if_contains("captured");
    if (status != "authorized" && captured && captured->is_bool() && captured->get_bool())
        return would_refuse("payment_already_captured",
                            "payment " + id + " has already been captured (status " + std::string(status) + ")");
    if (status != "authorized")
        return would_refuse("payment_not_capturable", "payment " + id + " cannot be captured: its status is " +
                                                          std::string(status) + " (only authorized payments can be)");
    auto const money = format_money(integer_of(payment, "amount").value_or(0), currency_of(payment));
    return "Capture the " + money + " payment " + id + payment_details(payment) + "? The payment method is charged " +
           money + ".";
}

core::outcome<std::string> void_question(json::object const&, std::span<json::object const> read)
{
    auto const& payment = read[0];
    auto const id = std::string(text_of(payment, "id"));
    auto const status = text_of(payment, "status");
    if (status != "authorized")
        return would_refuse("payment_cannot_be_voided",
                            "payment " + id + " cannot be voided: its status is " + std::string(status) +
                                " (only authorized, uncaptured payments can be voided; refund a captured one)");
    auto const money = format_money(integer_of(payment, "amount").value_or(0), currency_of(payment));
    return "Void the " + money + " payment " + id + payment_details(payment) +
           "? The authorization is cancelled, nothing is charged, and this cannot be undone.";
}

// The saved payment method a call charges: JustiFi's body takes payment_method {token}.
std::string_view method_token(json::object const& arguments)
{
    if (auto const* method = object_of(arguments, "payment_method")) return text_of(*method, "token");
    return text_of(arguments, "payment_method");
}

// create_payment: the payment method it charges.
core::outcome<std::optional<std::string>> charge_reads(json::object const& arguments, std::span<json::object const> read)
{
    if (!read.empty()) return std::optional<std::string>();
    return read_path("/v1/payment_methods/{payment_method}", "payment_method", method_token(arguments));
}

std::string method_words(json::object const& method, std::string_view token)
{
    auto const described = describe_payment_method(method);
    return described.empty() ? "payment method " + std::string(token) : described + " (" + std::string(token) + ")";
}

core::outcome<std::string> charge_question(json::object const& arguments, std::span<json::object const> read)
{
    auto const money = format_money(integer_of(arguments, "amount").value_or(0), text_of(arguments, "currency"));
    auto const method = method_words(read[0], method_token(arguments));
    auto const description = text_of(arguments, "description");
    auto const for_what = description.empty() ? std::string() : " for " + quoted(description);
    if (text_of(arguments, "capture_strategy") == "manual")
        return "Authorize " + money + " on " + method + for_what +
               "? Nothing is charged until the payment is captured (or it is voided).";
    return "Charge " + money + " to " + method + for_what + "?";
}

// complete_checkout: the checkout, then the payment method it is completed with.
core::outcome<std::optional<std::string>> complete_reads(json::object const& arguments, std::span<json::object const> read)
{
    if (read.empty()) return read_path("/v1/checkouts/{checkout_id}", "checkout_id", text_of(arguments, "checkout_id"));
    if (read.size() == 1) {
        auto const status = text_of(read[0], "status");
        if (status == "completed" || status == "expired") return std::optional<std::string>();  // refused below
        return read_path("/v1/payment_methods/{payment_token}", "payment_token", text_of(arguments, "payment_token"));
    }
    return std::optional<std::string>();
}

core::outcome<std::string> complete_question(json::object const& arguments, std::span<json::object const> read)
{
    auto const& checkout = read[0];
    auto const id = std::string(text_of(checkout, "id"));
    auto const status = text_of(checkout, "status");
    if (status == "completed")
        return would_refuse("checkout_already_completed", "checkout " + id + " is already completed (payment " +
                                                              std::string(text_of(checkout, "successful_payment_id")) + ")");
    if (status == "expired") return would_refuse("checkout_expired", "checkout " + id + " has expired");
    auto const money = format_money(integer_of(checkout, "payment_amount").value_or(0), currency_of(checkout));
    auto const description = text_of(checkout, "payment_description");
    return "Charge " + money + " to " + method_words(read[1], text_of(arguments, "payment_token")) +
           " to complete checkout " + id + (description.empty() ? std::string() : " (" + quoted(description) + ")") + "?";
}

// refund_checkout: the checkout, then the payment that completed it.
core::outcome<std::optional<std::string>> checkout_refund_reads(json::object const& arguments,
                                                                std::span<json::object const> read)
{
    if (read.empty()) return read_path("/v1/checkouts/{checkout_id}", "checkout_id", text_of(arguments, "checkout_id"));
    if (read.size() == 1) {
        auto const payment = text_of(read[0], "successful_payment_id");
        if (text_of(read[0], "status") != "completed" || payment.empty()) return std::optional<std::string>();
        return read_path("/v1/payments/{successful_payment_id}", "successful_payment_id", payment);
    }
    return std::optional<std::string>();
}

core::outcome<std::string> checkout_refund_question(json::object const& arguments, std::span<json::object const> read)
{
    auto const& checkout = read[0];
    auto const id = std::string(text_of(checkout, "id"));
    if (read.size() < 2)
        return would_refuse("checkout_not_completed", "checkout " + id + " has status " +
                                                          std::string(text_of(checkout, "status")) +
                                                          "; only a completed checkout has a payment to refund");
    auto const& payment = read[1];
    auto const amount = refundable_amount(payment, integer_of(arguments, "amount"));
    if (!amount) return amount.error();
    auto const currency = currency_of(payment);
    auto const refundable = integer_of(payment, "amount_refundable").value_or(0);
    return "Refund " + format_money(*amount, currency) + " of checkout " + id + "'s " +
           format_money(integer_of(payment, "amount").value_or(0), currency) + " payment " +
           std::string(text_of(payment, "id")) + payment_details(payment) + "?" + remaining_text(refundable - *amount, currency);
}

// capture_payment_intent: the intent, then the payment method passed with the call, if any.
core::outcome<std::optional<std::string>> intent_reads(json::object const& arguments, std::span<json::object const> read)
{
    if (read.empty()) return read_path("/v1/payment_intents/{intent_id}", "intent_id", text_of(arguments, "intent_id"));
    if (read.size() == 1 && !method_token(arguments).empty())
        return read_path("/v1/payment_methods/{payment_method}", "payment_method", method_token(arguments));
    return std::optional<std::string>();
}

core::outcome<std::string> intent_question(json::object const& arguments, std::span<json::object const> read)
{
    auto const& intent = read[0];
    auto const id = std::string(text_of(intent, "id"));
    auto const status = text_of(intent, "status");
    if (status == "succeeded" || status == "canceled")
        return would_refuse("payment_intent_cannot_be_captured",
                            "payment intent " + id + " has status " + std::string(status) + " and cannot be captured");
    std::string method;
    if (read.size() > 1) {
        method = method_words(read[1], method_token(arguments));
    } else if (auto const* attached = object_of(intent, "payment_method")) {
        method = describe_payment_method(*attached);
        if (method.empty()) method = "its payment method";
    } else {
        return would_refuse("payment_method_required",
                            "payment intent " + id + " has no payment method: pass payment_method");
    }
    auto const description = text_of(intent, "description");
    return "Charge " + format_money(integer_of(intent, "amount").value_or(0), currency_of(intent)) + " to " + method +
           " for payment intent " + id + (description.empty() ? std::string() : " (" + quoted(description) + ")") + "?";
}

struct currency_style {
    std::string_view code;
    std::string_view symbol;
    int decimals;
};

// The currencies a person is likely to see; any other is written by its code.
constexpr std::array<currency_style, 10> currencies{{
    {"usd", "$", 2},
    {"cad", "CA$", 2},
    {"aud", "A$", 2},
    {"eur", "€", 2},
    {"gbp", "£", 2},
    {"mxn", "MX$", 2},
    {"jpy", "¥", 0},
    {"krw", "₩", 0},
    {"bhd", "BHD ", 3},
    {"kwd", "KWD ", 3},
}};

std::string lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string grouped(std::uint64_t whole)
{
    auto digits = std::to_string(whole);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

std::string brand_name(std::string_view brand)
{
    auto const b = lower(brand);
    if (b == "visa") return "Visa";
    if (b == "mastercard" || b == "master_card") return "Mastercard";
    if (b == "american_express" || b == "amex") return "American Express";
    if (b == "discover") return "Discover";
    if (b == "diners_club" || b == "diners") return "Diners Club";
    if (b == "jcb") return "JCB";
    if (b == "unionpay" || b == "union_pay") return "UnionPay";
    if (b.empty() || b == "unknown") return "Card";
    std::string out(brand);
    for (auto& c : out)
        if (c == '_') c = ' ';
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

}  // namespace

std::optional<confirm_policy> parse_confirm_policy(std::string_view text)
{
    if (text == "auto") return confirm_policy::automatic;
    if (text == "required") return confirm_policy::required;
    if (text == "off") return confirm_policy::off;
    return std::nullopt;
}

std::string_view to_string(confirm_policy policy)
{
    switch (policy) {
    case confirm_policy::automatic: return "auto";
    case confirm_policy::required: return "required";
    case confirm_policy::off: return "off";
    }
    return "auto";
}

std::string format_money(std::int64_t minor_units, std::string_view currency)
{
    auto const code = lower(currency);
    currency_style style{code, "", 2};
    bool known = false;
    for (auto const& c : currencies)
        if (c.code == code) style = c, known = true;
    bool const negative = minor_units < 0;
    // Through unsigned: the magnitude of INT64_MIN does not fit an int64.
    auto const magnitude = negative ? 0 - static_cast<std::uint64_t>(minor_units) : static_cast<std::uint64_t>(minor_units);
    std::uint64_t scale = 1;
    for (int i = 0; i < style.decimals; ++i) scale *= 10;
    auto number = grouped(magnitude / scale);
    if (style.decimals > 0) {
        auto fraction = std::to_string(magnitude % scale);
        number += "." + std::string(static_cast<std::size_t>(style.decimals) - fraction.size(), '0') + fraction;
    }
    std::string out = negative ? "-" : "";
    if (known) return out + std::string(style.symbol) + number;
    auto upper = std::string(currency);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out + number + (upper.empty() ? "" : " " + upper);
}

std::string format_date(std::string_view iso8601)
{
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto digits = [&](std::size_t at, std::size_t count) -> int {
        int value = 0;
        for (std::size_t i = at; i < at + count; ++i) {
            if (i >= iso8601.size() || iso8601[i] < '0' || iso8601[i] > '9') return -1;
            value = value * 10 + (iso8601[i] - '0');
        }
        return value;
    };
    if (iso8601.size() < 10 || iso8601[4] != '-' || iso8601[7] != '-') return {};
    int const year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return {};
    return std::to_string(day) + " " + std::string(months[static_cast<std::size_t>(month - 1)]) + " " + std::to_string(year);
}

std::string describe_payment_method(json::object const& method)
{
    if (auto const* card = object_of(method, "card")) return describe_payment_method(*card);
    if (auto const* bank = object_of(method, "bank_account")) {
        auto described = describe_payment_method(*bank);
        return described;
    }
    auto last_four = text_of(method, "acct_last_four");
    if (last_four.empty()) last_four = text_of(method, "account_number_last4");
    auto const bank = text_of(method, "bank_name");
    if (!bank.empty() || method.contains("account_type") || method.contains("routing_number")) {
        auto const name = bank.empty() ? std::string("Bank account") : std::string(bank) + " account";
        return last_four.empty() ? name : name + " •••• " + std::string(last_four);
    }
    if (!method.contains("brand") && last_four.empty()) return {};
    auto const name = brand_name(text_of(method, "brand"));
    return last_four.empty() ? name : name + " •••• " + std::string(last_four);
}

confirmation_spec const confirm_refund{refund_reads, refund_question, "Refund", "payments:read"};
confirmation_spec const confirm_capture{payment_reads, capture_question, "Capture", "payments:read"};
confirmation_spec const confirm_void{payment_reads, void_question, "Void", "payments:read"};
confirmation_spec const confirm_charge{charge_reads, charge_question, "Charge", "payment_methods:read"};
confirmation_spec const confirm_checkout_payment{complete_reads, complete_question, "Charge",
                                                "checkouts:read payment_methods:read"};
confirmation_spec const confirm_checkout_refund{checkout_refund_reads, checkout_refund_question, "Refund",
                                               "checkouts:read payments:read"};
confirmation_spec const confirm_intent_capture{intent_reads, intent_question, "Charge",
                                              "payments:read payment_methods:read"};

namespace {
constexpr std::string_view state_prefix = "confirmation v1\n";
}

std::string confirmation_state(std::string_view question) { return std::string(state_prefix) + std::string(question); }

std::optional<std::string_view> question_of_state(std::string_view state)
{
    if (!state.starts_with(state_prefix)) return std::nullopt;
    return state.substr(state_prefix.size());
}

json::object confirmation_form(std::string_view message, std::string_view verb)
{
    json::object field{{"type", "boolean"},
                       {"title", std::string(verb) + "?"},
                       {"description", "Yes to go ahead; no to leave everything as it is."},
                       {"default", false}};
    json::object schema{{"type", "object"},
                        {"properties", json::object{{confirmation_input_key, std::move(field)}}},
                        {"required", json::array{confirmation_input_key}}};
    return json::object{{"message", message}, {"requestedSchema", std::move(schema)}};
}

confirmation_answer read_confirmation(json::value const* elicit_result)
{
    auto const* result = elicit_result ? elicit_result->if_object() : nullptr;
    if (!result) return confirmation_answer::unanswered;
    auto const action = text_of(*result, "action");
    if (action == "decline") return confirmation_answer::declined;
    if (action == "cancel") return confirmation_answer::cancelled;
    if (action != "accept") return confirmation_answer::unanswered;
    auto const* content = object_of(*result, "content");
    auto const* yes = content ? content->if_contains(confirmation_input_key) : nullptr;
    if (!yes || !yes->is_bool()) return confirmation_answer::unanswered;
    return yes->get_bool() ? confirmation_answer::confirmed : confirmation_answer::declined;
}

std::string confirmed_idempotency_key(std::string_view state_nonce)
{
    return "justifi-mcp-confirmed-" + std::string(state_nonce);
}

json::object declined_content(std::string_view tool_name, std::string_view question, confirmation_answer answer)
{
    return json::object{{"confirmed", false},
                        {"answer", answer == confirmation_answer::cancelled ? "cancelled" : "declined"},
                        {"tool", tool_name},
                        {"question", question}};
}

std::string declined_text(std::string_view question, confirmation_answer answer)
{
    return std::string(answer == confirmation_answer::cancelled ? "The person dismissed the confirmation"
                                                                : "The person declined") +
           ", so nothing was sent to JustiFi and no money moved. They were asked: \"" + std::string(question) + "\"";
}

json::object declined_schema()
{
    return json::object{
        {"type", "object"},
        {"required", json::array{"confirmed", "answer", "tool"}},
        {"properties", json::object{{"confirmed", json::object{{"const", false}}},
                                    {"answer", json::object{{"enum", json::array{"declined", "cancelled"}}}},
                                    {"tool", json::object{{"type", "string"}}},
                                    {"question", json::object{{"type", "string"}}}}}};
}

}  // namespace justifi::tools
