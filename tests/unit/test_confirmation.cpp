// What a person is asked before money moves: money and dates for people, each tool's reads
// (a state machine over what has been read), its question or JustiFi's reason to refuse, the
// form, how an answer is read, and the idempotency key a confirmed write gets.
#include "tools/confirmation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace json = boost::json;
using namespace justifi::tools;
using justifi::core::errc;

namespace {

json::object object(std::string_view text) { return json::parse(text).as_object(); }

// The payment of the issue's example: $120.00, nothing refunded yet.
json::object pony_rental(std::string_view status = "succeeded", std::int64_t refunded = 0)
{
    auto p = object(R"({"id":"py_438","amount":12000,"currency":"usd","captured":true,
        "description":"Pony rental","created_at":"2026-11-30T14:02:11.000Z",
        "payment_method":{"card":{"brand":"visa","acct_last_four":"4242","name":"Ann"}}})");
    p["status"] = status;
    p["amount_refunded"] = refunded;
    p["amount_refundable"] = status == "succeeded" || status == "partially_refunded" ? 12000 - refunded : 0;
    return p;
}

// Runs a spec's reads against a table of JustiFi objects by path, as the tool does over the network.
struct walk {
    std::vector<std::string> paths;
    justifi::core::outcome<std::string> question = justifi::core::refuse(errc::internal_error, "not asked");
};

walk run(confirmation_spec const& spec, json::object const& arguments,
         std::vector<std::pair<std::string, json::object>> const& justifi)
{
    walk w;
    std::vector<json::object> read;
    for (;;) {
        auto next = spec.next_read(arguments, read);
        BOOST_TEST_REQUIRE(next.has_value());
        if (!*next) break;
        BOOST_TEST_REQUIRE(read.size() < max_confirmation_reads);
        w.paths.push_back(**next);
        bool found = false;
        for (auto const& [path, data] : justifi)
            if (path == **next) read.push_back(data), found = true;
        BOOST_TEST_REQUIRE(found, "no object at " << **next);
    }
    w.question = spec.question(arguments, read);
    return w;
}

