// A person confirms each money movement, shown JustiFi's facts rather than the model's
// paraphrase. Sans-io: which JustiFi objects a tool reads before asking (a small state
// machine over what has been read so far), the question in plain words with money formatted
// for people, the form a client renders, and what its answer means. tools/endpoint_tool.cpp
// makes the reads and delivers the form (2026-07-28's multi round-trip, or the legacy era's
// elicitation/create over stdio).
#pragma once

#include "core/errors.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace justifi::tools {

namespace json = boost::json;

// JUSTIFI_CONFIRM_WRITES. automatic: confirm whenever the client can be asked, otherwise go
// ahead as without confirmation; required: a client that cannot be asked cannot move money.
enum class confirm_policy { automatic, required, off };

std::optional<confirm_policy> parse_confirm_policy(std::string_view text);  // "auto", "required", "off"
std::string_view to_string(confirm_policy policy);

// 5000, "usd" -> "$50.00"; currencies without minor units have no decimals; an unknown
// currency is written after the amount ("50.00 XTS").
std::string format_money(std::int64_t minor_units, std::string_view currency);
// "2026-11-30T14:02:11.000Z" -> "30 Nov 2026"; empty when the text is not such a date.
std::string format_date(std::string_view iso8601);
// A payment method as a person recognises it: "Visa •••• 4242", "Chase account •••• 6789".
// Accepts JustiFi's payment_method ({card: {...}} or {bank_account: {...}}) or the card or
// bank account object itself. Empty when there is nothing to show.
std::string describe_payment_method(json::object const& method);

// What one tool needs before it can ask.
struct confirmation_spec {
    // The JustiFi object to read next (a GET path, ids encoded), given the call's arguments and
    // the objects read so far (each the `data` of JustiFi's envelope); nullopt when the
    // question can be asked. A refusal when the arguments cannot name what to read.
    core::outcome<std::optional<std::string>> (*next_read)(json::object const& arguments,
                                                           std::span<json::object const> read);
    // The question, or, when JustiFi would refuse the call anyway, its reason: errc::invalid_arguments
    // with words that say what is wrong (nobody is asked and nothing is sent).
    core::outcome<std::string> (*question)(json::object const& arguments, std::span<json::object const> read);
    std::string_view verb;  // "refund": the title of the confirmation field and of the decline
    // The scopes its reads need (space-separated): the tool needs them too, since it asks.
    std::string_view read_scopes;
};

// At most this many reads precede a question: the state machines above need two.
inline constexpr std::size_t max_confirmation_reads = 3;

// The confirmations the catalog's money-moving entries name (tools/endpoint_table.cpp).
extern confirmation_spec const confirm_refund;            // create_refund: the payment
extern confirmation_spec const confirm_capture;           // capture_payment: the payment
extern confirmation_spec const confirm_void;              // void_payment: the payment
extern confirmation_spec const confirm_charge;            // create_payment: the payment method
extern confirmation_spec const confirm_checkout_payment;  // complete_checkout: the checkout, the payment method
extern confirmation_spec const confirm_checkout_refund;   // refund_checkout: the checkout, its payment
extern confirmation_spec const confirm_intent_capture;    // capture_payment_intent: the intent, the payment method

// The key of the answer in 2026-07-28's inputRequests / inputResponses.
inline constexpr std::string_view confirmation_input_key = "confirm";
// requestState's payload for a confirmation: the question the person was shown (the
// dispatcher seals it with a nonce, so the retry says what was declined without a read).
std::string confirmation_state(std::string_view question);
// The question inside a state this tool sealed; nullopt for any other state.
std::optional<std::string_view> question_of_state(std::string_view state);

// elicitation/create's params: the message and a form with one required boolean.
json::object confirmation_form(std::string_view message, std::string_view verb);

enum class confirmation_answer { confirmed, declined, cancelled, unanswered };
// An ElicitResult: accept with confirm true is the only yes. An answer that is not one
// (no action, accept without the field) is unanswered: the caller asks again.
confirmation_answer read_confirmation(json::value const* elicit_result);

// The Idempotency-Key of a write confirmed through a sealed requestState: the same state
// replayed reaches JustiFi as the same request, so money moves at most once.
std::string confirmed_idempotency_key(std::string_view state_nonce);

// structuredContent and text of a call the person declined (or dismissed): nothing was sent.
json::object declined_content(std::string_view tool_name, std::string_view question, confirmation_answer answer);
std::string declined_text(std::string_view question, confirmation_answer answer);
// The outputSchema branch that declined_content satisfies.
json::object declined_schema();

}  // namespace justifi::tools
