#include "mock/payments.hpp"

#include "mock/objects.hpp"
#include "core/encoding.hpp"

#include <algorithm>
#include <charconv>

namespace justifi::mock {
namespace {

// The API's own examples send card numbers, months and years as numbers or strings.
std::optional<std::string> text_of(json::value const* v)
{
    if (!v) return std::nullopt;
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    return std::nullopt;
}

outcome<std::string> required_text(json::object const& o, std::string_view field, std::string const& param,
                                   std::string const& missing_code)
{
    auto const* v = o.if_contains(field);
    if (!v || v->is_null() || (v->is_string() && v->as_string().empty()))
        return unprocessable(missing_code, "Missing required parameter: " + param, param);
    auto t = text_of(v);
    if (!t) return unprocessable("parameter_invalid", param + " must be a string", param);
    return *t;
}

std::optional<int> small_int(std::string_view s)
{
    int v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::pair<int, int> year_month(std::int64_t us)
{
    auto const date = iso_date(us);
    return {small_int(std::string_view(date).substr(0, 4)).value_or(2000),
            small_int(std::string_view(date).substr(5, 2)).value_or(1)};
}

std::string strip_spaces(std::string_view s)
{
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '-') out.push_back(c);
    return out;
}

outcome<record*> tokenize_card(call_context& cx, json::object const& card, std::string const& account_id,
                               std::string const& customer_id, bool force, std::string const& prefix)
{
    auto const param = [&](std::string_view f) { return prefix + "." + std::string(f); };
    auto name = required_text(card, "name", param("name"), "card_name_required");
    if (!name) return name.error();
    auto number = required_text(card, "number", param("number"), "card_number_required");
    if (!number) return number.error();
    auto const digits = strip_spaces(*number);
    if (!all_digits(digits) || digits.size() < 12 || digits.size() > 19)
        return unprocessable("card_number_invalid", "Format is invalid for parameter: card_number (12 to 19 digits)",
                             param("number"));
    auto month = required_text(card, "month", param("month"), "parameter_missing");
    if (!month) return month.error();
    auto const m = small_int(*month);
    if (!m || *m < 1 || *m > 12)
        return unprocessable("month_invalid", "Format is invalid for parameter: month (1 to 12)", param("month"));
    auto year = required_text(card, "year", param("year"), "parameter_missing");
    if (!year) return year.error();
    auto y = small_int(*year);
    if (y && year->size() == 2) *y += 2000;
    if (!y || *y < 2000 || *y > 2100)
        return unprocessable("year_invalid", "Format is invalid for parameter: year (four digits, e.g. 2042)", param("year"));
    auto postal = required_text(card, "address_postal_code", param("address_postal_code"), "parameter_missing");
    if (!postal) return postal.error();
    bool verification_given = false;
    if (auto const* v = card.if_contains("verification"); v && !v->is_null()) {
        auto const cvc = text_of(v);
        if (!cvc || !all_digits(*cvc) || cvc->size() < 3 || cvc->size() > 4)
            return unprocessable("verification_invalid", "Format is invalid for parameter: verification (3 or 4 digits)",
                                 param("verification"));
        verification_given = true;
    }
    json::object metadata;
    if (auto const* md = card.if_contains("metadata"); md && md->is_object()) metadata = md->as_object();
    auto const [now_year, now_month] = year_month(cx.now_us);
    if (!force && (*y < now_year || (*y == now_year && *m < now_month)))
        return api_error{402, "expired_card",
                         "The card has expired. Please check the expiration date or try a different card or payment method.",
                         param("year"), {{"decline_code", "expired_card"}}};

    card_input in{digits, *name, std::to_string(*m), std::to_string(*y), *postal, std::move(metadata)};
    auto r = make_card_method(cx.data.random, cx.data.random.id("pm_"), account_id, customer_id, in,
                              cx.data.stamp(cx.now_us));
    r.hidden["verification_given"] = verification_given;
    return cx.data.payment_methods.add(std::move(r));
}

outcome<record*> tokenize_bank_account(call_context& cx, json::object const& bank, std::string const& account_id,
                                       std::string const& customer_id, std::string const& prefix)
{
    auto const param = [&](std::string_view f) { return prefix + "." + std::string(f); };
    std::map<std::string_view, std::string> fields;
    for (auto const* f : {"account_owner_name", "routing_number", "account_number", "account_type",
                          "account_owner_type", "country", "currency"}) {
        auto v = required_text(bank, f, param(f), "parameter_missing");
        if (!v) return v.error();
        fields[f] = *v;
    }
    auto const routing = strip_spaces(fields["routing_number"]);
    auto const account = strip_spaces(fields["account_number"]);
    if (!all_digits(routing) || routing.size() != 9)
        return unprocessable("routing_number_invalid", "Format is invalid for parameter: routing_number (9 digits)",
                             param("routing_number"));
    if (!all_digits(account) || account.size() < 4 || account.size() > 17)
        return unprocessable("account_number_invalid", "Format is invalid for parameter: account_number (4 to 17 digits)",
                             param("account_number"));
    if (fields["account_type"] != "checking" && fields["account_type"] != "savings")
        return unprocessable("parameter_invalid", "account_type must be checking or savings", param("account_type"));
    if (fields["account_owner_type"] != "individual" && fields["account_owner_type"] != "company")
        return unprocessable("parameter_invalid", "account_owner_type must be individual or company",
                             param("account_owner_type"));
    if (fields["country"] != "US") return unprocessable("country_invalid", "country must be US", param("country"));
    if (fields["currency"] != "usd") return unprocessable("currency_invalid", "currency must be usd", param("currency"));
    bank_input in{fields["account_owner_name"], routing, account, fields["account_type"], fields["account_owner_type"],
                  get_string(bank, "bank_name"), {}};
    if (auto const* md = bank.if_contains("metadata"); md && md->is_object()) in.metadata = md->as_object();
    return cx.data.payment_methods.add(make_bank_method(cx.data.random, cx.data.random.id("pm_"), account_id,
                                                        customer_id, in, cx.data.stamp(cx.now_us)));
}

// {"token": ...} | {"card": {...}} | {"bank_account": {...}} inside `field` of `body`.
outcome<record*> resolve_payment_method(call_context& cx, json::object const& body, std::string const& account_id,
                                        bool allow_bank = true, bool force_tokenize = false)
{
    auto const* v = body.if_contains("payment_method");
    if (!v || v->is_null())
        return unprocessable("payment_method_required",
                             "Missing required parameter: payment_method ({\"token\": \"pm_...\"}, {\"card\": {...}} or "
                             "{\"bank_account\": {...}})",
                             "payment_method");
    if (!v->is_object()) return unprocessable("parameter_invalid", "payment_method must be an object", "payment_method");
    auto const& pm = v->as_object();
    int const kinds = pm.contains("token") + pm.contains("card") + pm.contains("bank_account");
    if (kinds != 1)
        return unprocessable("parameter_invalid", "payment_method must have exactly one of token, card or bank_account",
                             "payment_method");
    if (auto const* token = pm.if_contains("token")) {
        if (!token->is_string() || token->as_string().empty())
            return unprocessable("payment_method_token_required", "payment_method.token must be a payment method token",
                                 "payment_method.token");
        auto* found = find_payment_method(cx, token->as_string(), account_id);
        if (!found)
            return api_error{404, "payment_method_not_found",
                             "Payment method not found: no token \"" + std::string(token->as_string()) +
                                 "\" on sub account " + account_id + " (see GET /v1/payment_methods)",
                             "payment_method.token", {}};
        if (!allow_bank && !is_card(*found))
            return unprocessable("parameter_invalid", "this request takes a card payment method", "payment_method.token");
        return found;
    }
    if (auto const* card = pm.if_contains("card")) {
        if (!card->is_object()) return unprocessable("parameter_invalid", "payment_method.card must be an object", "payment_method.card");
        return tokenize_card(cx, card->as_object(), account_id, "", force_tokenize, "payment_method.card");
    }
    auto const& bank = pm.at("bank_account");
    if (!allow_bank)
        return unprocessable("parameter_invalid", "this request takes a card or a token, not a bank account",
                             "payment_method.bank_account");
    if (!bank.is_object())
        return unprocessable("parameter_invalid", "payment_method.bank_account must be an object", "payment_method.bank_account");
    return tokenize_bank_account(cx, bank.as_object(), account_id, "", "payment_method.bank_account");
}

record* find_payment_method_by_id(dataset& d, std::string_view id)
{
    if (auto* r = d.payment_methods.find(id)) return r;
    return d.test_payment_methods.find(id);
}

void add_balance_transaction(call_context& cx, record const& source, std::int64_t amount, std::int64_t fee,
                             std::string txn_type, std::string source_type, std::string ft)
{
    auto& d = cx.data;
    d.balance_transactions.add(make_balance_transaction(d.random.id("bt_"), source.account_id, amount, fee,
                                                        std::move(txn_type), std::move(source_type), source.id(),
                                                        std::move(ft), d.stamp(cx.now_us)));
}

struct charge_request {
    std::string account_id;
    record const* method = nullptr;
    std::int64_t amount = 0;
    std::string capture_strategy = "automatic";
    std::string description;
    json::object metadata;
    std::optional<std::int64_t> application_fee_amount;
    std::string statement_descriptor;
    std::optional<bool> expedited;
    std::string payment_intent_id;
    std::string checkout_id;
};

struct charge_result {
    record* payment = nullptr;
    std::optional<decline> declined;
};

// Every charge leaves a payment behind; a declined one is recorded as failed.
charge_result charge(call_context& cx, charge_request const& rq)
{
    auto& d = cx.data;
    bool const card = is_card(*rq.method);
    payment_input in;
    in.id = d.random.id("py_");
    in.account_id = rq.account_id;
    in.amount = rq.amount;
    in.capture_strategy = rq.capture_strategy;
    in.description = rq.description;
    in.metadata = rq.metadata;
    in.payment_method = rq.method;
    in.payment_mode = card ? "ecom" : "ach";
    in.payment_intent_id = rq.payment_intent_id;
    in.checkout_id = rq.checkout_id;
    in.application_fee_amount = rq.application_fee_amount;
    if (auto const it = d.application_fee_rates.find(rq.account_id); it != d.application_fee_rates.end())
        in.application_fee_rate_id = it->second;
    in.statement_descriptor = rq.statement_descriptor;
    if (!card) in.expedited = rq.expedited.value_or(false);
    in.created_us = d.stamp(cx.now_us);
    auto why = method_decline(*rq.method);
    if (why) {
        in.status = "failed";
        in.error_code = why->decline_code.empty() ? why->code : why->decline_code;
        in.error_description = why->message;
    } else if (!card) {
        in.status = "pending";  // ACH debits settle later; this simulator leaves them pending
    } else {
        in.status = rq.capture_strategy == "manual" ? "authorized" : "succeeded";
    }
    auto* payment = d.payments.add(make_payment(d.random, in));
    if (in.status == "succeeded")
        add_balance_transaction(cx, *payment, in.amount, get_int(payment->data, "fee_amount"), "seller_payment", "payment",
                                get_string(payment->data, "financial_transaction_id"));
    return {payment, std::move(why)};
}

json::value payment_envelope(record const& p) { return single("payment", p.id(), p.data).body; }

outcome<std::optional<std::string>> read_reason(json::object const& body)
{
    auto reason = read_string(body, "reason", false);
    if (!reason) return reason.error();
    if (*reason && **reason != "duplicate" && **reason != "fraudulent" && **reason != "customer_request")
        return unprocessable("refund_reason_invalid",
                             "Refund reason must be one of the following: duplicate, fraudulent, customer_request", "reason");
    return *reason;
}

outcome<record*> refund(call_context& cx, record& payment, std::optional<std::int64_t> amount, std::string reason,
                        std::string description, json::object metadata)
{
    auto const status = get_string(payment.data, "status");
    auto const& id = payment.id();
    if (status == "fully_refunded")
        return unprocessable("payment_fully_refunded",
                             "The refund cannot be processed because payment " + id + " is fully refunded");
    if (status == "disputed")
        return unprocessable("payment_disputed", "Payment " + id + " is disputed; a disputed payment cannot be refunded");
    if (status == "authorized")
        return unprocessable("payment_not_captured", "Payment " + id +
                                                         " is authorized but not captured: void it (POST /v1/payments/" +
                                                         id + "/void) or capture it first");
    if (status == "pending")
        return unprocessable("payment_not_settled",
                             "Payment " + id + " is a pending ACH payment; it can be refunded once it has settled");
    if (status != "succeeded" && status != "partially_refunded")
        return unprocessable("payment_not_refundable",
                             "Payment " + id + " has status " + status + "; only captured payments can be refunded");
    auto const refundable = get_int(payment.data, "amount_refundable");
    auto const value = amount.value_or(refundable);
    if (value > refundable)
        return unprocessable("refund_exceeds_amount_available",
                             "The refund cannot be processed because the refund amount " + std::to_string(value) +
                                 " exceeds the " + std::to_string(refundable) + " cents still refundable on payment " +
                                 id + " (amount " + std::to_string(get_int(payment.data, "amount")) +
                                 ", already refunded " + std::to_string(get_int(payment.data, "amount_refunded")) + ")",
                             "amount");
    auto& d = cx.data;
    auto* r = d.refunds.add(make_refund(d.random.id("re_"), payment, value, std::move(reason), std::move(description),
                                        std::move(metadata), "succeeded", d.stamp(cx.now_us)));
    apply_refund(payment.data, r->data, cx.now_us);
    add_balance_transaction(cx, *r, -value, 0, "seller_payment_refund", "refund", d.random.id("ft_"));
    return r;
}

std::string derived_id(std::string_view prefix, std::string const& seed_text)
{
    static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    auto const digest = core::encoding::sha256(seed_text);
    std::string out(prefix);
    for (int i = 0; i < 22; ++i) out.push_back(alphabet[digest[static_cast<std::size_t>(i)] % 62]);
    return out;
}

// A charge's amount (50 cents to $1,000,000) and currency (JustiFi takes usd only).
outcome<std::optional<std::int64_t>> read_usd_charge(json::object const& b)
{
    auto amount = read_amount(b, "amount", true, 50, 100'000'000);
    if (!amount) return amount.error();
    auto currency = read_string(b, "currency", true);
    if (!currency) return currency.error();
    if (**currency != "usd" && **currency != "USD")
        return unprocessable("currency_invalid", "Format is invalid for parameter: currency (only usd)", "currency");
    return amount;
}

}  // namespace

outcome<reply> create_payment(call_context& cx, call_input const& in)
{
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto const& b = **body;
    auto amount = read_usd_charge(b);
    if (!amount) return amount.error();
    auto strategy = read_string(b, "capture_strategy", true);
    if (!strategy) return strategy.error();
    if (**strategy != "automatic" && **strategy != "manual")
        return unprocessable("capture_strategy_invalid", "capture_strategy must be automatic or manual", "capture_strategy");
    auto description = read_string(b, "description", false);
    if (!description) return description.error();
    auto descriptor = read_string(b, "statement_descriptor", false, 22);
    if (!descriptor) return descriptor.error();
    auto email = read_string(b, "email", false);
    if (!email) return email.error();
    auto metadata = read_metadata(b);
    if (!metadata) return metadata.error();
    auto fee = read_amount(b, "application_fee_amount", false, 0, **amount);
    if (!fee) return fee.error();
    std::optional<bool> expedited;
    if (auto const* e = b.if_contains("expedited"); e && !e->is_null()) {
        if (!e->is_bool()) return unprocessable("parameter_invalid", "expedited must be true, false or null", "expedited");
        expedited = e->as_bool();
    }
    auto method = resolve_payment_method(cx, b, cx.sub_account);
    if (!method) return method.error();
    if (!is_card(**method) && **strategy == "manual")
        return unprocessable("capture_strategy_invalid",
                             "capture_strategy manual is only for card payments; bank account payments capture automatically",
                             "capture_strategy");

    charge_request rq;
    rq.account_id = cx.sub_account;
    rq.method = *method;
    rq.amount = **amount;
    rq.capture_strategy = **strategy;
    rq.description = description->value_or("");
    rq.metadata = metadata->value_or(json::object());
    rq.application_fee_amount = *fee;
    rq.statement_descriptor = descriptor->value_or("");
    rq.expedited = expedited;
    auto const result = charge(cx, rq);
    if (result.declined) return decline_error(*result.declined);
    return single("payment", result.payment->id(), result.payment->data, 201);
}

outcome<reply> update_payment(call_context& cx, call_input const& in)
{
    auto payment = find_visible(cx, cx.data.payments, "payment", in.path.at("id"));
    if (!payment) return payment.error();
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto description = read_string(**body, "description", false);
    if (!description) return description.error();
    auto metadata = read_metadata(**body);
    if (!metadata) return metadata.error();
    auto& p = (*payment)->data;
    if (*description) p["description"] = **description;
    if (*metadata) p["metadata"] = **metadata;
    p["updated_at"] = iso8601(cx.now_us);
    return single("payment", (*payment)->id(), p);
}

outcome<reply> capture_payment(call_context& cx, call_input const& in)
{
    auto payment = find_visible(cx, cx.data.payments, "payment", in.path.at("id"));
    if (!payment) return payment.error();
    auto& p = (*payment)->data;
    auto const status = get_string(p, "status");
    // The OpenAPI (POST /payments/{id}/capture): "Returns a payment_already_captured error if
    // the payment is in a captured state."
    if (status != "authorized" && get_bool(p, "captured"))
        return unprocessable("payment_already_captured", "Payment " + (*payment)->id() +
                                                             " has already been captured (status " + status + ")");
    if (status != "authorized")
        return unprocessable("payment_not_capturable",
                             "Payment " + (*payment)->id() + " cannot be captured: its status is " + status +
                                 " (only authorized payments, created with capture_strategy manual, can be captured)");
    apply_capture(p, cx.now_us);
    add_balance_transaction(cx, **payment, get_int(p, "amount"), get_int(p, "fee_amount"), "seller_payment", "payment",
                            get_string(p, "financial_transaction_id"));
    return single("payment", (*payment)->id(), p, 201);
}

outcome<reply> void_payment(call_context& cx, call_input const& in)
{
    auto payment = find_visible(cx, cx.data.payments, "payment", in.path.at("id"));
    if (!payment) return payment.error();
    auto& p = (*payment)->data;
    auto const status = get_string(p, "status");
    auto const& id = (*payment)->id();
    if (status != "authorized") {
        if (get_bool(p, "captured"))
            return unprocessable("payment_cannot_be_voided", "Payment " + id + " has been captured (status " + status +
                                                                 "); refund it instead with POST /v1/payments/" + id +
                                                                 "/refunds");
        return unprocessable("payment_cannot_be_voided",
                             "Payment " + id + " cannot be voided: its status is " + status +
                                 " (only authorized, uncaptured payments can be voided)");
    }
    apply_void(p, cx.now_us);
    return single("payment", id, p);
}

outcome<reply> refund_payment(call_context& cx, call_input const& in)
{
    auto payment = find_visible(cx, cx.data.payments, "payment", in.path.at("id"));
    if (!payment) return payment.error();
    json::object const empty;
    json::object const* b = &empty;
    if (!in.body.is_null()) {
        auto body = body_object(in.body);
        if (!body) return body.error();
        b = *body;
    }
    auto amount = read_amount(*b, "amount", false, 1, 100'000'000);
    if (!amount) return amount.error();
    auto reason = read_reason(*b);
    if (!reason) return reason.error();
    auto description = read_string(*b, "description", false);
    if (!description) return description.error();
    auto metadata = read_metadata(*b);
    if (!metadata) return metadata.error();
    auto r = refund(cx, **payment, *amount, reason->value_or(""), description->value_or(""),
                    metadata->value_or(json::object()));
    if (!r) return r.error();
    return single("refund", (*r)->id(), (*r)->data, 201);
}

outcome<reply> payment_balance_transactions(call_context& cx, call_input const& in)
{
    auto payment = find_visible(cx, cx.data.payments, "payment", in.path.at("id"));
    if (!payment) return payment.error();
    auto const& p = **payment;
    struct movement {
        std::int64_t at;
        std::string type;
        std::int64_t amount;
        std::string source_id;
        std::string source_type;
    };
    std::vector<movement> moves;
    auto const status = get_string(p.data, "status");
    bool const settled = status == "succeeded" || status == "partially_refunded" || status == "fully_refunded" ||
                         status == "disputed";
    if (settled) {
        moves.push_back({p.key.created_us, "payment", get_int(p.data, "amount"), p.id(), "Payment"});
        moves.push_back({p.key.created_us, "payment_fee", -get_int(p.data, "fee_amount"),
                         get_string(p.data.at("application_fee").as_object(), "id"), "ApplicationFee"});
    }
    // Exact creation times come from the records; the JSON shows whole seconds.
    auto const created_at = [&](collection const& c, json::object const& o) {
        auto const* r = c.find(get_string(o, "id"));
        return r ? r->key.created_us : parse_timestamp(get_string(o, "created_at")).value_or(p.key.created_us);
    };
    for (auto const& r : p.data.at("refunds").as_array()) {
        auto const& refund = r.as_object();
        auto const at = created_at(cx.data.refunds, refund);
        moves.push_back({at, "refund", -get_int(refund, "amount"), get_string(refund, "id"), "Refund"});
    }
    for (auto const& x : p.data.at("disputes").as_array()) {
        auto const& dispute = x.as_object();
        auto const at = created_at(cx.data.disputes, dispute);
        moves.push_back({at, "dispute", -get_int(dispute, "amount"), get_string(dispute, "id"), "Dispute"});
        moves.push_back({at, "dispute_fee", -1500, get_string(dispute, "id"), "Dispute"});
        if (get_string(dispute, "status") == "won")
            moves.push_back({at + 9 * us_per_day, "dispute_refund", get_int(dispute, "amount"), get_string(dispute, "id"),
                             "Dispute"});
    }
    if (auto const payout_id = get_string(p.hidden, "payout_id"); !payout_id.empty())
        if (auto const* po = cx.data.payouts.find(payout_id))
            moves.push_back({po->key.created_us, "payout", 0, payout_id, "Payout"});
    std::stable_sort(moves.begin(), moves.end(), [](movement const& a, movement const& b) { return a.at < b.at; });

    std::vector<record> items;
    std::int64_t balance = 0;
    for (std::size_t i = 0; i < moves.size(); ++i) {
        auto& m = moves[i];
        // Strictly increasing times keep the list in the order the money moved.
        if (i > 0 && m.at <= moves[i - 1].at) m.at = moves[i - 1].at + 1;
        if (m.type == "payout") m.amount = -balance;  // the payout sweeps what the payment left
        balance += m.amount;
        auto const id = derived_id("pbt_", p.id() + "/" + m.type + "/" + m.source_id);
        auto const at = iso8601(m.at);
        record r;
        r.key = {m.at, id};
        r.account_id = p.account_id;
        r.data = {{"id", id},
                  {"amount", m.amount},
                  {"balance", balance},
                  {"currency", "usd"},
                  {"financial_transaction_id", get_string(p.data, "financial_transaction_id")},
                  {"payment_id", p.id()},
                  {"payment_balance_txn_type", m.type},
                  {"source_id", m.source_id},
                  {"source_type", m.source_type},
                  {"created_at", at},
                  {"updated_at", at}};
        items.push_back(std::move(r));
    }
    std::sort(items.begin(), items.end(), [](record const& a, record const& b) { return a.key > b.key; });
    std::vector<record const*> view;
    for (auto const& r : items) view.push_back(&r);
    return list_page(view, in.query);
}

outcome<reply> create_payment_method(call_context& cx, call_input const& in)
{
    auto body = body_object(in.body);
    if (!body) return body.error();
    bool force = false;
    if (auto const* f = (*body)->if_contains("force_tokenize"); f && f->is_bool()) force = f->as_bool();
    auto const* pm_value = (*body)->if_contains("payment_method");
    record* group = nullptr;
    if (pm_value && pm_value->is_object()) {
        auto const& pm = pm_value->as_object();
        if (pm.contains("token"))
            return unprocessable("parameter_invalid", "payment_method takes card or bank_account here, not a token",
                                 "payment_method.token");
        auto group_id = get_string(pm, "payment_method_group_id");
        if (group_id.empty()) group_id = get_string(pm, "payment_method_group");
        if (!group_id.empty()) {
            group = cx.data.payment_method_groups.find(group_id);
            if (!group || group->account_id != cx.sub_account)
                return not_found("payment method group", group_id, "payment_method.payment_method_group_id");
        }
    }
    auto method = resolve_payment_method(cx, **body, cx.sub_account, true, force);
    if (!method) return method.error();
    if (group) group->data["payment_methods"].as_array().push_back(payment_method_summary(**method));
    return single("payment_method", (*method)->id(), (*method)->data, 201);
}

outcome<reply> create_checkout(call_context& cx, call_input const& in)
{
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto const& b = **body;
    auto amount = read_amount(b, "amount", true, 50, 100'000'000);
    if (!amount) return amount.error();
    auto description = read_string(b, "description", true);
    if (!description) return description.error();
    auto descriptor = read_string(b, "statement_descriptor", false, 22);
    if (!descriptor) return descriptor.error();
    auto origin = read_string(b, "origin_url", false);
    if (!origin) return origin.error();
    auto group_id = read_string(b, "payment_method_group_id", false);
    if (!group_id) return group_id.error();
    record const* group = nullptr;
    if (*group_id) {
        group = cx.data.payment_method_groups.find(**group_id);
        if (!group || group->account_id != cx.sub_account)
            return not_found("payment method group", **group_id, "payment_method_group_id");
    }
    auto& d = cx.data;
    auto const id = d.random.id("cho_");
    auto const created = d.stamp(cx.now_us);
    auto data = make_checkout(id, cx.sub_account, d.platform_account_id, **amount, **description, "created", created);
    if (*descriptor) data["statement_descriptor"] = **descriptor;
    if (group) {
        data["payment_method_group_id"] = group->id();
        data["payment_methods"] = group->data.at("payment_methods");
    }
    if (auto const* fees = b.if_contains("application_fees"); fees && fees->is_object())
        data["application_fees"] = fees->as_object();
    if (auto const* payment = b.if_contains("payment"); payment && payment->is_object()) {
        auto p = payment->as_object();
        if (!p.contains("description")) p["description"] = **description;
        if (!p.contains("metadata")) p["metadata"] = json::object();
        data["payment"] = std::move(p);
    }
    record r;
    r.key = {created, id};
    r.account_id = cx.sub_account;
    r.data = std::move(data);
    auto* checkout = d.checkouts.add(std::move(r));
    return single("checkout", id, checkout->data, 201);
}

outcome<reply> update_checkout(call_context& cx, call_input const& in)
{
    auto checkout = find_visible(cx, cx.data.checkouts, "checkout", in.path.at("id"));
    if (!checkout) return checkout.error();
    auto& c = (*checkout)->data;
    auto const status = get_string(c, "status");
    if (status != "created" && status != "attempted")
        return unprocessable("checkout_not_editable",
                             "Checkout " + (*checkout)->id() + " has status " + status + " and can no longer be changed");
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto const& b = **body;
    auto amount = read_amount(b, "amount", false, 50, 100'000'000);
    if (!amount) return amount.error();
    auto description = read_string(b, "description", false);
    if (!description) return description.error();
    auto descriptor = read_string(b, "statement_descriptor", false, 22);
    if (!descriptor) return descriptor.error();
    if (*amount) c["payment_amount"] = **amount;
    if (*description) c["payment_description"] = **description;
    if (*descriptor) c["statement_descriptor"] = **descriptor;
    if (auto const* fees = b.if_contains("application_fees"); fees && fees->is_object()) c["application_fees"] = fees->as_object();
    c["updated_at"] = iso8601(cx.now_us);
    return single("checkout", (*checkout)->id(), c);
}

outcome<reply> complete_checkout(call_context& cx, call_input const& in)
{
    auto checkout = find_visible(cx, cx.data.checkouts, "checkout", in.path.at("id"));
    if (!checkout) return checkout.error();
    auto& c = (*checkout)->data;
    auto const& checkout_id = (*checkout)->id();
    auto const status = get_string(c, "status");
    if (status == "completed")
        return unprocessable("checkout_already_completed",
                             "Checkout " + checkout_id + " is already completed (payment " +
                                 get_string(c, "successful_payment_id") + ")");
    if (status == "expired") return unprocessable("checkout_expired", "Checkout " + checkout_id + " has expired");
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto token = read_string(**body, "payment_token", true);
    if (!token) return token.error();
    auto* method = find_payment_method(cx, **token, (*checkout)->account_id);
    if (!method)
        return api_error{404, "payment_method_not_found",
                         "Payment method not found: no token \"" + **token + "\" on sub account " +
                             (*checkout)->account_id,
                         "payment_token", {}};

    charge_request rq;
    rq.account_id = (*checkout)->account_id;
    rq.method = method;
    rq.amount = get_int(c, "payment_amount");
    auto const& payment_settings = c.at("payment").as_object();
    rq.description = get_string(payment_settings, "description");
    if (rq.description.empty()) rq.description = get_string(c, "payment_description");
    if (auto const* md = payment_settings.if_contains("metadata"); md && md->is_object()) rq.metadata = md->as_object();
    if (auto const* e = payment_settings.if_contains("expedited"); e && e->is_bool()) rq.expedited = e->as_bool();
    if (auto const* fees = c.if_contains("application_fees"); fees && fees->is_object()) {
        auto const* fee = fees->as_object().if_contains(is_card(*method) ? "card" : "bank_account");
        if (fee && fee->is_object() && fee->as_object().contains("amount"))
            rq.application_fee_amount = get_int(fee->as_object(), "amount");
    }
    rq.statement_descriptor = get_string(c, "statement_descriptor");
    rq.checkout_id = checkout_id;
    auto const result = charge(cx, rq);
    auto& d = cx.data;
    auto const& declined = result.declined;
    auto completion = make_completion(d.random.id("chc_"), checkout_id, *method, result.payment->id(), !declined,
                                      declined ? (declined->decline_code.empty() ? declined->code : declined->decline_code) : "",
                                      declined ? declined->message : "", cx.now_us);
    if (!declined) completion["payment_status"] = get_string(result.payment->data, "status");  // ACH: pending
    c["completions"].as_array().push_back(completion);
    c["status"] = declined ? "attempted" : "completed";
    if (!declined) c["successful_payment_id"] = result.payment->id();
    c["updated_at"] = iso8601(cx.now_us);

    auto response = completion;
    response["payment_response"] = payment_envelope(*result.payment);
    response["checkout"] = c;
    response["terminal_id"] = nullptr;
    auto const completion_id = get_string(completion, "id");
    return single("checkout_completion", completion_id, std::move(response), 201);
}

outcome<reply> refund_checkout(call_context& cx, call_input const& in)
{
    auto checkout = find_visible(cx, cx.data.checkouts, "checkout", in.path.at("id"));
    if (!checkout) return checkout.error();
    auto const& c = (*checkout)->data;
    auto const& checkout_id = (*checkout)->id();
    if (get_string(c, "status") != "completed")
        return unprocessable("checkout_not_completed", "Checkout " + checkout_id + " has status " +
                                                           get_string(c, "status") +
                                                           "; only a completed checkout has a payment to refund");
    json::object const empty;
    json::object const* b = &empty;
    if (!in.body.is_null()) {
        auto body = body_object(in.body);
        if (!body) return body.error();
        b = *body;
    }
    auto amount = read_amount(*b, "amount", false, 1, 100'000'000);
    if (!amount) return amount.error();
    auto* payment = cx.data.payments.find(get_string(c, "successful_payment_id"));
    if (!payment) return not_found("payment", get_string(c, "successful_payment_id"));
    auto r = refund(cx, *payment, *amount, "customer_request", "Refund of checkout " + checkout_id, {});
    if (!r) return r.error();
    auto& d = cx.data;
    auto const id = d.random.id("chr_");
    auto const at = iso8601(cx.now_us);
    json::object data{{"id", id},
                      {"checkout_id", checkout_id},
                      {"status", "succeeded"},
                      {"refund_response", nullptr},
                      {"refund_amount", get_int((*r)->data, "amount")},
                      {"refund_id", (*r)->id()},
                      {"payment_id", payment->id()},
                      {"created_at", at},
                      {"updated_at", at}};
    return single("checkout_refund", id, std::move(data));
}

outcome<reply> create_payment_intent(call_context& cx, call_input const& in)
{
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto const& b = **body;
    auto amount = read_usd_charge(b);
    if (!amount) return amount.error();
    auto description = read_string(b, "description", false);
    if (!description) return description.error();
    auto metadata = read_metadata(b);
    if (!metadata) return metadata.error();
    auto& d = cx.data;
    auto const id = d.random.id("pi_");
    auto const created = d.stamp(cx.now_us);
    auto const at = iso8601(created);
    record r;
    r.key = {created, id};
    r.account_id = cx.sub_account;
    r.data = {{"id", id},
              {"account_id", cx.sub_account},
              {"amount", **amount},
              {"currency", "usd"},
              {"description", *description ? json::value(**description) : json::value(nullptr)},
              {"metadata", metadata->value_or(json::object())},
              {"payment_method", nullptr},
              {"status", "requires_payment_method"},
              {"successful_payment_id", nullptr},
              {"created_at", at},
              {"updated_at", at}};
    auto* intent = d.payment_intents.add(std::move(r));
    return single("payment_intent", id, intent->data, 201);
}

outcome<reply> update_payment_intent(call_context& cx, call_input const& in)
{
    auto intent = find_visible(cx, cx.data.payment_intents, "payment intent", in.path.at("id"));
    if (!intent) return intent.error();
    auto& pi = (*intent)->data;
    auto const status = get_string(pi, "status");
    if (status == "succeeded" || status == "canceled")
        return unprocessable("payment_intent_unexpected_state",
                             "Payment intent " + (*intent)->id() + " has status " + status + " and can no longer be changed");
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto const& b = **body;
    auto amount = read_amount(b, "amount", false, 50, 100'000'000);
    if (!amount) return amount.error();
    auto description = read_string(b, "description", false);
    if (!description) return description.error();
    auto metadata = read_metadata(b);
    if (!metadata) return metadata.error();
    if (b.contains("payment_method")) {
        auto method = resolve_payment_method(cx, b, (*intent)->account_id, false);
        if (!method) return method.error();
        pi["payment_method"] = (*method)->data;
        (*intent)->hidden["payment_method_id"] = (*method)->id();
        pi["status"] = "requires_capture";
    }
    if (*amount) pi["amount"] = **amount;
    if (*description) pi["description"] = **description;
    if (*metadata) pi["metadata"] = **metadata;
    pi["updated_at"] = iso8601(cx.now_us);
    return single("payment_intent", (*intent)->id(), pi);
}

outcome<reply> capture_payment_intent(call_context& cx, call_input const& in)
{
    auto intent = find_visible(cx, cx.data.payment_intents, "payment intent", in.path.at("id"));
    if (!intent) return intent.error();
    auto& pi = (*intent)->data;
    auto const& id = (*intent)->id();
    auto const status = get_string(pi, "status");
    if (status == "succeeded" || status == "canceled")
        return unprocessable("payment_intent_cannot_be_captured",
                             "Payment Intent status is '" + status + "' so it cannot be captured");
    if (!in.body.is_null()) {
        auto body = body_object(in.body);
        if (!body) return body.error();
        if ((*body)->contains("payment_method")) {
            auto method = resolve_payment_method(cx, **body, (*intent)->account_id, false);
            if (!method) return method.error();
            pi["payment_method"] = (*method)->data;
            (*intent)->hidden["payment_method_id"] = (*method)->id();
        }
    }
    auto method_id = get_string((*intent)->hidden, "payment_method_id");
    if (method_id.empty() && pi.at("payment_method").is_object()) {
        auto const& pm = pi.at("payment_method").as_object();
        auto const* inner = pm.if_contains("card") ? pm.if_contains("card") : pm.if_contains("bank_account");
        if (inner && inner->is_object()) method_id = get_string(inner->as_object(), "id");
    }
    auto* method = method_id.empty() ? nullptr : find_payment_method_by_id(cx.data, method_id);
    if (!method)
        return unprocessable("payment_method_required",
                             "Payment intent " + id + " has no payment method: pass payment_method in the body",
                             "payment_method");
    charge_request rq;
    rq.account_id = (*intent)->account_id;
    rq.method = method;
    rq.amount = get_int(pi, "amount");
    rq.description = get_string(pi, "description");
    if (auto const* md = pi.if_contains("metadata"); md && md->is_object()) rq.metadata = md->as_object();
    rq.payment_intent_id = id;
    auto const result = charge(cx, rq);
    if (result.declined) {
        pi["status"] = "requires_payment_method";
        pi["updated_at"] = iso8601(cx.now_us);
        return decline_error(*result.declined);
    }
    pi["status"] = "succeeded";
    pi["successful_payment_id"] = result.payment->id();
    pi["updated_at"] = iso8601(cx.now_us);
    return single("payment_intent", id, pi, 201);
}

outcome<reply> payment_intent_payments(call_context& cx, call_input const& in)
{
    auto intent = find_visible(cx, cx.data.payment_intents, "payment intent", in.path.at("id"));
    if (!intent) return intent.error();
    auto const& id = (*intent)->id();
    return list_of(cx, cx.data.payments, in.query,
                   [&](record const& p) { return get_string(p.data, "payment_intent_id") == id; });
}

}  // namespace justifi::mock
