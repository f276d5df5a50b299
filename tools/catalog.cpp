#include "tools/catalog.hpp"

#include "tools/schema_validator.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <utility>

namespace justifi::tools {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

constexpr std::string_view id_pattern = "^[A-Za-z0-9_-]{1,128}$";
constexpr std::string_view date_pattern =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$";
constexpr std::string_view sub_account_argument = "sub_account_id";

constexpr tool_annotations reads{.read_only = true, .destructive = false, .idempotent = true, .open_world = true};
constexpr tool_annotations moves_money{
    .read_only = false, .destructive = true, .idempotent = false, .open_world = true};
constexpr tool_annotations creates{.read_only = false, .destructive = false, .idempotent = false, .open_world = true};
constexpr tool_annotations updates{.read_only = false, .destructive = false, .idempotent = true, .open_world = true};

constexpr std::string_view amounts_note = " Amounts are integers in minor units (cents): 1050 means $10.50.";
constexpr std::string_view paging_note =
    " Answers JustiFi's list envelope {data: [...], page_info: {has_next, has_previous, start_cursor, end_cursor}}. "
    "For the next page call again with after_cursor = page_info.end_cursor (while has_next is true); for the "
    "previous page pass before_cursor = page_info.start_cursor. limit is 1-100, default 25.";
constexpr std::string_view envelope_note = " Answers JustiFi's envelope {id, type, data}; the object is in data.";

// Schema building blocks. Every property says what it holds, so the model need not guess.

json::object described(json::object schema, std::string_view description)
{
    schema["description"] = description;
    return schema;
}

json::object string_field(std::string_view description)
{
    return described({{"type", "string"}}, description);
}

json::object bounded_string(std::string_view description, std::int64_t min_length, std::int64_t max_length)
{
    return described({{"type", "string"}, {"minLength", min_length}, {"maxLength", max_length}}, description);
}

json::object id_field(std::string_view description)
{
    return described({{"type", "string"}, {"pattern", id_pattern}}, description);
}

json::object enum_field(std::string_view description, std::initializer_list<std::string_view> values)
{
    json::array options;
    for (auto v : values) options.emplace_back(v);
    return described({{"type", "string"}, {"enum", std::move(options)}}, description);
}

json::object amount_field(std::string_view description)
{
    return described({{"type", "integer"}, {"minimum", 1}, {"maximum", 99'999'999}},
                     std::string(description) + " Integer in minor units (cents): 1050 is $10.50.");
}

json::object date_field(std::string_view description)
{
    return described({{"type", "string"}, {"pattern", date_pattern}},
                     std::string(description) + " UTC date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z.");
}

// JustiFi stores metadata as given; what a model may send is bounded, so a call cannot carry a
// megabyte or a fifty-level tree to JustiFi: 50 entries, each a scalar or one level of 20 scalars,
// names up to 100 and strings up to 500 characters.
json::object metadata_field(std::string_view description)
{
    json::object const name_limit{{"maxLength", 100}};
    json::object const scalar{{"type", json::array{"string", "number", "boolean", "null"}}, {"maxLength", 500}};
    json::object const entry{{"type", json::array{"string", "number", "boolean", "null", "object", "array"}},
                             {"maxLength", 500},
                             {"maxProperties", 20},
                             {"propertyNames", name_limit},
                             {"additionalProperties", scalar},
                             {"maxItems", 20},
                             {"items", scalar}};
    return described({{"type", "object"},
                      {"maxProperties", 50},
                      {"propertyNames", name_limit},
                      {"additionalProperties", entry}},
                     std::string(description) +
                         " At most 50 entries; each a string (up to 500 characters), number, boolean or null, or "
                         "an object or array of up to 20 of those.");
}

json::object boolean_field(std::string_view description)
{
    return described({{"type", "boolean"}}, description);
}

struct field {
    std::string name;
    json::object schema;
    bool required = false;
};

field req(std::string name, json::object schema)
{
    return {std::move(name), std::move(schema), true};
}

field opt(std::string name, json::object schema)
{
    return {std::move(name), std::move(schema), false};
}

// An object that accepts exactly these fields: tool arguments and JustiFi's nested request objects.
json::object closed_object(std::vector<field> fields)
{
    json::object properties;
    json::array required;
    for (auto& f : fields) {
        if (f.required) required.emplace_back(f.name);
        properties[f.name] = std::move(f.schema);
    }
    json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) schema["required"] = std::move(required);
    schema["additionalProperties"] = false;
    return schema;
}

json::object nested_object(std::string_view description, std::vector<field> fields)
{
    return described(closed_object(std::move(fields)), description);
}

// JustiFi also accepts raw card and bank numbers here; this server never does: only a
// tokenized payment method (PCI scope stays with JustiFi's hosted fields).
json::object payment_method_token_field(std::string_view description)
{
    return nested_object(description,
                         {req("token", id_field("Payment method token, e.g. pm_123xyz (see list_payment_methods)."))});
}

json::object application_fees_field()
{
    return nested_object(
        "Platforms only: custom application fees instead of the configured rates (not for BNPL).",
        {opt("card",
             nested_object("Custom fee for card payments.", {opt("amount", amount_field("Fee for card payments."))})),
         opt("bank_account", nested_object("Custom fee for bank account payments.",
                                           {opt("amount", amount_field("Fee for bank account payments."))}))});
}

json::object statement_descriptor_field()
{
    return bounded_string("Text on the customer's bank statement: 5-22 letters and digits, '-' or '_'.", 5, 22);
}

// Path parameters are required and restricted to id characters (build_path checks again).
field path_id(std::string name, std::string_view description)
{
    return req(std::move(name), id_field(description));
}

// The shape every tool schema has: an object, no unknown arguments, and the Sub-Account override.
json::object tool_schema(std::vector<field> fields)
{
    fields.push_back(opt(std::string(sub_account_argument),
                         id_field("Sub-Account id (acc_...) the call applies to; defaults to the Sub-Account header of "
                                  "this MCP connection, if any.")));
    return closed_object(std::move(fields));
}

json::object id_schema(std::string_view what, std::vector<field> extra = {})
{
    extra.insert(extra.begin(), path_id("id", "The " + std::string(what) + " id."));
    return tool_schema(std::move(extra));
}