std::string refusal_text(walk const& w)
{
    BOOST_TEST_REQUIRE(w.question.has_error());
    BOOST_TEST((w.question.error().code == errc::invalid_arguments));
    return w.question.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(confirmation)

BOOST_AUTO_TEST_CASE(money_is_written_for_people)
{
    BOOST_TEST(format_money(5000, "usd") == "$50.00");
    BOOST_TEST(format_money(5, "usd") == "$0.05");
    BOOST_TEST(format_money(0, "usd") == "$0.00");
    BOOST_TEST(format_money(123456789, "USD") == "$1,234,567.89");
    BOOST_TEST(format_money(100000, "usd") == "$1,000.00");
    BOOST_TEST(format_money(-1050, "usd") == "-$10.50");
    BOOST_TEST(format_money(2599, "cad") == "CA$25.99");
    BOOST_TEST(format_money(2599, "eur") == "€25.99");
    BOOST_TEST(format_money(2599, "gbp") == "£25.99");
    BOOST_TEST(format_money(5000, "jpy") == "¥5,000");  // no minor unit
    BOOST_TEST(format_money(1234, "kwd") == "KWD 1.234");
    BOOST_TEST(format_money(1050, "xts") == "10.50 XTS");
    BOOST_TEST(format_money(1050, "") == "10.50");
    BOOST_TEST(format_money(INT64_MIN, "usd") == "-$92,233,720,368,547,758.08");
}

BOOST_AUTO_TEST_CASE(dates_are_written_for_people)
{
    BOOST_TEST(format_date("2026-11-30T14:02:11.000Z") == "30 Nov 2026");
    BOOST_TEST(format_date("2026-01-05") == "5 Jan 2026");
    BOOST_TEST(format_date("2026-13-05T00:00:00Z") == "");
    BOOST_TEST(format_date("yesterday") == "");
    BOOST_TEST(format_date("") == "");
}

BOOST_AUTO_TEST_CASE(payment_methods_as_a_person_knows_them)
{
    BOOST_TEST(describe_payment_method(object(R"({"card":{"brand":"visa","acct_last_four":"4242"}})")) == "Visa •••• 4242");
    BOOST_TEST(describe_payment_method(object(R"({"brand":"american_express","acct_last_four":"0005"})")) ==
               "American Express •••• 0005");
    BOOST_TEST(describe_payment_method(object(R"({"card":{"brand":"some_new_brand","acct_last_four":"1111"}})")) ==
               "Some new brand •••• 1111");
    BOOST_TEST(describe_payment_method(object(R"({"bank_account":{"bank_name":"Chase","account_number_last4":"6789"}})")) ==
               "Chase account •••• 6789");
    BOOST_TEST(describe_payment_method(object(R"({"bank_account":{"account_type":"checking","acct_last_four":"6789"}})")) ==
               "Bank account •••• 6789");
    BOOST_TEST(describe_payment_method(object(R"({"id":"pm_1"})")) == "");
}

BOOST_AUTO_TEST_CASE(a_partial_refund_says_what_remains)
{
    auto const w = run(confirm_refund, object(R"({"payment_id":"py_438","amount":5000})"),
                       {{"/v1/payments/py_438", pony_rental()}});
    BOOST_TEST(w.paths == std::vector<std::string>{"/v1/payments/py_438"});
    BOOST_TEST_REQUIRE(w.question.has_value());
    BOOST_TEST(*w.question == "Refund $50.00 of the $120.00 payment py_438 (Visa •••• 4242, 'Pony rental', 30 Nov 2026)? "
                              "$70.00 will remain refundable.");
}

BOOST_AUTO_TEST_CASE(a_refund_without_amount_is_everything_left)
{
    auto const w = run(confirm_refund, object(R"({"payment_id":"py_438","reason":"customer_request"})"),
                       {{"/v1/payments/py_438", pony_rental("partially_refunded", 2000)}});
    BOOST_TEST_REQUIRE(w.question.has_value());
    BOOST_TEST(*w.question == "Refund $100.00 of the $120.00 payment py_438 (Visa •••• 4242, 'Pony rental', 30 Nov 2026)? "
                              "Nothing will remain refundable. Reason: customer request.");
}

BOOST_AUTO_TEST_CASE(a_refund_justifi_would_refuse_is_refused_before_asking)
{
    auto const too_much = refusal_text(run(confirm_refund, object(R"({"payment_id":"py_438","amount":9000})"),
                                           {{"/v1/payments/py_438", pony_rental("partially_refunded", 5000)}}));
    BOOST_TEST(too_much.find("refund_exceeds_amount_available") != std::string::npos);
    BOOST_TEST(too_much.find("$90.00 is more than the $70.00 still refundable") != std::string::npos, too_much);
    BOOST_TEST(too_much.find("nobody was asked") != std::string::npos);

    auto const done = refusal_text(run(confirm_refund, object(R"({"payment_id":"py_438"})"),
                                       {{"/v1/payments/py_438", pony_rental("fully_refunded", 12000)}}));
    BOOST_TEST(done.find("payment_fully_refunded") != std::string::npos, done);

    auto const authorized = refusal_text(run(confirm_refund, object(R"({"payment_id":"py_438"})"),
                                             {{"/v1/payments/py_438", pony_rental("authorized")}}));
    BOOST_TEST(authorized.find("payment_not_captured") != std::string::npos, authorized);
}

BOOST_AUTO_TEST_CASE(a_read_takes_only_an_id)
{
    auto const next = confirm_refund.next_read(object(R"({"payment_id":"py_1/../../v1/sub_accounts"})"), {});
    BOOST_TEST_REQUIRE(next.has_error());
    BOOST_TEST(next.error().message.find("\"payment_id\" must be a JustiFi id") != std::string::npos, next.error().message);
    // An id JustiFi itself returned is checked the same way before it becomes a path.
    auto done = object(R"({"id":"cho_7","status":"completed","successful_payment_id":"py_1?expand=all"})");
    std::vector<json::object> const read{done};
    BOOST_TEST(confirm_checkout_refund.next_read(object(R"({"checkout_id":"cho_7"})"), read).has_error());
}

BOOST_AUTO_TEST_CASE(capture_and_void_state_their_effect)
{
    auto const authorized = pony_rental("authorized");
    auto const capture = run(confirm_capture, object(R"({"payment_id":"py_438"})"), {{"/v1/payments/py_438", authorized}});
    BOOST_TEST_REQUIRE(capture.question.has_value());
    BOOST_TEST(*capture.question == "Capture the $120.00 payment py_438 (Visa •••• 4242, 'Pony rental', 30 Nov 2026)? "
                                    "The payment method is charged $120.00.");
    auto const voiding = run(confirm_void, object(R"({"payment_id":"py_438"})"), {{"/v1/payments/py_438", authorized}});
    BOOST_TEST_REQUIRE(voiding.question.has_value());
    BOOST_TEST(*voiding.question == "Void the $120.00 payment py_438 (Visa •••• 4242, 'Pony rental', 30 Nov 2026)? "
                                    "The authorization is cancelled, nothing is charged, and this cannot be undone.");

    auto const captured = refusal_text(run(confirm_capture, object(R"({"payment_id":"py_438"})"),
                                           {{"/v1/payments/py_438", pony_rental()}}));
    BOOST_TEST(captured.find("payment_already_captured") != std::string::npos, captured);
    auto const settled = refusal_text(run(confirm_void, object(R"({"payment_id":"py_438"})"),
                                          {{"/v1/payments/py_438", pony_rental()}}));
    BOOST_TEST(settled.find("payment_cannot_be_voided") != std::string::npos, settled);
}

BOOST_AUTO_TEST_CASE(a_charge_names_the_card_from_justifi)
{
    auto const card = object(R"({"id":"pm_9","card":{"brand":"mastercard","acct_last_four":"4444"}})");
    auto const now = run(confirm_charge,
                         object(R"({"amount":2599,"currency":"usd","capture_strategy":"automatic",
                                    "payment_method":{"token":"pm_9"},"description":"Hay, 2 bales"})"),
                         {{"/v1/payment_methods/pm_9", card}});
    BOOST_TEST_REQUIRE(now.question.has_value());
    BOOST_TEST(*now.question == "Charge $25.99 to Mastercard •••• 4444 (pm_9) for 'Hay, 2 bales'?");
    auto const later = run(confirm_charge,
                           object(R"({"amount":2599,"currency":"usd","capture_strategy":"manual","payment_method":{"token":"pm_9"}})"),
                           {{"/v1/payment_methods/pm_9", card}});
    BOOST_TEST_REQUIRE(later.question.has_value());
    BOOST_TEST(*later.question ==
               "Authorize $25.99 on Mastercard •••• 4444 (pm_9)? Nothing is charged until the payment is captured (or it "
               "is voided).");
}

