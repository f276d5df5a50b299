#include "tools/answer_schemas.hpp"

#include "tools/schema.hpp"

#include <utility>
#include <vector>

namespace justifi::tools::answers {
namespace {

using namespace schema;

json::object text()
{
    return typed("string");
}

json::object maybe_text()
{
    return or_null(typed("string"));
}

json::object cents()
{
    return typed("integer");
}

json::object flag()
{
    return typed("boolean");
}

json::object usd()
{
    return one_of_strings({"usd"});
}

// JustiFi's own data, as the caller stored it (null when never set).
json::object metadata()
{
    return or_null(typed("object"));
}

json::object maybe_object(json::object schema)
{
    return or_null(std::move(schema));
}

// Fields the OpenAPI leaves untyped: anything goes.
json::object untyped()
{
    return {};
}

// Every JustiFi object: its id, then `fields`, then its timestamps.
json::object justifi_object(std::vector<field> fields)
{
    fields.insert(fields.begin(), req("id", text()));
    fields.push_back(opt("created_at", text()));
    fields.push_back(opt("updated_at", text()));
    return open_object(std::move(fields));
}

json::object card()
{
    auto const check = or_null(one_of_strings({"fail", "pass", "unavailable", "unchecked"}));
    return justifi_object({opt("acct_last_four", text()), opt("brand", untyped()), opt("name", untyped()),
                           opt("token", untyped()), opt("month", untyped()), opt("year", untyped()),
                           opt("metadata", metadata()), opt("address_line1_check", check),
                           opt("address_postal_code_check", check), opt("bin_details", maybe_object(typed("object")))});
}

json::object bank_account()
{
    return justifi_object({opt("account_owner_name", maybe_text()), opt("account_type", maybe_text()),
                           opt("bank_name", untyped()), opt("account_number_last4", text()), opt("token", untyped()),
                           opt("metadata", metadata())});
}

// The statuses of a payout and of a proceeds payout are one mangled string in the OpenAPI
// ("paid failed forwarded ..."), so they are typed as strings only.
std::vector<field> payout_fields()
{
    return {opt("account_id", text()),
            opt("amount", cents()),
            opt("bank_account", maybe_object(payout_bank_account())),
            opt("currency", usd()),
            opt("delivery_method", text()),
            opt("description", maybe_text()),
            opt("deposits_at", maybe_text()),
            opt("refunds_count", typed("integer")),
            opt("refunds_total", cents()),
            opt("payments_count", typed("integer")),
            opt("payments_total", cents()),
            opt("payout_type", text()),
            opt("other_total", cents()),
            opt("status", text()),
            opt("metadata", metadata())};
}

std::vector<field> completion_attempt_fields()
{
    return {opt("payment_mode", or_null(one_of_strings({"ecom", "bnpl", "card_present"}))),
            opt("payment_token", maybe_text()),
            opt("status", one_of_strings({"succeeded", "failed", "processing"})),
            opt("payment_status", or_null(one_of_strings({"succeeded", "failed", "pending", "canceled", "skipped"}))),
            opt("payment_error_code", maybe_text()),
            opt("payment_error_description", maybe_text()),
            opt("payment_response", maybe_object(typed("object"))),
            opt("checkout_id", text()),
            opt("additional_transactions", or_null(typed("array"))),
            opt("payment_id", maybe_text()),
            opt("payment_method_id", maybe_text())};
}

}  // namespace

json::object payment()
{
    return justifi_object(
        {opt("account_id", text()),
         opt("amount", cents()),
         opt("amount_disputed", cents()),
         opt("amount_refunded", cents()),
         opt("amount_refundable", cents()),
         opt("balance", cents()),
         opt("fee_amount", cents()),
         opt("financial_transaction_id", maybe_text()),
         opt("captured", flag()),
         opt("capture_strategy", one_of_strings({"automatic", "manual"})),
         opt("currency", usd()),
         opt("description", maybe_text()),
         opt("disputed", flag()),
         opt("disputes", typed("array")),
         opt("error_code", maybe_text()),
         opt("error_description", maybe_text()),
         opt("is_test", flag()),
         opt("metadata", metadata()),
         opt("payment_intent_id", maybe_text()),
         opt("checkout_id", maybe_text()),
         opt("payment_method", maybe_object(payment_method())),
         opt("application_fee", maybe_object(justifi_object({opt("amount", cents()), opt("currency", usd())}))),
         opt("application_fee_rate_id", maybe_text()),
         opt("refunded", flag()),
         opt("status", one_of_strings({"pending", "authorized", "canceled", "succeeded", "failed", "partially_refunded",
                                       "fully_refunded", "disputed"})),
         opt("payment_mode", or_null(one_of_strings({"ecom", "ach", "card_present"}))),
         opt("terminal_id", maybe_text()),
         opt("transaction_hold", maybe_object(typed("object"))),
         opt("expedited", or_null(flag()))});
}

json::object refund()
{
    return justifi_object({opt("payment_id", text()), opt("amount", cents()), opt("description", maybe_text()),
                           opt("reason", or_null(one_of_strings({"duplicate", "fraudulent", "customer_request"}))),
                           opt("status", one_of_strings({"pending", "succeeded", "failed"})),
                           opt("metadata", metadata())});
}

json::object payout()
{
    auto fields = payout_fields();
    fields.push_back(opt("fees_total", cents()));
    fields.push_back(opt("settlement_priority", text()));
    return justifi_object(std::move(fields));
}

json::object proceed()
{
    return justifi_object(payout_fields());
}

json::object balance_transaction()
{
    return justifi_object({opt("account_id", text()), opt("amount", cents()), opt("available_on", maybe_text()),
                           opt("currency", usd()), opt("description", maybe_text()), opt("fee", cents()),
                           opt("financial_transaction_id", maybe_text()), opt("net", cents()),
                           opt("payout_id", maybe_text()), opt("source_id", maybe_text()),
                           opt("source_type", maybe_text()), opt("txn_type", text())});
}

json::object payment_balance_transaction()
{
    return justifi_object({opt("amount", cents()), opt("balance", cents()), opt("currency", usd()),
                           opt("financial_transaction_id", maybe_text()), opt("payment_id", text()),
                           opt("payment_balance_txn_type",
                               one_of_strings({"payment", "payment_fee", "payout", "refund", "fee_refund", "dispute",
                                               "dispute_fee", "dispute_fee_refund", "dispute_refund"})),
                           opt("source_id", maybe_text()), opt("source_type", maybe_text())});
}

json::object dispute()
{
    return justifi_object({opt("payment_id", text()), opt("account_id", text()), opt("amount", cents()),
                           opt("currency", usd()), opt("reason", maybe_text()), opt("due_date", maybe_text()),
                           opt("status", one_of_strings({"needs_response", "under_review", "won", "lost"})),
                           opt("metadata", metadata()), opt("dispute_response", maybe_object(typed("object"))),
                           opt("dispute_reversal", maybe_object(typed("object")))});
}

// payment_currency is "USD" in the OpenAPI's enum, "usd" everywhere else: a string.
json::object checkout()
{
    return justifi_object(
        {opt("account_id", text()), opt("platform_account_id", maybe_text()), opt("payment_amount", cents()),
         opt("payment_currency", text()), opt("payment_description", maybe_text()),
         opt("payment_methods", typed("array")), opt("payment_method_group_id", maybe_text()),
         opt("status", one_of_strings({"created", "completed", "attempted", "expired"})),
         opt("mode", one_of_strings({"test", "live"})), opt("successful_payment_id", maybe_text()),
         opt("statement_descriptor", maybe_text()), opt("application_fees", maybe_object(typed("object"))),
         opt("payment_settings", maybe_object(typed("object"))), opt("payment", maybe_object(typed("object"))),
         opt("completions", array_of(justifi_object(completion_attempt_fields())))});
}

json::object checkout_completion()
{
    auto fields = completion_attempt_fields();
    fields.push_back(opt("checkout", maybe_object(checkout())));
    fields.push_back(opt("terminal_id", maybe_text()));
    return justifi_object(std::move(fields));
}

json::object checkout_refund()
{
    return justifi_object({opt("checkout_id", text()), opt("status", one_of_strings({"succeeded", "failed"})),
                           opt("refund_response", untyped()), opt("refund_amount", cents())});
}

// A payment method as listed, fetched or embedded in a payment: a card or a bank account.
json::object payment_method()
{
    return open_object({opt("status", text()), opt("invalid_reason", maybe_text()), opt("card", maybe_object(card())),
                        opt("bank_account", maybe_object(bank_account())), opt("customer_id", maybe_text()),
                        opt("signature", maybe_text()), opt("account_id", maybe_text())});
}

json::object payment_method_group()
{
    return justifi_object({opt("account_id", text()), opt("platform_account_id", maybe_text())});
}

json::object sub_account()
{
    return justifi_object(
        {opt("name", text()), opt("account_type", text()),
         opt("status", one_of_strings({"created", "submitted", "information_needed", "rejected", "enabled", "disabled",
                                       "archived"})),
         opt("currency", usd()), opt("platform_account_id", maybe_text()), opt("payout_account_id", maybe_text()),
         opt("business_id", maybe_text()), opt("application_fee_rates", or_null(typed("array"))),
         opt("processing_ready", flag()), opt("payout_ready", flag()),
         opt("related_accounts",
             maybe_object(open_object({opt("live_account_id", maybe_text()), opt("test_account_id", maybe_text())})))});
}

json::object payout_bank_account()
{
    return open_object({req("id", text()), opt("full_name", maybe_text()), opt("bank_name", maybe_text()),
                        opt("account_number_last4", text()), opt("routing_number", text()),
                        opt("country", one_of_strings({"US"})), opt("currency", usd()), opt("nickname", maybe_text()),
                        opt("account_type", one_of_strings({"checking"}))});
}

json::object sub_account_settings()
{
    return open_object(
        {opt("payments",
             open_object({opt("id", text()), opt("mcc_code", maybe_text()), opt("credit_card_payments", flag()),
                          opt("ach_payments", flag()), opt("card_present", flag()), opt("bnpl_payments", flag()),
                          opt("insurance_payments", flag()), opt("platform_wallet_account", flag())})),
         opt("payouts",
             open_object({opt("id", text()), opt("enabled", flag()), opt("statement_descriptor", maybe_text())}))});
}

// provider and status are enumerated without a type, and the list filter knows a status the
// enum lacks (pending_configuration): strings.
json::object terminal()
{
    return justifi_object(
        {opt("account_id", text()), opt("platform_account_id", maybe_text()), opt("provider", text()),
         opt("status", text()), opt("provider_id", maybe_text()), opt("provider_serial_number", maybe_text()),
         opt("nickname", maybe_text()), opt("verified_at", maybe_text()), opt("model_name", maybe_text()),
         opt("terminal_order_created_at", maybe_text()), opt("status_last_requested_at", maybe_text())});
}

json::object terminal_status()
{
    return open_object({req("id", text()), opt("status", text()), opt("last_date_time_connected", maybe_text()),
                        opt("last_date_time_active", maybe_text())});
}

json::object payment_intent()
{
    return justifi_object(
        {opt("account_id", text()), opt("amount", cents()), opt("currency", usd()), opt("description", maybe_text()),
         opt("metadata", metadata()), opt("payment_method", maybe_object(payment_method())),
         opt("status",
             one_of_strings({"requires_payment_method", "pending", "requires_capture", "canceled", "succeeded"})),
         opt("successful_payment_id", maybe_text())});
}

json::object payment_intent_answer()
{
    return object_any_of({single_envelope(payment_intent()), payment_intent()});
}

json::object proceed_answer()
{
    return object_any_of({single_envelope(proceed()), list_envelope(proceed())});
}

json::object group_change_answer()
{
    return object_any_of({single_envelope(payment_method_group()), done()});
}

json::object web_component_token()
{
    return open_object({req("access_token", text()), opt("expires_in", typed("integer"))});
}

json::object payment_refunds()
{
    auto view = view_of(payment(), {"amount", "amount_refunded", "amount_refundable", "currency", "refunded"});
    auto& properties = view.at("properties").as_object();
    properties["payment_id"] = text();
    properties["refunds"] = array_of(refund());
    properties["note"] = text();
    view["required"] = json::array{"payment_id", "refunds"};
    return view;
}

json::object payout_status()
{
    return view_of(payout(), {"id", "status", "amount", "currency", "deposits_at", "settlement_priority",
                              "delivery_method", "payout_type", "updated_at"});
}

json::object done()
{
    return closed_object({req("status", json::object{{"const", "done"}})});
}

json::object generated_integration()
{
    return open_object(
        {req("files", array_of(open_object({req("path", text()), req("content", text())}))), req("start", text())});
}

}  // namespace justifi::tools::answers