json::object list_schema(std::vector<field> filters = {}, std::int64_t default_limit = 25, std::int64_t max_limit = 100)
{
    filters.push_back(opt(
        "limit", described({{"type", "integer"}, {"minimum", 1}, {"maximum", max_limit}, {"default", default_limit}},
                           "How many records to return (1-" + std::to_string(max_limit) + ", default " +
                               std::to_string(default_limit) + ").")));
    filters.push_back(
        opt("after_cursor", bounded_string("Next page: page_info.end_cursor of the previous answer.", 1, 1024)));
    filters.push_back(
        opt("before_cursor", bounded_string("Previous page: page_info.start_cursor of the previous answer.", 1, 1024)));
    auto schema = tool_schema(std::move(filters));
    schema["not"] = json::object{{"required", json::array{"after_cursor", "before_cursor"}}};
    return schema;
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
                        std::string scope, json::object schema, body_shaper shape = nullptr)
{
    return {.name = std::move(name),
            .title = std::move(title),
            .description = std::move(description),
            .method = http::verb::get,
            .path_template = std::move(path),
            .scope = std::move(scope),
            .annotations = reads,
            .input_schema = std::move(schema),
            .shape = shape};
}

endpoint_tool write_tool(http::verb method, std::string name, std::string title, std::string description,
                         std::string path, std::string scope, tool_annotations annotations, json::object schema,
                         bool needs_sub_account = false)
{
    return {.name = std::move(name),
            .title = std::move(title),
            .description = std::move(description),
            .method = method,
            .path_template = std::move(path),
            .scope = std::move(scope),
            .annotations = annotations,
            .input_schema = std::move(schema),
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
    out["payment_id"] = payment->contains("id") ? payment->at("id") : arguments.at("id");
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
        "/v1/payments", "payments:read",
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
                          "/v1/payments/{id}", "payments:read", id_schema("payment (py_...)")));
    t.push_back(write_tool(
        verb::patch, "update_payment", "Update a payment",
        single("Change a payment's description or metadata. Metadata replaces what is stored, so send all of it. "
               "Moves no money."),
        "/v1/payments/{id}", "payments:write", updates,
        id_schema("payment (py_...)",
                  {opt("description", string_field("Your description, e.g. an order number.")),
                   opt("metadata", metadata_field("Your key-value data; replaces the stored metadata."))})));
    t.push_back(read_tool(
        "list_payment_balance_transactions", "List a payment's balance transactions",
        "List the balance transactions of one payment: each credit and debit (payment, fees, refunds, disputes) "
        "that changed what the account earned from it. Answers {data: [...]}." +
            std::string(amounts_note),
        "/v1/payments/{id}/payment_balance_transactions", "payments:read", id_schema("payment (py_...)")));

    // payments_create
    t.push_back(write_tool(
        verb::post, "create_payment", "Create a payment",
        single("Charge a saved payment method (its token, pm_...; this tool never takes card or bank numbers). "
               "MOVES MONEY: confirm amount, currency and payment method with the user first. capture_strategy "
               "automatic charges now; manual only authorizes, then call capture_payment (or void_payment). A "
               "declined card answers HTTP 402 with a decline code. Needs a Sub-Account (sub_account_id or the "
               "Sub-Account header)." +
               std::string(amounts_note)),
        "/v1/payments", "payments:write", moves_money,
        tool_schema({req("amount", amount_field("Amount to charge.")),
                     req("currency", enum_field("Currency; JustiFi supports usd.", {"usd"})),
                     req("capture_strategy", enum_field("automatic: authorize and capture now; manual: authorize only "
                                                        "(not for bank accounts).",
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
    t.push_back(write_tool(verb::post, "capture_payment", "Capture a payment",
                           single("Capture a payment authorized with capture_strategy manual, charging the payment "
                                  "method. MOVES MONEY. Fails with payment_already_captured if it was captured."),
                           "/v1/payments/{id}/capture", "payments:write", moves_money, id_schema("payment (py_...)")));
    t.push_back(write_tool(verb::post, "void_payment", "Void a payment",
                           single("Void a card payment before it settles (within 25 minutes of the transaction), "
                                  "cancelling it. Irreversible. After that window, use create_refund."),
                           "/v1/payments/{id}/void", "payments:write", moves_money, id_schema("payment (py_...)")));

    // refunds
    t.push_back(read_tool("list_refunds", "List refunds",
                          listing("List the account's refunds: id (re_...), payment_id, amount, status, reason, "
                                  "description and timestamps." +
                                  std::string(amounts_note)),
                          "/v1/refunds", "refunds:read", list_schema()));
    t.push_back(read_tool("retrieve_refund", "Get a refund",
                          single("Get one refund by id (re_...): payment_id, amount, status, reason, description, "
                                 "metadata." +
                                 std::string(amounts_note)),
                          "/v1/refunds/{id}", "refunds:read", id_schema("refund (re_...)")));
    t.push_back(read_tool("list_payment_refunds", "List a payment's refunds",
                          "List the refunds of one payment. Answers {payment_id, amount, amount_refunded, "
                          "amount_refundable, currency, refunded, refunds: [...]}; use it before create_refund to see "
                          "what is left to refund." +
                              std::string(amounts_note),
                          // JustiFi has no GET /payments/{id}/refunds: read the payment and keep its refunds.
                          "/v1/payments/{id}", "refunds:read", id_schema("payment (py_...)"), payment_refunds));
    t.push_back(write_tool(
        verb::post, "create_refund", "Refund a payment",
        single("Refund all or part of a payment to its payment method. MOVES MONEY: confirm the amount with the user "
               "first. Several partial refunds may follow each other up to the payment's amount_refundable. Fails "
               "with HTTP 400 when the Sub-Account is not enabled." +
               std::string(amounts_note)),
        "/v1/payments/{id}/refunds", "refunds:write", moves_money,
        id_schema(
            "payment (py_...) to refund",
            {opt("amount", amount_field("Amount to refund; at most the payment's amount_refundable.")),
             opt("reason", enum_field("Why the refund is issued.", {"duplicate", "fraudulent", "customer_request"})),
             opt("description", string_field("A note about this refund.")),
             opt("metadata", metadata_field("Your key-value data to store with the refund."))})));

    // payouts
    t.push_back(read_tool("list_payouts", "List payouts",
                          listing("List payouts to the account's bank account, optionally by creation or deposit "
                                  "date: id (po_...), amount, status, deposits_at, payments_total, refunds_total, "
                                  "fees_total and counts." +
                                  std::string(amounts_note)),
                          "/v1/payouts", "payouts:read", list_schema(payout_filters())));
    t.push_back(
        read_tool("retrieve_payout", "Get a payout",
                  single("Get one payout by id (po_...) with its totals, bank account, status and "
                         "deposits_at. To see what it contains, call list_balance_transactions with payout_id." +
                         std::string(amounts_note)),
                  "/v1/payouts/{id}", "payouts:read", id_schema("payout (po_...)")));
    t.push_back(read_tool("get_payout_status", "Get a payout's status",
                          "Answer only the status facts of one payout: {id, status (paid, failed, forwarded, "
                          "scheduled, in_transit, canceled), amount, currency, deposits_at, settlement_priority, "
                          "delivery_method, payout_type, updated_at}. Use retrieve_payout for everything." +
                              std::string(amounts_note),
                          "/v1/payouts/{id}", "payouts:read", id_schema("payout (po_...)"), payout_status));
    t.push_back(read_tool("get_recent_payouts", "Recent payouts",
                          "The most recent payouts, 5 unless limit says otherwise (at most 25): a quick answer to "
                          "'when was I last paid'. Answers {data: [...], page_info}; page with after_cursor = "
                          "page_info.end_cursor, or use list_payouts to filter by date." +
                              std::string(amounts_note),
                          "/v1/payouts", "payouts:read", list_schema({}, 5, 25)));

    // proceeds
    t.push_back(read_tool("list_proceeds", "List proceeds",
                          listing("List proceeds payouts (a platform's own earnings, e.g. application fees), "
                                  "optionally by creation or deposit date." +
                                  std::string(amounts_note)),
                          "/v1/proceeds", "proceeds:read", list_schema(payout_filters())));
    t.push_back(read_tool("retrieve_proceed", "Get a proceeds payout",
                          single("Get one proceeds payout by id." + std::string(amounts_note)), "/v1/proceeds/{id}",
                          "proceeds:read", id_schema("proceeds payout")));

    // balances
    t.push_back(
        read_tool("list_balance_transactions", "List balance transactions",
                  listing("List the account's balance transactions (every credit and debit: payments, "
                          "refunds, fees, disputes, payouts); with payout_id, exactly what one payout "
                          "contains." +
                          std::string(amounts_note)),
                  "/v1/balance_transactions", "balances:read",
                  list_schema({opt("payout_id", id_field("Only transactions paid out in this payout (po_...)."))})));
    t.push_back(read_tool("retrieve_balance_transaction", "Get a balance transaction",
                          single("Get one balance transaction by id." + std::string(amounts_note)),
                          "/v1/balance_transactions/{id}", "balances:read", id_schema("balance transaction")));

    // disputes
    t.push_back(read_tool("list_disputes", "List disputes",
                          listing("List chargebacks raised against the account's payments: id (dp_...), payment_id, "
                                  "amount, reason, status and due dates." +
                                  std::string(amounts_note)),
                          "/v1/disputes", "disputes:read", list_schema()));
    t.push_back(read_tool("retrieve_dispute", "Get a dispute",
                          single("Get one dispute by id (dp_...): the disputed payment, amount, reason, status and "
                                 "evidence deadline." +
                                 std::string(amounts_note)),
                          "/v1/disputes/{id}", "disputes:read", id_schema("dispute (dp_...)")));

    // checkouts
    t.push_back(read_tool(
        "list_checkouts", "List checkouts",
        listing("List checkouts (hosted payment sessions): id (cho_...), amount, description, status and the "
                "payment that completed them." +
                std::string(amounts_note)),
        "/v1/checkouts", "checkouts:read",
        list_schema(
            {opt("status",
                 enum_field("Only checkouts in this status.", {"created", "completed", "attempted", "expired"})),
             opt("payment_mode", enum_field("Only checkouts completed this way.", {"bnpl", "ecom"})),
             opt("payment_status", string_field("Only checkouts whose payment has this status, e.g. succeeded."))})));
    t.push_back(read_tool("retrieve_checkout", "Get a checkout",
                          single("Get one checkout by id (cho_...): amount, status, completion attempts and the "
                                 "resulting payment." +
                                 std::string(amounts_note)),
                          "/v1/checkouts/{id}", "checkouts:read", id_schema("checkout (cho_...)")));

    // checkouts_create
    t.push_back(write_tool(
        verb::post, "create_checkout", "Create a checkout",
        single("Create a checkout: a payment session a customer completes in JustiFi's justifi-checkout web "
               "component (see create_web_component_token and generate_unified_checkout_integration). Takes no "
               "money by itself. Needs a Sub-Account (sub_account_id or the Sub-Account header)." +
               std::string(amounts_note)),
        "/v1/checkouts", "checkouts:write", creates,
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
        "/v1/checkouts/{id}", "checkouts:write", updates,
        id_schema("checkout (cho_...)", {opt("amount", amount_field("New amount to charge.")),
                                         opt("description", string_field("Your description, e.g. an order number.")),
                                         opt("statement_descriptor", statement_descriptor_field()),
                                         opt("application_fees", application_fees_field())})));
    t.push_back(write_tool(
        verb::post, "complete_checkout", "Complete a checkout",
        single("Complete a checkout by charging a saved payment method token. MOVES MONEY: "
               "confirm with the user first. Usually the web component does this for the customer."),
        "/v1/checkouts/{id}/complete", "checkouts:write", moves_money,
        id_schema("checkout (cho_...)", {req("payment_token", id_field("Payment method token (pm_...) to charge."))})));
    // Scope: refunding moves money back, so it needs refunds:write rather than checkouts:write.
    t.push_back(write_tool(
        verb::post, "refund_checkout", "Refund a checkout",
        single("Refund all or part of a completed checkout's payment. MOVES MONEY: confirm the "
               "amount first. Without amount, the whole amount is refunded." +
               std::string(amounts_note)),
        "/v1/checkouts/{id}/refunds", "refunds:write", moves_money,
        id_schema("checkout (cho_...)", {opt("amount", amount_field("Amount to refund; omit for the full amount.")),
                                         opt("currency", string_field("Currency; defaults to the checkout's."))})));

    // payment_methods
    t.push_back(read_tool(
        "list_payment_methods", "List payment methods",
        listing("List saved (tokenized) payment methods: token (pm_...), card brand and last four or bank "
                "name and last four, customer and group. Never full numbers."),
        "/v1/payment_methods", "payment_methods:read",
        list_schema({opt("payment_method_group_id", id_field("Only payment methods in this group.")),
                     opt("customer_id", id_field("Deprecated by JustiFi in favour of payment method groups: only "
                                                 "this customer's payment methods."))})));
    t.push_back(read_tool("retrieve_payment_method", "Get a payment method",
                          single("Get one saved payment method by its token (pm_...), with card BIN details (type, "
                                 "issuer, country) when it is a card."),
                          "/v1/payment_methods/{token}", "payment_methods:read",
                          tool_schema({path_id("token", "The payment method token (pm_...).")})));

    // payment_method_groups
    t.push_back(read_tool("list_payment_method_groups", "List payment method groups",
                          listing("List payment method groups (sets of saved payment methods, e.g. one per customer)."),
                          "/v1/payment_method_groups", "payment_methods:read", list_schema()));
    t.push_back(read_tool("retrieve_payment_method_group", "Get a payment method group",
                          single("Get one payment method group by id with its payment methods."),
                          "/v1/payment_method_groups/{id}", "payment_methods:read", id_schema("payment method group")));
    // The scope list has no payment_methods:write; group changes use payments:write.
    // The OpenAPI gives POST /payment_method_groups no request body.
    t.push_back(write_tool(verb::post, "create_payment_method_group", "Create a payment method group",
                           single("Create an empty payment method group; add payment methods with "
                                  "update_payment_method_group. Needs a Sub-Account."),
                           "/v1/payment_method_groups", "payments:write", creates, tool_schema({}), true));
    // payment_method_ids is the body's only field, so it is required here.
    t.push_back(write_tool(
        verb::patch, "update_payment_method_group", "Add payment methods to a group",
        single("Associate saved payment methods with a payment method group."), "/v1/payment_method_groups/{id}",
        "payments:write", updates,
        id_schema(
            "payment method group",
            {req("payment_method_ids",
                 described({{"type", "array"}, {"minItems", 1}, {"items", id_field("Payment method token (pm_...).")}},
                           "Payment methods to associate with the group."))})));
    t.push_back(write_tool(verb::delete_, "remove_payment_method_from_group", "Remove a payment method from a group",
                           single("Remove one payment method from a payment method group. The payment method itself "
                                  "stays saved."),
                           "/v1/payment_method_groups/{id}/payment_methods/{payment_method_id}", "payments:write",
                           updates,
                           tool_schema({path_id("id", "The payment method group id."),
                                        path_id("payment_method_id", "The payment method (pm_...) to remove.")})));

    // sub_accounts
    t.push_back(read_tool("list_sub_accounts", "List sub accounts",
                          listing("List a platform's sub accounts (acc_...): name, status and related business."),
                          "/v1/sub_accounts", "sub_accounts:read",
                          list_schema({opt("status", enum_field("Only sub accounts in this status.",
                                                                {"created", "submitted", "information_needed",
                                                                 "rejected", "enabled", "disabled", "archived"})),
                                       opt("business_id", id_field("Only sub accounts of this business."))})));
    t.push_back(read_tool("get_sub_account", "Get a sub account",
                          single("Get one sub account by id (acc_...): name, status, processing readiness."),
                          "/v1/sub_accounts/{id}", "sub_accounts:read", id_schema("sub account (acc_...)")));
    t.push_back(read_tool("get_sub_account_payout_account", "Get a sub account's payout account",
                          single("Get the bank account a sub account is currently paid out to (bank name and last "
                                 "four only)."),
                          "/v1/sub_accounts/{id}/payout_account", "sub_accounts:read",
                          id_schema("sub account (acc_...)")));
    t.push_back(read_tool("get_sub_account_settings", "Get a sub account's settings",
                          single("Get a sub account's payment and payout settings (fee rates, payout schedule)."),
                          "/v1/sub_accounts/{id}/settings", "sub_accounts:read", id_schema("sub account (acc_...)")));

    // terminals
    t.push_back(read_tool(
        "list_terminals", "List terminals",
        listing("List card-present terminals: id (trm_...), nickname, status, provider and verification."),
        "/v1/terminals", "terminals:read",
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
                          "/v1/terminals/{id}", "terminals:read", id_schema("terminal (trm_...)")));
    t.push_back(read_tool("get_terminal_status", "Get a terminal's status",
                          single("Get whether a terminal is connected, disconnected or pending configuration."),
                          "/v1/terminals/{id}/status", "terminals:read", id_schema("terminal (trm_...)")));
    // Terminal changes have no scope of their own (terminals:read only); they use payments:write.
    t.push_back(
        write_tool(verb::patch, "update_terminal", "Rename a terminal", single("Change a terminal's nickname."),
                   "/v1/terminals/{id}", "payments:write", updates,
                   id_schema("terminal (trm_...)", {req("nickname", bounded_string("The new nickname.", 1, 255))})));
    t.push_back(write_tool(verb::post, "identify_terminal", "Identify a terminal",
                           "Ask a terminal to show its nickname or serial number on its screen for 20 seconds, so "
                           "someone can find it. JustiFi answers with no content.",
                           "/v1/terminals/{id}/identify", "payments:write", updates, id_schema("terminal (trm_...)")));
    t.back().done_text =
        "The terminal was asked to identify itself: it shows its nickname or serial number on its "
        "screen for 20 seconds.";

    // payment_intents: JustiFi now recommends checkouts for new integrations.
    t.push_back(write_tool(
        verb::post, "create_payment_intent", "Create a payment intent",
        single("Create a payment intent (JustiFi's older flow; prefer create_checkout). Takes no money until "
               "capture_payment_intent. Needs a Sub-Account." +
               std::string(amounts_note)),
        "/v1/payment_intents", "payments:write", creates,
        tool_schema({req("amount", amount_field("Amount to charge.")),
                     req("currency", enum_field("Currency; JustiFi supports usd.", {"usd"})),
                     opt("description", string_field("Your description, e.g. an order number.")),
                     opt("metadata", metadata_field("Your key-value data to store with the payment intent."))}),
        true));
    t.push_back(read_tool(
        "list_payment_intents", "List payment intents",
        listing("List payment intents (pi_...) with amount, status and payment method." + std::string(amounts_note)),
        "/v1/payment_intents", "payments:read", list_schema()));
    t.push_back(read_tool("retrieve_payment_intent", "Get a payment intent",
                          single("Get one payment intent by id (pi_...)." + std::string(amounts_note)),
                          "/v1/payment_intents/{id}", "payments:read", id_schema("payment intent (pi_...)")));
    t.push_back(write_tool(
        verb::patch, "update_payment_intent", "Update a payment intent",
        single("Change a payment intent's description or metadata, and while it is requires_payment_method or "
               "pending, its amount or payment method token. Moves no money." +
               std::string(amounts_note)),
        "/v1/payment_intents/{id}", "payments:write", updates,
        id_schema("payment intent (pi_...)",
                  {opt("description", string_field("Your description, e.g. an order number.")),
                   opt("metadata", metadata_field("Your key-value data; replaces the stored metadata.")),
                   opt("payment_method", payment_method_token_field("The saved payment method to use.")),
                   opt("amount", amount_field("New amount."))})));
    t.push_back(write_tool(
        verb::post, "capture_payment_intent", "Capture a payment intent",
        single("Charge a payment intent's payment method, creating a payment. MOVES MONEY: "
               "confirm with the user first. Pass payment_method unless one is already attached."),
        "/v1/payment_intents/{id}/capture", "payments:write", moves_money,
        id_schema("payment intent (pi_...)",
                  {opt("payment_method", payment_method_token_field("The saved payment method to charge."))})));
    t.push_back(read_tool(
        "list_payment_intent_payments", "List a payment intent's payments",
        "List the payments created from one payment intent. Answers {data: [...]}." + std::string(amounts_note),
        "/v1/payment_intents/{id}/payments", "payments:read", id_schema("payment intent (pi_...)")));

    // code_generators (the API part; the generator itself makes no call)
    t.push_back(write_tool(
        verb::post, "create_web_component_token", "Create a web component token",
        "Create a short-lived (60 minutes) token that lets a browser render JustiFi web components for the named "
        "resources, e.g. [\"write:checkout:cho_123\", \"write:tokenize:acc_123\"] for justifi-checkout. Answers "
        "{access_token}: pass it as the component's auth-token. Never show it in logs.",
        "/v1/web_component_tokens", "checkouts:write", creates,
        tool_schema({req("resources",
                         described({{"type", "array"},
                                    {"minItems", 1},
                                    {"maxItems", 20},
                                    {"items", described({{"type", "string"},
                                                         {"pattern", "^(read|write):[a-z_]+:[A-Za-z0-9_-]{1,128}$"}},
                                                        "role:resource:id, e.g. write:checkout:cho_123")}},
                                   "Roles the token grants, each role:resource:id."))})));
    return t;
}

json::object generator_schema()
{
    return tool_schema(
        {req("amount", amount_field("Checkout amount.")),
         req("description", bounded_string("What the customer pays for; shown in the checkout summary.", 1, 255)),
         // Checkouts carry no currency in the OpenAPI: they are in USD.
         opt("currency", described({{"type", "string"}, {"enum", json::array{"usd"}}, {"default", "usd"}},
                                   "Currency; JustiFi checkouts are in usd.")),
         opt("framework",
             described({{"type", "string"}, {"enum", json::array{"express", "node"}}, {"default", "express"}},
                       "Server flavour: express (Express 4) or node (built-in node:http, no dependencies)."))});
}

std::string replace_all(std::string text, std::string_view marker, std::string_view value)
{
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size()))
        text.replace(at, marker.size(), value);
    return text;
}

std::string format_dollars(std::int64_t cents)
{
    auto const fraction = std::to_string(cents % 100);
    return "$" + std::to_string(cents / 100) + "." + (fraction.size() == 1 ? "0" : "") + fraction;
}

// The server half both flavours share: credentials, the token cache, and the two calls.
constexpr std::string_view server_common =
    R"__(// JustiFi unified checkout: creates a checkout and a web component token for it,
// then serves the payment page. Generated by justifi-mcp.
// Start: JUSTIFI_CLIENT_ID=... JUSTIFI_CLIENT_SECRET=... JUSTIFI_SUB_ACCOUNT_ID=acc_... npm start
import crypto from 'node:crypto';
{{IMPORTS}}
const API_URL = process.env.JUSTIFI_API_URL ?? 'https://api.justifi.ai';
const PORT = Number(process.env.PORT ?? 3000);
// The origin the page is served from; JustiFi only renders the component there.
const ORIGIN_URL = process.env.ORIGIN_URL ?? `http://localhost:${PORT}`;
const SUB_ACCOUNT_ID = process.env.JUSTIFI_SUB_ACCOUNT_ID ?? {{SUB_ACCOUNT}};
// Amount in cents (USD): {{DOLLARS}}.
const CHECKOUT = { amount: {{AMOUNT}}, description: {{DESCRIPTION}} };

for (const [name, value] of Object.entries({
  JUSTIFI_CLIENT_ID: process.env.JUSTIFI_CLIENT_ID,
  JUSTIFI_CLIENT_SECRET: process.env.JUSTIFI_CLIENT_SECRET,
  JUSTIFI_SUB_ACCOUNT_ID: SUB_ACCOUNT_ID,
})) {
  if (!value) {
    console.error(`Set ${name} (see README.md).`);
    process.exit(1);
  }
}

let cachedToken = null;

// Client credentials grant; JustiFi tokens last 24 hours, so one is reused for 23.
async function accessToken() {
  if (cachedToken && cachedToken.expiresAt > Date.now()) return cachedToken.value;
  const response = await fetch(`${API_URL}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_id: process.env.JUSTIFI_CLIENT_ID,
      client_secret: process.env.JUSTIFI_CLIENT_SECRET,
    }),
  });
  if (!response.ok) throw new Error(`JustiFi /oauth/token answered HTTP ${response.status}`);
  const { access_token: value } = await response.json();
  cachedToken = { value, expiresAt: Date.now() + 23 * 60 * 60 * 1000 };
  return value;
}

async function justifiPost(path, body, headers = {}) {
  const response = await fetch(`${API_URL}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await accessToken()}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': crypto.randomUUID(),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = payload.error;
    const message = typeof error === 'string' ? error : error?.message ?? response.statusText;
    throw new Error(`JustiFi POST ${path} answered HTTP ${response.status}: ${message}`);
  }
  return payload;
}

// One checkout per visit, and a token that lets this browser pay that checkout only.
async function createCheckoutSession() {
  const checkout = await justifiPost(
    '/v1/checkouts',
    { amount: CHECKOUT.amount, description: CHECKOUT.description, origin_url: ORIGIN_URL },
    { 'Sub-Account': SUB_ACCOUNT_ID },
  );
  const checkoutId = checkout.data.id;
  const token = await justifiPost('/v1/web_component_tokens', {
    resources: [`write:checkout:${checkoutId}`, `write:tokenize:${SUB_ACCOUNT_ID}`],
  });
  return { checkoutId, authToken: token.access_token };
}
)__";

constexpr std::string_view express_imports = R"__(import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
)__";

