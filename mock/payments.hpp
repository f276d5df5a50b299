// The operations that move money: payments, refunds, payment methods, checkouts and
// payment intents. Sans-io, like every operation (see mock/resources.hpp).
#pragma once

#include "mock/resources.hpp"

namespace justifi::mock {

outcome<reply> create_payment(call_context& cx, call_input const& in);
outcome<reply> update_payment(call_context& cx, call_input const& in);
outcome<reply> capture_payment(call_context& cx, call_input const& in);
outcome<reply> void_payment(call_context& cx, call_input const& in);
outcome<reply> refund_payment(call_context& cx, call_input const& in);
outcome<reply> payment_balance_transactions(call_context& cx, call_input const& in);

outcome<reply> create_payment_method(call_context& cx, call_input const& in);

outcome<reply> create_checkout(call_context& cx, call_input const& in);
outcome<reply> update_checkout(call_context& cx, call_input const& in);
outcome<reply> complete_checkout(call_context& cx, call_input const& in);
outcome<reply> refund_checkout(call_context& cx, call_input const& in);

outcome<reply> create_payment_intent(call_context& cx, call_input const& in);
outcome<reply> update_payment_intent(call_context& cx, call_input const& in);
outcome<reply> capture_payment_intent(call_context& cx, call_input const& in);
outcome<reply> payment_intent_payments(call_context& cx, call_input const& in);

}  // namespace justifi::mock