BOOST_AUTO_TEST_CASE(checkouts_read_the_checkout_then_what_it_charges_or_refunds)
{
    auto const open = object(R"({"id":"cho_7","status":"created","payment_amount":4500,"payment_description":"Saddle"})");
    auto const card = object(R"({"id":"pm_9","card":{"brand":"visa","acct_last_four":"1881"}})");
    auto const complete = run(confirm_checkout_payment, object(R"({"checkout_id":"cho_7","payment_token":"pm_9"})"),
                              {{"/v1/checkouts/cho_7", open}, {"/v1/payment_methods/pm_9", card}});
    BOOST_TEST(complete.paths == (std::vector<std::string>{"/v1/checkouts/cho_7", "/v1/payment_methods/pm_9"}));
    BOOST_TEST_REQUIRE(complete.question.has_value());
    BOOST_TEST(*complete.question == "Charge $45.00 to Visa •••• 1881 (pm_9) to complete checkout cho_7 ('Saddle')?");

    auto done = open;
    done["status"] = "completed";
    done["successful_payment_id"] = "py_438";
    auto const twice = run(confirm_checkout_payment, object(R"({"checkout_id":"cho_7","payment_token":"pm_9"})"),
                           {{"/v1/checkouts/cho_7", done}});
    BOOST_TEST(twice.paths.size() == 1u);  // no read of the card for a call JustiFi would refuse
    BOOST_TEST(refusal_text(twice).find("checkout_already_completed") != std::string::npos);

    auto const refund = run(confirm_checkout_refund, object(R"({"checkout_id":"cho_7","amount":2000})"),
                            {{"/v1/checkouts/cho_7", done}, {"/v1/payments/py_438", pony_rental()}});
    BOOST_TEST(refund.paths == (std::vector<std::string>{"/v1/checkouts/cho_7", "/v1/payments/py_438"}));
    BOOST_TEST_REQUIRE(refund.question.has_value());
    BOOST_TEST(*refund.question == "Refund $20.00 of checkout cho_7's $120.00 payment py_438 (Visa •••• 4242, 'Pony "
                                   "rental', 30 Nov 2026)? $100.00 will remain refundable.");
    auto const unpaid = run(confirm_checkout_refund, object(R"({"checkout_id":"cho_7"})"), {{"/v1/checkouts/cho_7", open}});
    BOOST_TEST(refusal_text(unpaid).find("checkout_not_completed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_payment_intent_charges_its_own_or_the_given_method)
{
    auto const intent = object(R"({"id":"pi_5","status":"requires_capture","amount":990,"currency":"usd",
        "description":"Lesson","payment_method":{"card":{"brand":"discover","acct_last_four":"0004"}}})");
    auto const own = run(confirm_intent_capture, object(R"({"intent_id":"pi_5"})"), {{"/v1/payment_intents/pi_5", intent}});
    BOOST_TEST_REQUIRE(own.question.has_value());
    BOOST_TEST(*own.question == "Charge $9.90 to Discover •••• 0004 for payment intent pi_5 ('Lesson')?");
    auto const given = run(confirm_intent_capture, object(R"({"intent_id":"pi_5","payment_method":{"token":"pm_2"}})"),
                           {{"/v1/payment_intents/pi_5", intent},
                            {"/v1/payment_methods/pm_2", object(R"({"card":{"brand":"visa","acct_last_four":"4242"}})")}});
    BOOST_TEST_REQUIRE(given.question.has_value());
    BOOST_TEST(*given.question == "Charge $9.90 to Visa •••• 4242 (pm_2) for payment intent pi_5 ('Lesson')?");
    auto paid = intent;
    paid["status"] = "succeeded";
    BOOST_TEST(refusal_text(run(confirm_intent_capture, object(R"({"intent_id":"pi_5"})"),
                                {{"/v1/payment_intents/pi_5", paid}}))
                   .find("payment_intent_cannot_be_captured") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_form_is_one_required_boolean)
{
    auto const form = confirmation_form("Refund $50.00 of ...?", "Refund");
    BOOST_TEST(form.at("message").as_string() == "Refund $50.00 of ...?");
    auto const& schema = form.at("requestedSchema").as_object();
    BOOST_TEST(json::serialize(schema.at("required")) == R"(["confirm"])");
    auto const& field = schema.at("properties").as_object().at("confirm").as_object();
    BOOST_TEST(field.at("type").as_string() == "boolean");
    BOOST_TEST(schema.at("properties").as_object().size() == 1u);
    BOOST_TEST(!form.contains("mode"));  // form mode is the default in every era that has elicitation
}

BOOST_AUTO_TEST_CASE(only_accept_with_yes_confirms)
{
    auto answer = [](std::string_view text) {
        auto const v = json::parse(text);
        return read_confirmation(&v);
    };
    BOOST_TEST((answer(R"({"action":"accept","content":{"confirm":true}})") == confirmation_answer::confirmed));
    BOOST_TEST((answer(R"({"action":"accept","content":{"confirm":false}})") == confirmation_answer::declined));
    BOOST_TEST((answer(R"({"action":"decline"})") == confirmation_answer::declined));
    BOOST_TEST((answer(R"({"action":"cancel"})") == confirmation_answer::cancelled));
    BOOST_TEST((answer(R"({"action":"accept","content":{"confirm":"true"}})") == confirmation_answer::unanswered));
    BOOST_TEST((answer(R"({"action":"accept"})") == confirmation_answer::unanswered));
    BOOST_TEST((answer(R"({"content":{"confirm":true}})") == confirmation_answer::unanswered));
    BOOST_TEST((answer(R"([true])") == confirmation_answer::unanswered));
    BOOST_TEST((read_confirmation(nullptr) == confirmation_answer::unanswered));
}

BOOST_AUTO_TEST_CASE(the_state_carries_the_question_and_the_key_comes_from_the_nonce)
{
    auto const state = confirmation_state("Refund $1.00?");
    BOOST_TEST(question_of_state(state).value_or("none") == "Refund $1.00?");
    BOOST_TEST(!question_of_state("something else").has_value());
    BOOST_TEST(!question_of_state("").has_value());
    auto const key = confirmed_idempotency_key("0123456789abcdef0123456789abcdef");
    BOOST_TEST(key == "justifi-mcp-confirmed-0123456789abcdef0123456789abcdef");
    BOOST_TEST(key.size() <= 255u);  // JustiFi's limit for Idempotency-Key
    BOOST_TEST(confirmed_idempotency_key("a") != confirmed_idempotency_key("b"));
}

BOOST_AUTO_TEST_CASE(policies_are_read_by_name)
{
    BOOST_TEST((parse_confirm_policy("auto") == confirm_policy::automatic));
    BOOST_TEST((parse_confirm_policy("required") == confirm_policy::required));
    BOOST_TEST((parse_confirm_policy("off") == confirm_policy::off));
    BOOST_TEST(!parse_confirm_policy("yes").has_value());
    BOOST_TEST(!parse_confirm_policy("").has_value());
    for (auto p : {confirm_policy::automatic, confirm_policy::required, confirm_policy::off})
        BOOST_TEST((parse_confirm_policy(to_string(p)) == p));
}

BOOST_AUTO_TEST_CASE(a_declined_call_says_so_in_both_forms)
{
    auto const content = declined_content("create_refund", "Refund $1.00?", confirmation_answer::cancelled);
    BOOST_TEST(content.at("confirmed").as_bool() == false);
    BOOST_TEST(content.at("answer").as_string() == "cancelled");
    BOOST_TEST(declined_text("Refund $1.00?", confirmation_answer::declined).find("no money moved") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
