// What the tools answer, as output schemas: each JustiFi object once, from the response schemas
// of JustiFi's OpenAPI (components/schemas), and the answers built from them. Clients validate
// structuredContent against these, so a field is typed only as exactly as JustiFi is: ids,
// amounts (integers in cents), flags and statuses the OpenAPI enumerates are strict; links to
// other objects, texts and fields the OpenAPI leaves untyped or mistyped accept null or anything.
#pragma once

#include <boost/json/object.hpp>

namespace justifi::tools::answers {

namespace json = boost::json;

// The objects (the `data` of JustiFi's envelopes).
json::object payment();
json::object refund();
json::object payout();
json::object proceed();
json::object balance_transaction();
json::object payment_balance_transaction();
json::object dispute();
json::object checkout();
json::object checkout_completion();
json::object checkout_refund();
json::object payment_method();
json::object payment_method_group();
json::object sub_account();
json::object payout_bank_account();
json::object sub_account_settings();
json::object terminal();
json::object terminal_status();
json::object payment_intent();

// Answers that are not one of JustiFi's envelopes around an object above.
// Where the OpenAPI's answer is not the envelope the rest of the API (and the simulator) sends,
// either is accepted: a bare intent, a list envelope of one proceed, no content (done).
json::object payment_intent_answer();
json::object proceed_answer();
json::object group_change_answer();
json::object web_component_token();
json::object payment_refunds();  // the payment_refunds shaper's view of a payment
json::object payout_status();    // the payout_status shaper's view of a payout
json::object done();             // a success without content (HTTP 204)
json::object generated_integration();

}  // namespace justifi::tools::answers