constexpr std::string_view express_routes = R"__(
const app = express();

app.post('/api/checkout-session', async (_req, res) => {
  try {
    res.json(await createCheckoutSession());
  } catch (error) {
    console.error(error);
    res.status(502).json({ error: 'Could not start the checkout; see the server log.' });
  }
});

app.use(express.static(path.join(path.dirname(fileURLToPath(import.meta.url)), 'public')));

app.listen(PORT, () => console.log(`Checkout page: http://localhost:${PORT}/`));
)__";

constexpr std::string_view node_imports = R"__(import http from 'node:http';
import { readFile } from 'node:fs/promises';
)__";

constexpr std::string_view node_routes = R"__(
function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/api/checkout-session') {
      send(res, 200, 'application/json', JSON.stringify(await createCheckoutSession()));
    } else if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
      send(res, 200, 'text/html; charset=utf-8', await readFile(new URL('./public/index.html', import.meta.url)));
    } else {
      send(res, 404, 'text/plain', 'Not found');
    }
  } catch (error) {
    console.error(error);
    send(res, 502, 'application/json', JSON.stringify({ error: 'Could not start the checkout; see the server log.' }));
  }
});

server.listen(PORT, () => console.log(`Checkout page: http://localhost:${PORT}/`));
)__";

constexpr std::string_view checkout_page = R"__(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Checkout</title>
  <script type="module" src="https://cdn.jsdelivr.net/npm/@justifi/webcomponents/dist/webcomponents/webcomponents.esm.js"></script>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; }
  </style>
