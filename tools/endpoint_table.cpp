// The endpoint table: one entry per JustiFi operation a model may call. Adding a read-only
// endpoint is one read_tool(...) entry here; the generic endpoint tool does the rest.
#include "tools/answer_schemas.hpp"
#include "tools/endpoint_tool.hpp"
#include "tools/schema.hpp"

#include <boost/json/serialize.hpp>

#include <initializer_list>
#include <utility>

namespace justifi::tools {
namespace {

namespace http = boost::beast::http;
using namespace schema;

constexpr tool_annotations reads{.read_only = true, .destructive = false, .idempotent = true, .open_world = true};
constexpr tool_annotations moves_money{
    .read_only = false, .destructive = true, .idempotent = false, .open_world = true};
constexpr tool_annotations creates{.read_only = false, .destructive = false, .idempotent = false, .open_world = true};
constexpr tool_annotations updates{.read_only = false, .destructive = false, .idempotent = true, .open_world = true};

constexpr std::string_view paging_note =
    " Answers JustiFi's list envelope {data: [...], page_info: {has_next, has_previous, start_cursor, end_cursor}}. "
    "For the next page call again with after_cursor = page_info.end_cursor (while has_next is true); for the "
    "previous page pass before_cursor = page_info.start_cursor. limit is 1-100, default 25.";
constexpr std::string_view envelope_note = " Answers JustiFi's envelope {id, type, data}; the object is in data.";

// The path parameters, named as the original JustiFi MCP server names them.
struct subject {
    std::string_view argument;
    std::string_view noun;
    std::string_view example;  // empty: JustiFi documents no prefix
};
constexpr subject payment{"payment_id", "payment", "py_123xyz"};
constexpr subject refund{"refund_id", "refund", "re_123xyz"};
constexpr subject payout{"payout_id", "payout", "po_123xyz"};
constexpr subject proceeds{"proceed_id", "proceeds payout", ""};
constexpr subject balance_transaction{"balance_transaction_id", "balance transaction", ""};
constexpr subject dispute{"dispute_id", "dispute", "dp_123xyz"};
constexpr subject checkout{"checkout_id", "checkout", "cho_123xyz"};
constexpr subject group{"group_id", "payment method group", "pmg_123xyz"};
constexpr subject sub_account{sub_account_argument, "sub account", "acc_123xyz"};
constexpr subject terminal{"terminal_id", "terminal", "trm_123xyz"};
constexpr subject intent{"intent_id", "payment intent", "pi_123xyz"};

field id_of(subject const& s)
{
    std::string text = "The " + std::string(s.noun) + "'s id";
    text += s.example.empty() ? "." : ", e.g. " + std::string(s.example) + ".";
    return path_id(std::string(s.argument), text);
}

std::vector<field> payout_filters()
{
    return {opt("created_after", date_field("Only records created after this moment.")),
            opt("created_before", date_field("Only records created before this moment.")),
            opt("deposits_after", date_field("Only payouts depositing after this moment.")),
            opt("deposits_before", date_field("Only payouts depositing before this moment."))};
}

std::string listing(std::string_view text)
{
    return std::string(text) + std::string(paging_note);
}

std::string single(std::string_view text)
{
    return std::string(text) + std::string(envelope_note);
}

endpoint_tool read_tool(std::string name, std::string title, std::string description, std::string path,
                        std::string scope, json::object answer, json::object schema, body_shaper shape = nullptr)
{
    return {.name = std::move(name),
            .title = std::move(title),
            .description = std::move(description),
            .method = http::verb::get,
            .path_template = std::move(path),
            .scope = std::move(scope),
            .annotations = reads,
            .input_schema = std::move(schema),
            .output_schema_text = json::serialize(answer),
            .shape = shape};
}

endpoint_tool write_tool(http::verb method, std::string name, std::string title, std::string description,
                         std::string path, std::string scope, json::object answer, tool_annotations annotations,
                         json::object schema, bool needs_sub_account = false)
{
    return {.name = std::move(name),
            .title = std::move(title),
            .description = std::move(description),
            .method = method,
            .path_template = std::move(path),
            .scope = std::move(scope),
            .annotations = annotations,
            .input_schema = std::move(schema),
            .output_schema_text = json::serialize(answer),
            .needs_sub_account = needs_sub_account};
}

// Shapers for the tools that answer with a view of an endpoint's body.

json::object const* envelope_data(json::value const& body)
{
    auto const* envelope = body.if_object();
    auto const* data = envelope ? envelope->if_contains("data") : nullptr;
    return data ? data->if_object() : nullptr;
}

void copy_fields(json::object const& from, json::object& to, std::initializer_list<std::string_view> names)
{
    for (auto name : names)
        if (auto const* v = from.if_contains(name)) to[name] = *v;
}

// The OpenAPI has no GET /payments/{id}/refunds; a payment carries its refunds.
json::value payment_refunds(json::value const& body, json::object const& arguments)
{
    auto const* payment = envelope_data(body);
    if (!payment) return body;
    json::object out;
    out["payment_id"] = payment->contains("id") ? payment->at("id") : arguments.at("payment_id");
    copy_fields(*payment, out, {"amount", "amount_refunded", "amount_refundable", "currency", "refunded"});
    if (auto const* refunds = payment->if_contains("refunds"); refunds && refunds->is_array()) {
        out["refunds"] = *refunds;
    } else {
        out["refunds"] = json::array{};
        out["note"] =
            "JustiFi's payment record carried no refunds list; list_refunds shows every refund of the account";
    }
    return out;
}

json::value payout_status(json::value const& body, json::object const&)
{
    auto const* payout = envelope_data(body);
    if (!payout) return body;
    json::object out;
    copy_fields(*payout, out,
                {"id", "status", "amount", "currency", "deposits_at", "settlement_priority", "delivery_method",
                 "payout_type", "updated_at"});
    return out;
}

std::vector<endpoint_tool> build_endpoint_tools()
{
    using http::verb;
    std::vector<endpoint_tool> t;

    // payments
    t.push_back(read_tool(
        "list_payments", "List payments",
        listing("List the account's payments, optionally filtered by status, payment method or creation date. Each "
                "payment has its id (py_...), amount, amount_refunded and amount_refundable, currency, status, "
                "captured, payment_method (brand and last four only), description, metadata and timestamps. Use "
                "retrieve_payment when you already have the id." +
                std::string(amounts_note)),
        "/v1/payments", "payments:read", list_envelope(answers::payment()),
        list_schema(
            {opt("payment_status", enum_field("Only payments in this status.", {"succeeded", "failed", "pending",
                                                                                "authorized", "refunded", "disputed"})),
             opt("payment_method_id", id_field("Only payments made with this payment method (pm_...).")),
             opt("created_after", date_field("Only payments created after this moment.")),
             opt("created_before", date_field("Only payments created before this moment."))})));
    t.push_back(read_tool("retrieve_payment", "Get a payment",
                          single("Get one payment by id (py_...): amount, amount_refunded, amount_refundable, fees, "
                                 "status, captured, refunds, disputes, payment method (brand and last four only) and "
                                 "metadata." +
                                 std::string(amounts_note)),
                          "/v1/payments/{payment_id}", "payments:read", single_envelope(answers::payment()),
                          id_schema(id_of(payment))));
    t.push_back(write_tool(
        verb::patch, "update_payment", "Update a payment",
        single("Change a payment's description or metadata. Metadata replaces what is stored, so send all of it. "
               "Moves no money."),
        "/v1/payments/{payment_id}", "payments:write", single_envelope(answers::payment()), updates,
        id_schema(id_of(payment),
                  {opt("description", string_field("Your description, e.g. an order number.")),
                   opt("metadata", metadata_field("Your key-value data; replaces the stored metadata."))})));
    t.push_back(read_tool(
        "list_payment_balance_transactions", "List a payment's balance transactions",
        "List the balance transactions of one payment: each credit and debit (payment, fees, refunds, disputes) "
        "that changed what the account earned from it. Answers {data: [...]}." +
            std::string(amounts_note),
        "/v1/payments/{payment_id}/payment_balance_transactions", "payments:read",
        list_envelope(answers::payment_balance_transaction()), id_schema(id_of(payment))));

    // payments_create
    t.push_back(write_tool(
        verb::post, "create_payment", "Create a payment",
        single("Charge a saved payment method (its token, pm_...; this tool never takes card or bank numbers). "
               "MOVES MONEY: confirm amount, currency and payment method with the user first. capture_strategy "
               "automatic charges now; manual only authorizes, then call capture_payment (or void_payment). A "
               "declined card answers HTTP 402 with a decline code. Needs a Sub-Account (sub_account_id or the "
               "Sub-Account header)." +
               std::string(amounts_note)),
        "/v1/payments", "payments:write", single_envelope(answers::payment()), moves_money,
        tool_schema(
            {req("amount", amount_field("Amount to charge.")),
             req("currency", enum_field("Currency; JustiFi supports usd.", {"usd"})),
             req("capture_strategy", enum_field("How to charge: automatic authorizes and captures now; manual only "
                                                "authorizes (not for bank accounts).",
                                                {"automatic", "manual"})),
             req("payment_method", payment_method_token_field("The saved payment method to charge.")),
             opt("email", described({{"type", "string"}, {"maxLength", 254}},
                                    "Email address to associate with the payment method.")),
             opt("application_fee_amount",
                 amount_field("Platforms only: a custom application fee for this payment, instead of the "
                              "configured rates.")),
             opt("description", string_field("Your description, e.g. an order number.")),
             opt("statement_descriptor", statement_descriptor_field()),
             opt("metadata", metadata_field("Your key-value data to store with the payment.")),
             opt("expedited", described({{"type", json::array{"boolean", "null"}}},
                                        "Settlement priority; applies to bank account (ACH) payments only."))}),
        true));
    t.back().confirmation = &confirm_charge;
    t.push_back(write_tool(verb::post, "capture_payment", "Capture a payment",
                           single("Capture a payment authorized with capture_strategy manual, charging the payment "
                                  "method. MOVES MONEY. Fails with payment_already_captured if it was captured."),
                           "/v1/payments/{payment_id}/capture", "payments:write", single_envelope(answers::payment()),
                           moves_money, id_schema(id_of(payment))));
    t.back().confirmation = &confirm_capture;
    t.push_back(write_tool(verb::post, "void_payment", "Void a payment",
                           single("Void a card payment before it settles (within 25 minutes of the transaction), "
                                  "cancelling it. Irreversible. After that window, use create_refund."),
                           "/v1/payments/{payment_id}/void", "payments:write", single_envelope(answers::payment()),
                           moves_money, id_schema(id_of(payment))));
    t.back().confirmation = &confirm_void;

    // refunds
    t.push_back(read_tool("list_refunds", "List refunds",
                          listing("List the account's refunds: id (re_...), payment_id, amount, status, reason, "
                                  "description and timestamps." +
                                  std::string(amounts_note)),
                          "/v1/refunds", "refunds:read", list_envelope(answers::refund()), list_schema()));
    t.push_back(read_tool("retrieve_refund", "Get a refund",
                          single("Get one refund by id (re_...): payment_id, amount, status, reason, description, "
                                 "metadata." +
                                 std::string(amounts_note)),
                          "/v1/refunds/{refund_id}", "refunds:read", single_envelope(answers::refund()),
                          id_schema(id_of(refund))));
    t.push_back(read_tool("list_payment_refunds", "List a payment's refunds",
                          "List the refunds of one payment. Answers {payment_id, amount, amount_refunded, "
                          "amount_refundable, currency, refunded, refunds: [...]}; use it before create_refund to see "
                          "what is left to refund." +
                              std::string(amounts_note),
                          // JustiFi has no GET /payments/{payment_id}/refunds: read the payment and keep its refunds.
                          "/v1/payments/{payment_id}", "refunds:read", answers::payment_refunds(),
                          id_schema(id_of(payment)), payment_refunds));
    t.push_back(write_tool(
        verb::post, "create_refund", "Refund a payment",
        single("Refund all or part of a payment to its payment method. MOVES MONEY: confirm the amount with the user "
               "first. Several partial refunds may follow each other up to the payment's amount_refundable. Fails "
               "with HTTP 400 when the Sub-Account is not enabled." +
               std::string(amounts_note)),
        "/v1/payments/{payment_id}/refunds", "refunds:write", single_envelope(answers::refund()), moves_money,
        id_schema(
            path_id("payment_id", "The payment to refund, e.g. py_123xyz."),
            {opt("amount", amount_field("Amount to refund; at most the payment's amount_refundable.")),
             opt("reason", enum_field("Why the refund is issued.", {"duplicate", "fraudulent", "customer_request"})),
             opt("description", string_field("A note about this refund.")),
             opt("metadata", metadata_field("Your key-value data to store with the refund."))})));
    t.back().confirmation = &confirm_refund;

    // payouts
    t.push_back(read_tool("list_payouts", "List payouts",
                          listing("List payouts to the account's bank account, optionally by creation or deposit "
                                  "date: id (po_...), amount, status, deposits_at, payments_total, refunds_total, "
                                  "fees_total and counts." +
                                  std::string(amounts_note)),
                          "/v1/payouts", "payouts:read", list_envelope(answers::payout()),
                          list_schema(payout_filters())));
    t.push_back(read_tool(
        "retrieve_payout", "Get a payout",
        single("Get one payout by id (po_...) with its totals, bank account, status and "
               "deposits_at. To see what it contains, call list_balance_transactions with payout_id." +
               std::string(amounts_note)),
        "/v1/payouts/{payout_id}", "payouts:read", single_envelope(answers::payout()), id_schema(id_of(payout))));
    t.push_back(read_tool("get_payout_status", "Get a payout's status",
                          "Answer only the status facts of one payout: {id, status (paid, failed, forwarded, "
                          "scheduled, in_transit, canceled), amount, currency, deposits_at, settlement_priority, "
                          "delivery_method, payout_type, updated_at}. Use retrieve_payout for everything." +
                              std::string(amounts_note),
                          "/v1/payouts/{payout_id}", "payouts:read", answers::payout_status(), id_schema(id_of(payout)),
                          payout_status));
    t.push_back(read_tool("get_recent_payouts", "Recent payouts",
                          "The most recent payouts, 5 unless limit says otherwise (at most 25): a quick answer to "
                          "'when was I last paid'. Answers {data: [...], page_info}; page with after_cursor = "
                          "page_info.end_cursor, or use list_payouts to filter by date." +
                              std::string(amounts_note),
                          "/v1/payouts", "payouts:read", list_envelope(answers::payout()), list_schema({}, 5, 25)));

    // proceeds
    t.push_back(read_tool("list_proceeds", "List proceeds",
                          listing("List proceeds payouts (a platform's own earnings, e.g. application fees), "
                                  "optionally by creation or deposit date." +
                                  std::string(amounts_note)),
                          "/v1/proceeds", "proceeds:read", list_envelope(answers::proceed()),
                          list_schema(payout_filters())));
    t.push_back(read_tool("retrieve_proceed", "Get a proceeds payout",
                          single("Get one proceeds payout by id." + std::string(amounts_note)),
                          "/v1/proceeds/{proceed_id}", "proceeds:read", answers::proceed_answer(),
                          id_schema(id_of(proceeds))));

    // balances
    t.push_back(
        read_tool("list_balance_transactions", "List balance transactions",
                  listing("List the account's balance transactions (every credit and debit: payments, "
                          "refunds, fees, disputes, payouts); with payout_id, exactly what one payout "
                          "contains." +
                          std::string(amounts_note)),
                  "/v1/balance_transactions", "balances:read", list_envelope(answers::balance_transaction()),
                  list_schema({opt("payout_id", id_field("Only transactions paid out in this payout (po_...)."))})));
    t.push_back(read_tool("retrieve_balance_transaction", "Get a balance transaction",
                          single("Get one balance transaction by id." + std::string(amounts_note)),
                          "/v1/balance_transactions/{balance_transaction_id}", "balances:read",
                          single_envelope(answers::balance_transaction()), id_schema(id_of(balance_transaction))));

    // disputes
    t.push_back(read_tool("list_disputes", "List disputes",
                          listing("List chargebacks raised against the account's payments: id (dp_...), payment_id, "
                                  "amount, reason, status and due dates." +
                                  std::string(amounts_note)),
                          "/v1/disputes", "disputes:read", list_envelope(answers::dispute()), list_schema()));
    t.push_back(read_tool("retrieve_dispute", "Get a dispute",
                          single("Get one dispute by id (dp_...): the disputed payment, amount, reason, status and "
                                 "evidence deadline." +
                                 std::string(amounts_note)),
                          "/v1/disputes/{dispute_id}", "disputes:read", single_envelope(answers::dispute()),
                          id_schema(id_of(dispute))));

    // checkouts
    t.push_back(read_tool(
        "list_checkouts", "List checkouts",
        listing("List checkouts (hosted payment sessions): id (cho_...), amount, description, status and the "
                "payment that completed them." +
                std::string(amounts_note)),
        "/v1/checkouts", "checkouts:read", list_envelope(answers::checkout()),
        list_schema(
            {opt("status",
                 enum_field("Only checkouts in this status.", {"created", "completed", "attempted", "expired"})),
             opt("payment_mode", enum_field("Only checkouts completed this way.", {"bnpl", "ecom"})),
             opt("payment_status", string_field("Only checkouts whose payment has this status, e.g. succeeded."))})));
    t.push_back(read_tool("retrieve_checkout", "Get a checkout",
                          single("Get one checkout by id (cho_...): amount, status, completion attempts and the "
                                 "resulting payment." +
                                 std::string(amounts_note)),
                          "/v1/checkouts/{checkout_id}", "checkouts:read", single_envelope(answers::checkout()),
                          id_schema(id_of(checkout))));

    // checkouts_create
    t.push_back(write_tool(
        verb::post, "create_checkout", "Create a checkout",
        single("Create a checkout: a payment session a customer completes in JustiFi's justifi-checkout web "
               "component (see create_web_component_token and generate_unified_checkout_integration). Takes no "
               "money by itself. Needs a Sub-Account (sub_account_id or the Sub-Account header)." +
               std::string(amounts_note)),
        "/v1/checkouts", "checkouts:write", single_envelope(answers::checkout()), creates,
        tool_schema(
            {req("amount", amount_field("Amount to charge.")),
             req("description", string_field("Your description, e.g. an order number.")),
             opt("origin_url", string_field("Origin the web component is rendered on, e.g. "
                                            "https://shop.example.com; required for web component use.")),
             opt("payment_method_group_id", id_field("Payment method group whose saved methods the customer may use.")),
             opt("statement_descriptor", statement_descriptor_field()),
             opt("application_fees", application_fees_field()),
             opt("payment", nested_object("Overrides for the payment the checkout creates.",
                                          {opt("description", string_field("Description of the payment.")),
                                           opt("metadata", metadata_field("Metadata of the payment.")),
                                           opt("expedited", boolean_field("Expedited settlement (ACH only)."))}))}),
        true));
    t.push_back(write_tool(
        verb::patch, "update_checkout", "Update a checkout",
        single("Change an open checkout's amount, description, statement descriptor or application fees." +
               std::string(amounts_note)),
        "/v1/checkouts/{checkout_id}", "checkouts:write", single_envelope(answers::checkout()), updates,
        id_schema(id_of(checkout), {opt("amount", amount_field("New amount to charge.")),
                                    opt("description", string_field("Your description, e.g. an order number.")),
                                    opt("statement_descriptor", statement_descriptor_field()),
                                    opt("application_fees", application_fees_field())})));
    t.push_back(write_tool(
        verb::post, "complete_checkout", "Complete a checkout",
        single("Complete a checkout by charging a saved payment method token. MOVES MONEY: "
               "confirm with the user first. Usually the web component does this for the customer."),
        "/v1/checkouts/{checkout_id}/complete", "checkouts:write", single_envelope(answers::checkout_completion()),
        moves_money,
        id_schema(id_of(checkout), {req("payment_token", id_field("Payment method token (pm_...) to charge."))})));
    t.back().confirmation = &confirm_checkout_payment;
    // Scope: refunding moves money back, so it needs refunds:write rather than checkouts:write.
    t.push_back(write_tool(
        verb::post, "refund_checkout", "Refund a checkout",
        single("Refund all or part of a completed checkout's payment. MOVES MONEY: confirm the "
               "amount first. Without amount, the whole amount is refunded." +
               std::string(amounts_note)),
        "/v1/checkouts/{checkout_id}/refunds", "refunds:write", single_envelope(answers::checkout_refund()),
        moves_money,
        id_schema(id_of(checkout), {opt("amount", amount_field("Amount to refund; omit for the full amount.")),
                                    opt("currency", string_field("Currency; defaults to the checkout's."))})));
    t.back().confirmation = &confirm_checkout_refund;

    // payment_methods
    t.push_back(read_tool(
        "list_payment_methods", "List payment methods",
        listing("List saved (tokenized) payment methods: token (pm_...), card brand and last four or bank "
                "name and last four, customer and group. Never full numbers."),
        "/v1/payment_methods", "payment_methods:read", list_envelope(answers::payment_method()),
        list_schema({opt("payment_method_group_id", id_field("Only payment methods in this group.")),
                     opt("customer_id", id_field("Deprecated by JustiFi in favour of payment method groups: only "
                                                 "this customer's payment methods."))})));
    t.push_back(
        read_tool("retrieve_payment_method", "Get a payment method",
                  single("Get one saved payment method by its token (pm_...), with card BIN details (type, "
                         "issuer, country) when it is a card."),
                  "/v1/payment_methods/{payment_method_token}", "payment_methods:read",
                  single_envelope(answers::payment_method()),
                  tool_schema({path_id("payment_method_token", "The payment method's token, e.g. pm_123xyz.")})));

    // payment_method_groups
    t.push_back(read_tool("list_payment_method_groups", "List payment method groups",
                          listing("List payment method groups (sets of saved payment methods, e.g. one per customer)."),
                          "/v1/payment_method_groups", "payment_methods:read",
                          list_envelope(answers::payment_method_group()), list_schema()));
    t.push_back(read_tool("retrieve_payment_method_group", "Get a payment method group",
                          single("Get one payment method group by id with its payment methods."),
                          "/v1/payment_method_groups/{group_id}", "payment_methods:read",
                          single_envelope(answers::payment_method_group()), id_schema(id_of(group))));
    // The scope list has no payment_methods:write; group changes use payments:write.
    // The OpenAPI gives POST /payment_method_groups no request body.
    t.push_back(write_tool(verb::post, "create_payment_method_group", "Create a payment method group",
                           single("Create an empty payment method group; add payment methods with "
                                  "update_payment_method_group. Needs a Sub-Account."),
                           "/v1/payment_method_groups", "payments:write",
                           single_envelope(answers::payment_method_group()), creates, tool_schema({}), true));
    // payment_method_ids is the body's only field, so it is required here.
    t.push_back(write_tool(
        verb::patch, "update_payment_method_group", "Add payment methods to a group",
        single("Associate saved payment methods with a payment method group."), "/v1/payment_method_groups/{group_id}",
        "payments:write", answers::group_change_answer(), updates,
        id_schema(
            id_of(group),
            {req("payment_method_ids",
                 described({{"type", "array"}, {"minItems", 1}, {"items", id_field("Payment method token (pm_...).")}},
                           "Payment methods to associate with the group."))})));
    t.push_back(write_tool(
        verb::delete_, "remove_payment_method_from_group", "Remove a payment method from a group",
        single("Remove one payment method from a payment method group. The payment method itself "
               "stays saved."),
        "/v1/payment_method_groups/{group_id}/payment_methods/{payment_method_id}", "payments:write",
        answers::group_change_answer(), updates,
        tool_schema({id_of(group), path_id("payment_method_id", "The payment method to remove, e.g. pm_123xyz.")})));

    // sub_accounts
    t.push_back(read_tool("list_sub_accounts", "List sub accounts",
                          listing("List a platform's sub accounts (acc_...): name, status and related business."),
                          "/v1/sub_accounts", "sub_accounts:read", list_envelope(answers::sub_account()),
                          list_schema({opt("status", enum_field("Only sub accounts in this status.",
                                                                {"created", "submitted", "information_needed",
                                                                 "rejected", "enabled", "disabled", "archived"})),
                                       opt("business_id", id_field("Only sub accounts of this business."))})));
    t.push_back(read_tool("get_sub_account", "Get a sub account",
                          single("Get one sub account by id (acc_...): name, status, processing readiness."),
                          "/v1/sub_accounts/{sub_account_id}", "sub_accounts:read",
                          single_envelope(answers::sub_account()), id_schema(id_of(sub_account))));
    t.push_back(read_tool("get_sub_account_payout_account", "Get a sub account's payout account",
                          single("Get the bank account a sub account is currently paid out to (bank name and last "
                                 "four only)."),
                          "/v1/sub_accounts/{sub_account_id}/payout_account", "sub_accounts:read",
                          single_envelope(answers::payout_bank_account()), id_schema(id_of(sub_account))));
    t.push_back(read_tool("get_sub_account_settings", "Get a sub account's settings",
                          single("Get a sub account's payment and payout settings (fee rates, payout schedule)."),
                          "/v1/sub_accounts/{sub_account_id}/settings", "sub_accounts:read",
                          single_envelope(answers::sub_account_settings()), id_schema(id_of(sub_account))));

    // terminals
    t.push_back(read_tool(
        "list_terminals", "List terminals",
        listing("List card-present terminals: id (trm_...), nickname, status, provider and verification."),
        "/v1/terminals", "terminals:read", list_envelope(answers::terminal()),
        list_schema({opt("status", enum_field("Only terminals in this status.",
                                              {"connected", "disconnected", "unknown", "pending_configuration"})),
                     opt("terminal_id", id_field("Only this terminal.")),
                     opt("provider_id",
                         bounded_string("Only terminals with these provider (device) ids, comma separated.", 1, 1024)),
                     opt("terminal_order_id", id_field("Only terminals of this order.")),
                     opt("verified_after", date_field("Only terminals verified after this moment.")),
                     opt("verified_before", date_field("Only terminals verified before this moment.")),
                     opt("verified_on", date_field("Only terminals verified on this day."))})));
    t.push_back(read_tool("retrieve_terminal", "Get a terminal", single("Get one terminal by id (trm_...)."),
                          "/v1/terminals/{terminal_id}", "terminals:read", single_envelope(answers::terminal()),
                          id_schema(id_of(terminal))));
    t.push_back(read_tool("get_terminal_status", "Get a terminal's status",
                          single("Get whether a terminal is connected, disconnected or pending configuration."),
                          "/v1/terminals/{terminal_id}/status", "terminals:read",
                          single_envelope(answers::terminal_status()), id_schema(id_of(terminal))));
    // Terminal changes have no scope of their own (terminals:read only); they use payments:write.
    t.push_back(write_tool(verb::patch, "update_terminal", "Rename a terminal", single("Change a terminal's nickname."),
                           "/v1/terminals/{terminal_id}", "payments:write", single_envelope(answers::terminal()),
                           updates,
                           id_schema(id_of(terminal), {req("nickname", bounded_string("The new nickname.", 1, 255))})));
    t.push_back(write_tool(verb::post, "identify_terminal", "Identify a terminal",
                           "Ask a terminal to show its nickname or serial number on its screen for 20 seconds, so "
                           "someone can find it. JustiFi answers with no content.",
                           "/v1/terminals/{terminal_id}/identify", "payments:write", answers::done(), updates,
                           id_schema(id_of(terminal))));
    t.back().done_text =
        "The terminal was asked to identify itself: it shows its nickname or serial number on its "
        "screen for 20 seconds.";

    // payment_intents: JustiFi now recommends checkouts for new integrations.
    t.push_back(write_tool(
        verb::post, "create_payment_intent", "Create a payment intent",
        single("Create a payment intent (JustiFi's older flow; prefer create_checkout). Takes no money until "
               "capture_payment_intent. Needs a Sub-Account." +
               std::string(amounts_note)),
        "/v1/payment_intents", "payments:write", answers::payment_intent_answer(), creates,
        tool_schema({req("amount", amount_field("Amount to charge.")),
                     req("currency", enum_field("Currency; JustiFi supports usd.", {"usd"})),
                     opt("description", string_field("Your description, e.g. an order number.")),
                     opt("metadata", metadata_field("Your key-value data to store with the payment intent."))}),
        true));
    t.push_back(read_tool(
        "list_payment_intents", "List payment intents",
        listing("List payment intents (pi_...) with amount, status and payment method." + std::string(amounts_note)),
        "/v1/payment_intents", "payments:read", list_envelope(answers::payment_intent()), list_schema()));
    t.push_back(read_tool("retrieve_payment_intent", "Get a payment intent",
                          single("Get one payment intent by id (pi_...)." + std::string(amounts_note)),
                          "/v1/payment_intents/{intent_id}", "payments:read", answers::payment_intent_answer(),
                          id_schema(id_of(intent))));
    t.push_back(write_tool(
        verb::patch, "update_payment_intent", "Update a payment intent",
        single("Change a payment intent's description or metadata, and while it is requires_payment_method or "
               "pending, its amount or payment method token. Moves no money." +
               std::string(amounts_note)),
        "/v1/payment_intents/{intent_id}", "payments:write", answers::payment_intent_answer(), updates,
        id_schema(id_of(intent), {opt("description", string_field("Your description, e.g. an order number.")),
                                  opt("metadata", metadata_field("Your key-value data; replaces the stored metadata.")),
                                  opt("payment_method", payment_method_token_field("The saved payment method to use.")),
                                  opt("amount", amount_field("New amount."))})));
    t.push_back(write_tool(
        verb::post, "capture_payment_intent", "Capture a payment intent",
        single("Charge a payment intent's payment method, creating a payment. MOVES MONEY: "
               "confirm with the user first. Pass payment_method unless one is already attached."),
        "/v1/payment_intents/{intent_id}/capture", "payments:write", answers::payment_intent_answer(), moves_money,
        id_schema(id_of(intent),
                  {opt("payment_method", payment_method_token_field("The saved payment method to charge."))})));
    t.back().confirmation = &confirm_intent_capture;
    t.push_back(read_tool(
        "list_payment_intent_payments", "List a payment intent's payments",
        "List the payments created from one payment intent. Answers {data: [...]}." + std::string(amounts_note),
        "/v1/payment_intents/{intent_id}/payments", "payments:read", list_envelope(answers::payment()),
        id_schema(id_of(intent))));

    // code_generators (the API part; the generator itself makes no call)
    t.push_back(write_tool(
        verb::post, "create_web_component_token", "Create a web component token",
        "Create a short-lived (60 minutes) token that lets a browser render JustiFi web components for the named "
        "resources, e.g. [\"write:checkout:cho_123\", \"write:tokenize:acc_123\"] for justifi-checkout. Answers "
        "{access_token}: pass it as the component's auth-token. Never show it in logs.",
        "/v1/web_component_tokens", "checkouts:write", answers::web_component_token(), creates,
        tool_schema({req("resources",
                         described({{"type", "array"},
                                    {"minItems", 1},
                                    {"maxItems", 20},
                                    {"items", described({{"type", "string"},
                                                         {"pattern", "^(read|write):[a-z_]+:[A-Za-z0-9_-]{1,128}$"}},
                                                        "One role:resource:id, e.g. write:checkout:cho_123.")}},
                                   "Roles the token grants, each role:resource:id."))})));
    return t;
}

}  // namespace

std::span<endpoint_tool const> justifi_endpoint_tools()
{
    static std::vector<endpoint_tool> const table = build_endpoint_tools();
    return table;
}

}  // namespace justifi::tools