</head>
<body>
  <h1>Checkout</h1>
  <div id="checkout-container">Loading the payment form...</div>
  <p id="status" role="status"></p>
  <script type="module">
    const container = document.getElementById('checkout-container');
    const status = document.getElementById('status');
    try {
      const response = await fetch('/api/checkout-session', { method: 'POST' });
      if (!response.ok) throw new Error(`checkout session: HTTP ${response.status}`);
      const { checkoutId, authToken } = await response.json();
      // Attributes are set before the element is attached: it loads the checkout when connected.
      const checkout = document.createElement('justifi-checkout');
      checkout.setAttribute('checkout-id', checkoutId);
      checkout.setAttribute('auth-token', authToken);
      checkout.addEventListener('submit-event', (event) => {
        const result = event.detail?.response;
        const error = result?.error;
        status.textContent = error
          ? `Payment failed: ${typeof error === 'string' ? error : error.message ?? 'unknown error'}`
          : 'Payment complete. Thank you!';
      });
      checkout.addEventListener('error-event', (event) => {
        status.textContent = `The payment form reported a problem: ${event.detail?.message ?? 'unknown error'}`;
      });
      container.replaceChildren(checkout);
    } catch (error) {
      console.error(error);
      container.textContent = 'The payment form could not be loaded; try again later.';
    }
  </script>
</body>
</html>
)__";

constexpr std::string_view readme_text = R"__(# JustiFi unified checkout

A page that takes a payment of {{DOLLARS}} ({{DESCRIPTION_TEXT}}) with JustiFi's
`justifi-checkout` web component, and the small server it needs.

1. `npm install` (Node 18 or newer).
2. Start it with your JustiFi API keys (test keys first) and the sub account that gets paid:

   ```sh
   JUSTIFI_CLIENT_ID=test_... JUSTIFI_CLIENT_SECRET=... JUSTIFI_SUB_ACCOUNT_ID=acc_... npm start
   ```

3. Open http://localhost:3000/ and pay with a test card.

How it works: for each visit the server creates a checkout (`POST /v1/checkouts`) and a
web component token limited to that checkout (`POST /v1/web_component_tokens`, roles
`write:checkout:<checkout id>` and `write:tokenize:<sub account id>`); the page renders
`<justifi-checkout checkout-id=... auth-token=...>`, which collects the payment details
inside JustiFi's hosted fields, so card numbers never reach your server.

Before shipping: set `ORIGIN_URL` to the public origin of the page, keep the client secret
on the server only, and confirm the checkout's status (`GET /v1/checkouts/<id>`, or a
webhook) on the server before fulfilling an order: the browser's event is not proof of payment.
)__";

}  // namespace

tool_result generate_checkout_integration(json::object const& arguments)
{
    auto const amount = static_cast<std::int64_t>(std::llround(arguments.at("amount").to_number<double>()));
    std::string const description(arguments.at("description").as_string());
    std::string framework = "express";
    if (auto const* f = arguments.if_contains("framework"); f && f->is_string()) framework = f->get_string();
    std::string sub_account = "undefined";
    if (auto const* s = arguments.if_contains(sub_account_argument); s && s->is_string())
        sub_account = json::serialize(s->get_string());

    bool const express = framework == "express";
    auto server = std::string(server_common) + std::string(express ? express_routes : node_routes);
    server = replace_all(std::move(server), "{{IMPORTS}}", express ? express_imports : node_imports);
    server = replace_all(std::move(server), "{{SUB_ACCOUNT}}", sub_account);
    server = replace_all(std::move(server), "{{DOLLARS}}", format_dollars(amount));
    server = replace_all(std::move(server), "{{AMOUNT}}", std::to_string(amount));
    // A JSON string is a valid JavaScript string literal.
    server = replace_all(std::move(server), "{{DESCRIPTION}}", json::serialize(json::string(description)));

    json::object package{{"name", "justifi-checkout-integration"},
                         {"private", true},
                         {"type", "module"},
                         {"scripts", json::object{{"start", "node server.js"}}},
                         {"engines", json::object{{"node", ">=18"}}}};
    if (express) package["dependencies"] = json::object{{"express", "^4.21.2"}};

    auto readme = replace_all(std::string(readme_text), "{{DOLLARS}}", format_dollars(amount));
    readme = replace_all(std::move(readme), "{{DESCRIPTION_TEXT}}", description);

    std::vector<std::pair<std::string, std::string>> const files{
        {"package.json", json::serialize(package) + "\n"},
        {"server.js", std::move(server)},
        {"public/index.html", std::string(checkout_page)},
        {"README.md", std::move(readme)},
    };

    tool_result result;
    json::array file_list;
    std::string const summary = "A complete JustiFi unified checkout integration (" + framework + " server, " +
                                format_dollars(amount) +
                                " USD checkout). Write these files into an empty folder, run npm install, then start "
                                "it with JUSTIFI_CLIENT_ID, JUSTIFI_CLIENT_SECRET and JUSTIFI_SUB_ACCOUNT_ID set; "
                                "README.md has the details.";
    result.content.push_back(json::object{{"type", "text"}, {"text", summary}});
    for (auto const& [path, content] : files) {
        std::string_view const fence = path.ends_with(".js")     ? "js"
                                       : path.ends_with(".html") ? "html"
                                       : path.ends_with(".json") ? "json"
                                                                 : "markdown";
        std::string text = "File " + path + ":\n```" + std::string(fence) + "\n" + content + "```";
        result.content.push_back(json::object{{"type", "text"}, {"text", std::move(text)}});
        file_list.push_back(json::object{{"path", path}, {"content", content}});
    }
    json::object structured;
    structured["files"] = std::move(file_list);
    structured["start"] = "npm install && npm start";
    result.structured = std::move(structured);
    return result;
}

namespace {

bool is_path_parameter(std::string_view path_template, std::string_view name)
{
    return path_template.find("{" + std::string(name) + "}") != std::string_view::npos;
}

std::string query_text(json::value const& v)
{
    switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::double_: {
        double const d = v.get_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15)
            return std::to_string(static_cast<std::int64_t>(d));
        return json::serialize(v);
    }
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::array: {
        // JustiFi's multi-value filters take comma separated values.
        std::string out;
        for (auto const& item : v.get_array()) {
            if (!out.empty()) out += ",";
            out += query_text(item);
        }
        return out;
    }
    default: return json::serialize(v);
    }
}

std::string string_member(json::object const& object, std::string_view name)
{
    auto const* v = object.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A success without a body (204): the text says what happened, structuredContent that it is done.
tool_result done_result(std::string_view text)
{
    auto r = tool_result::text(text);
    r.structured = json::object{{"status", "done"}};
    return r;
}

std::string_view status_hint(int status, std::string_view required_scope, std::string& scratch)
{
    switch (status) {
    case 400:
        return "Check the arguments against the tool's input schema; JustiFi also answers 400 when the Sub-Account is "
               "not enabled.";
    case 401:
        return "JustiFi rejected the credentials: check the bearer token (tokens last 24 hours) or the client id and "
               "secret.";
    case 402:
        return "The payment was declined: tell the user, and ask for another payment method unless the decline code "
               "says a retry may work.";
    case 403:
        scratch = "These credentials may not do this (or not for this Sub-Account)";
        if (!required_scope.empty()) scratch += "; this tool needs the " + std::string(required_scope) + " scope";
        scratch += ". Use credentials that have the permission, or another sub_account_id.";
        return scratch;
    case 404:
        return "Check the id, and the Sub-Account: the object may belong to another sub account (pass sub_account_id).";
    case 409:
        return "Idempotency conflict: the same request is still being processed. Wait a few seconds, then check its "
               "outcome or retry.";
    case 422: return "Fix the fields named in the message and call again.";
    case 429: return "Too many requests: slow down and retry after a short wait.";
    default: break;
    }
    if (status >= 500)
        return "JustiFi had a problem; retry later. For a payment, refund or other change, first check with a list or "
               "retrieve tool whether it went through.";
    return "Check the request and try again.";
}

}  // namespace

tool_result result_from_upstream(int status, json::value body, std::string_view required_scope)
{
    if (status >= 200 && status < 300) {
        if (body.is_null())
            return done_result("JustiFi accepted the request (HTTP " + std::to_string(status) + ", no content).");
        // structuredContent must be an object.
        if (body.is_object()) return tool_result::structured_json(std::move(body));
        json::object wrapped;
        wrapped["data"] = std::move(body);
        return tool_result::structured_json(std::move(wrapped));
    }
    if (status < 400)
        return tool_result::error("JustiFi answered with the unexpected HTTP status " + std::to_string(status) +
                                  ". Check that JUSTIFI_BASE_URL points at the JustiFi API.");

    std::string code, message, decline_code, param;
    if (auto const* object = body.if_object()) {
        auto const* error = object->if_contains("error");
        if (error && error->is_string()) {
            message = error->get_string();
        } else if (error && error->is_object()) {
            code = string_member(error->get_object(), "code");
            message = string_member(error->get_object(), "message");
            decline_code = string_member(error->get_object(), "decline_code");
            param = string_member(error->get_object(), "param");
        } else {
            message = string_member(*object, "message");
        }
    } else if (body.is_string()) {
        message = body.get_string();
    }

    std::string text = "JustiFi error (HTTP " + std::to_string(status);
    if (!code.empty()) text += ", code " + code;
    if (!decline_code.empty()) text += ", decline code " + decline_code;
    if (!param.empty()) text += ", field " + param;
    text += ")";
    if (message.empty()) {
        text += " with no message.";
    } else {
        text += ": " + message;
        if (!message.ends_with('.')) text += ".";
    }
    std::string scratch;
    text += " ";
    text += status_hint(status, required_scope, scratch);
    auto result = tool_result::error(text);
    result.credentials_rejected = status == 401;
    return result;
}

tool_result result_from_failure(boost::system::error_code const& failure, bool may_have_run)
{
    using client::client_error;
    // JustiFi was reached when it refused to issue a token: say so, not "could not reach".
    std::string text = failure == client_error::credentials_refused      ? "JustiFi rejected the credentials: "
                       : failure == client_error::token_request_failed   ? "JustiFi did not issue a token: "
                       : failure == client_error::token_budget_exhausted ? "Server busy: "
                                                                         : "Could not reach JustiFi: ";
    text += failure.message() + ". ";
    if (failure == client_error::no_credentials)
        text +=
            "Connect with a JustiFi bearer token (Authorization header) or client credentials (X-Client-Id and "
            "X-Client-Secret headers), or start the server with JUSTIFI_CLIENT_ID and JUSTIFI_CLIENT_SECRET.";
    else if (failure == client_error::invalid_header_value)
        text += "Remove control characters from sub_account_id and the credentials.";
    else if (failure == client_error::credentials_refused)
        text += "Check the client id and secret (test_ or live_ keys) and try again.";
    else if (failure == client_error::token_budget_exhausted)
        text += "Nothing was sent to JustiFi; call the tool again in a second.";
    else if (failure == client_error::tls_failed)
        text += "Check JUSTIFI_CA_FILE or the system certificate store, then try again.";
    else if (may_have_run && (failure == client_error::timed_out || failure == client_error::connection_lost ||
                              failure == client_error::bad_response))
        text += "The request may still have taken effect: check with a list or retrieve tool before calling again.";
    else
        text += "Check JUSTIFI_BASE_URL and the network, then try again in a moment.";
    return tool_result::error(text);
}

std::span<endpoint_tool const> justifi_endpoint_tools()
{
    static std::vector<endpoint_tool> const table = build_endpoint_tools();
    return table;
}

boost::system::result<client::call_request, std::string> prepare_call(endpoint_tool const& tool,
                                                                      json::object const& arguments,
                                                                      auth::auth_context const& auth)
{
    using outcome = boost::system::result<client::call_request, std::string>;
    if (auto problem = validate_arguments(arguments, tool.input_schema))
        return outcome(boost::system::in_place_error, "Invalid arguments for " + tool.name + ": " + *problem + ".");
    auto path = client::build_path(tool.path_template, arguments);
    if (!path) return outcome(boost::system::in_place_error, path.error());

    client::call_request request;
    request.method = tool.method;
    request.path = std::move(*path);
    request.sub_account = auth.sub_account;
    if (auto const* s = arguments.if_contains(sub_account_argument); s && s->is_string())
        request.sub_account = s->get_string();
    if (!client::is_safe_header_value(request.sub_account))
        return outcome(
            boost::system::in_place_error,
            std::string("The Sub-Account contains control characters; pass a plain sub_account_id (acc_...)."));
    if (tool.needs_sub_account && request.sub_account.empty())
        return outcome(boost::system::in_place_error,
                       tool.name +
                           " needs a Sub-Account: pass sub_account_id (acc_..., see list_sub_accounts) or "
                           "connect with a Sub-Account header.");

    json::object fields;
    for (auto const& [name, value] : arguments)
        if (name != sub_account_argument && !is_path_parameter(tool.path_template, name)) fields[name] = value;
    // Defaults are sent, not assumed: get_recent_payouts relies on its limit of 5.
    if (auto const* properties = tool.input_schema.if_contains("properties"); properties && properties->is_object())
        for (auto const& [name, property] : properties->get_object())
            if (auto const* fallback = property.is_object() ? property.get_object().if_contains("default") : nullptr;
                fallback && !arguments.contains(name) && name != sub_account_argument)
                fields[name] = *fallback;

    if (tool.method == http::verb::get) {
        for (auto const& [name, value] : fields) request.query.emplace_back(std::string(name), query_text(value));
    } else if (!fields.empty()) {
        request.body = json::value(std::move(fields));
    }
    return request;
}

namespace {

asio::awaitable<tool_result> run_endpoint_tool(endpoint_tool const& tool, client::justifi_client& client,
                                               json::object const& arguments, tool_context& ctx)
{
    auto request = prepare_call(tool, arguments, ctx.auth());
    if (!request) co_return tool_result::error(request.error());
    // An answer the tool does not reshape is passed on as JustiFi wrote it.
    request->object_as_text = !tool.shape;
    auto answer = co_await client.call(std::move(*request), ctx.auth());
    if (!answer) co_return result_from_failure(answer.error(), tool.method != http::verb::get);
    if (!answer->body_text.empty()) co_return tool_result::structured_json_text(std::move(answer->body_text));
    bool const success = answer->status >= 200 && answer->status < 300;
    if (success && answer->body.is_null() && !tool.done_text.empty()) co_return done_result(tool.done_text);
    if (success && tool.shape) {
        auto shaped = tool.shape(answer->body, arguments);
        co_return result_from_upstream(answer->status, std::move(shaped), tool.scope);
    }
    co_return result_from_upstream(answer->status, std::move(answer->body), tool.scope);
}

asio::awaitable<tool_result> run_generator(json::object const& arguments, tool_context& ctx)
{
    static json::object const schema = generator_schema();
    if (auto problem = validate_arguments(arguments, schema))
        co_return tool_result::error("Invalid arguments for " + std::string(integration_generator_name) + ": " +
                                     *problem + ".");
    // The caller's Sub-Account, when it has one, is the natural default for the generated server.
    if (!arguments.contains(sub_account_argument) && !ctx.auth().sub_account.empty()) {
        json::object with_sub_account = arguments;
        with_sub_account[sub_account_argument] = ctx.auth().sub_account;
        if (!validate_arguments(with_sub_account, schema)) co_return generate_checkout_integration(with_sub_account);
    }
    co_return generate_checkout_integration(arguments);
}

tool_definition describe(endpoint_tool const& tool)
{
    return {.name = tool.name,
            .title = tool.title,
            .description = tool.description,
            .input_schema = tool.input_schema,
            .annotations = tool.annotations,
            .required_scope = tool.scope};
}

tool_definition describe_generator()
{
    return {.name = std::string(integration_generator_name),
            .title = "Generate a unified checkout integration",
            .description =
                "Write a complete, working JustiFi checkout integration for the user (no API call): a small Node "
                "server (Express, or plain node:http) that creates a checkout (POST /v1/checkouts) and a web "
                "component token (POST /v1/web_component_tokens) per visit, and an HTML page that renders JustiFi's "
                "justifi-checkout web component with that checkout id and token. Answers the files as text and as "
                "structuredContent {files: [{path, content}]}; write them out as given." +
                std::string(amounts_note),
            .input_schema = generator_schema(),
            .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
            .required_scope = ""};
}

std::vector<tool_definition> make_definitions(client::justifi_client* client)
{
    std::vector<tool_definition> out;
    for (auto const& tool : justifi_endpoint_tools()) {
        auto def = describe(tool);
        if (client)
            def.handler = [tool = &tool, client](json::object const& arguments, tool_context& ctx) {
                return run_endpoint_tool(*tool, *client, arguments, ctx);
            };
        out.push_back(std::move(def));
    }
    auto generator = describe_generator();
    if (client)
        generator.handler = [](json::object const& arguments, tool_context& ctx) {
            return run_generator(arguments, ctx);
        };
    out.push_back(std::move(generator));
    return out;
}

asio::awaitable<tool_result> refuse_read_only(std::string name)
{
    co_return tool_result::error("This server runs read-only, so " + name +
                                 " (which changes data at JustiFi) is turned off. Use the read-only tools, or ask "
                                 "whoever runs the server to turn read-only mode off.");
}

// Handlers are plain lambdas that start a coroutine taking its state as parameters: a
// coroutine lambda's captures would live in the std::function, not in the coroutine frame.
tool_handler refuse_in_read_only_mode(std::string name)
{
    return [name = std::move(name)](json::object const&, tool_context&) { return refuse_read_only(name); };
}

}  // namespace

std::vector<tool_definition> justifi_tool_definitions()
{
    return make_definitions(nullptr);
}

boost::system::result<void, std::string> register_justifi_tools(tool_registry& registry, client::justifi_client& client,
                                                                catalog_options const& options)
{
    auto definitions = make_definitions(&client);
    std::set<std::string_view> known;
    for (auto const& def : definitions) known.insert(def.name);
    for (auto const& wanted : options.enabled_tools) {
        if (known.contains(wanted)) continue;
        std::string names;
        for (auto name : known) names += (names.empty() ? "" : ", ") + std::string(name);
        return boost::system::result<void, std::string>(
            boost::system::in_place_error,
            "enabled tools name \"" + wanted + "\", which is not a JustiFi tool; known tools: " + names);
    }
    for (auto& def : definitions) {
        if (!options.enabled_tools.empty() && std::find(options.enabled_tools.begin(), options.enabled_tools.end(),
                                                        def.name) == options.enabled_tools.end())
            continue;
        if (options.read_only && !def.annotations.read_only) {
            // Registered but not listed: a call gets an error that explains, not "unknown tool".
            def.hidden = true;
            def.handler = refuse_in_read_only_mode(def.name);
        }
        registry.add(std::move(def));
    }
    return {};
}

}  // namespace justifi::tools

namespace justifi::tools {

std::string catalog_markdown()
{
    std::string out =
        "# Tools and OAuth scopes\n\n"
        "Generated by `justifi-mcp tools --markdown` from the catalog (`tools/catalog.cpp`); a test fails\n"
        "when this file is stale. A token needs the scope to call the tool; `JUSTIFI_READ_ONLY=true`\n"
        "offers only the read-only ones.\n\n"
        "| tool | scope | read-only | destructive | JustiFi call |\n"
        "|---|---|---|---|---|\n";
    for (auto const& tool : justifi_endpoint_tools()) {
        out += "| `" + tool.name + "` | `" + tool.scope + "` | " + (tool.annotations.read_only ? "yes" : "no") + " | " +
               (tool.annotations.destructive ? "yes" : "no") + " | `" +
               std::string(boost::beast::http::to_string(tool.method)) + " " + tool.path_template + "` |\n";
    }
    out += "| `" + std::string(integration_generator_name) + "` | none | yes | no | none (writes code locally) |\n";
    return out;
}

}  // namespace justifi::tools
