#include "mock/resources.hpp"

#include "mock/objects.hpp"
#include "mock/payments.hpp"

#include <algorithm>
#include <cmath>

namespace justifi::mock {

using verb = boost::beast::http::verb;

bool sub_account_exists(dataset const& d, std::string_view id) { return d.sub_accounts.find(id) != nullptr; }

bool visible(call_context const& cx, record const& r)
{
    return cx.sub_account.empty() || r.account_id.empty() || r.account_id == cx.sub_account;
}

outcome<record*> find_visible(call_context& cx, collection& c, std::string_view what, std::string_view id)
{
    auto* r = c.find(id);
    if (!r || !visible(cx, *r)) return not_found(what, id);
    return r;
}

record* find_payment_method(call_context& cx, std::string_view token, std::string_view account_id)
{
    if (auto* r = cx.data.payment_methods.find(token)) {
        bool const allowed = account_id.empty() ? visible(cx, *r) : r->account_id == account_id;
        if (allowed) return r;
    }
    return cx.data.test_payment_methods.find(token);
}

reply single(std::string_view type, std::string_view id, json::value data, int status)
{
    json::object envelope;
    envelope["id"] = id;
    envelope["type"] = type;
    envelope["data"] = std::move(data);
    envelope["page_info"] = nullptr;
    return {status, std::move(envelope)};
}

outcome<reply> list_page(std::vector<record const*> const& items, query_params const& query)
{
    auto request = parse_page_request(query);
    if (!request) return request.error();
    auto const window = paginate(items, *request, [](record const* r) -> sort_key const& { return r->key; });
    json::array data;
    for (auto i = window.begin; i < window.end; ++i) data.push_back(items[i]->data);
    bool const empty = window.begin == window.end;
    json::object envelope;
    envelope["id"] = 1;
    envelope["type"] = "array";
    envelope["data"] = std::move(data);
    envelope["page_info"] = page_info(window, empty ? nullptr : &items[window.begin]->key,
                                      empty ? nullptr : &items[window.end - 1]->key);
    return reply{200, std::move(envelope)};
}

outcome<reply> list_of(call_context& cx, collection const& c, query_params const& query,
                       std::function<bool(record const&)> const& keep)
{
    std::vector<record const*> items;
    c.for_each_newest([&](record const& r) {
        if (visible(cx, r) && (!keep || keep(r))) items.push_back(&r);
    });
    return list_page(items, query);
}

outcome<json::object const*> body_object(json::value const& body)
{
    if (!body.is_object())
        return bad_request("invalid_request_body", "The request body must be a JSON object");
    return &body.as_object();
}

outcome<std::optional<std::int64_t>> read_amount(json::object const& o, std::string_view field, bool required,
                                                 std::int64_t min, std::int64_t max)
{
    std::string const name(field);
    auto const* v = o.if_contains(field);
    if (!v || v->is_null()) {
        if (required) return unprocessable(name == "amount" ? "amount_required" : "parameter_missing",
                                           "Missing required parameter: " + name, name);
        return std::optional<std::int64_t>{};
    }
    std::int64_t n = 0;
    if (v->is_int64()) n = v->as_int64();
    else if (v->is_uint64()) n = v->as_uint64() > static_cast<std::uint64_t>(max) ? max + 1 : static_cast<std::int64_t>(v->as_uint64());
    else if (v->is_double() && std::floor(v->as_double()) == v->as_double() && std::abs(v->as_double()) < 1e15)
        n = static_cast<std::int64_t>(v->as_double());
    else
        return unprocessable("amount_must_be_an_integer",
                             name + " must be an integer number of cents (e.g. 1050 for $10.50)", name);
    if (n < min)
        return unprocessable("amount_below_minimum", name + " must be at least " + std::to_string(min) + " cents", name);
    if (n > max)
        return unprocessable("amount_above_maximum", name + " must be at most " + std::to_string(max) + " cents", name);
    return std::optional<std::int64_t>{n};
}

outcome<std::optional<std::string>> read_string(json::object const& o, std::string_view field, bool required,
                                                std::size_t max_length)
{
    std::string const name(field);
    auto const* v = o.if_contains(field);
    if (!v || v->is_null()) {
        if (required) {
            auto const code = name == "currency" ? "currency_required" : name == "email" ? "email_required" : "parameter_missing";
            return unprocessable(code, "Missing required parameter: " + name, name);
        }
        return std::optional<std::string>{};
    }
    if (!v->is_string()) return unprocessable("parameter_invalid", name + " must be a string", name);
    if (required && v->as_string().empty()) return unprocessable("parameter_missing", name + " must not be empty", name);
    if (v->as_string().size() > max_length)
        return unprocessable("parameter_invalid", name + " must be at most " + std::to_string(max_length) + " characters",
                             name);
    return std::optional<std::string>{std::string(v->as_string())};
}

outcome<std::optional<json::object>> read_metadata(json::object const& o)
{
    auto const* v = o.if_contains("metadata");
    if (!v || v->is_null()) return std::optional<json::object>{};
    if (!v->is_object()) return unprocessable("parameter_invalid", "metadata must be a JSON object", "metadata");
    return std::optional<json::object>{v->as_object()};
}

outcome<std::optional<std::int64_t>> read_time_filter(query_params const& q, std::string_view name)
{
    auto const it = q.find(name);
    if (it == q.end() || it->second.empty()) return std::optional<std::int64_t>{};
    auto const t = parse_timestamp(it->second);
    if (!t)
        return bad_request("invalid_parameter",
                           std::string(name) + " must be an ISO 8601 date-time such as 2022-01-01T00:00:00Z (or a date)",
                           std::string(name));
    return std::optional<std::int64_t>{*t};
}

namespace {

std::string query_value(query_params const& q, std::string_view name)
{
    auto const it = q.find(name);
    return it == q.end() ? std::string() : it->second;
}

// created_before / created_after (and deposits_*) as a predicate on one timestamp field.
outcome<std::function<bool(record const&)>> time_window(query_params const& q, std::string_view prefix,
                                                        std::string_view field)
{
    auto before = read_time_filter(q, std::string(prefix) + "_before");
    if (!before) return before.error();
    auto after = read_time_filter(q, std::string(prefix) + "_after");
    if (!after) return after.error();
    std::string const f(field);
    auto const b = *before;
    auto const a = *after;
    return std::function<bool(record const&)>([=](record const& r) {
        if (!b && !a) return true;
        auto const t = f == "created_at" ? std::optional<std::int64_t>(r.key.created_us)
                                         : parse_timestamp(get_string(r.data, f));
        if (!t) return false;
        return (!b || *t < *b) && (!a || *t > *a);
    });
}

outcome<std::string> enum_filter(query_params const& q, std::string_view name, std::vector<std::string_view> allowed)
{
    auto value = query_value(q, name);
    if (value.empty()) return value;
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return bad_request("invalid_parameter", std::string(name) + " must be one of: " + list, std::string(name));
}

std::string method_id_of_payment(record const& p)
{
    if (auto id = get_string(p.hidden, "payment_method_id"); !id.empty()) return id;
    auto const* pm = p.data.if_contains("payment_method");
    if (!pm || !pm->is_object()) return {};
    for (auto const* kind : {"card", "bank_account"})
        if (auto const* inner = pm->as_object().if_contains(kind); inner && inner->is_object())
            return get_string(inner->as_object(), "id");
    return {};
}

outcome<reply> list_payments(call_context& cx, call_input const& in)
{
    auto status = enum_filter(in.query, "payment_status",
                              {"succeeded", "failed", "pending", "authorized", "refunded", "disputed", "canceled",
                               "partially_refunded", "fully_refunded"});
    if (!status) return status.error();
    auto window = time_window(in.query, "created", "created_at");
    if (!window) return window.error();
    auto const method = query_value(in.query, "payment_method_id");
    auto const wanted = *status;
    auto const in_window = *window;
    return list_of(cx, cx.data.payments, in.query, [&](record const& p) {
        if (!wanted.empty()) {
            auto const s = get_string(p.data, "status");
            // "refunded" covers both partial and full refunds.
            bool const match = wanted == "refunded" ? (s == "partially_refunded" || s == "fully_refunded") : s == wanted;
            if (!match) return false;
        }
        if (!method.empty() && method_id_of_payment(p) != method) return false;
        return in_window(p);
    });
}

outcome<reply> get_payment(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.payments, "payment", in.path.at("id"));
    if (!r) return r.error();
    return single("payment", (*r)->id(), (*r)->data);
}

// Lists and retrievals without filters of their own.
template <collection dataset::*Member>
outcome<reply> list_all(call_context& cx, call_input const& in)
{
    return list_of(cx, cx.data.*Member, in.query);
}

template <collection dataset::*Member, char const* Type, char const* What>
outcome<reply> get_one(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.*Member, What, in.path.at("id"));
    if (!r) return r.error();
    return single(Type, (*r)->id(), (*r)->data);
}

constexpr char refund_type[] = "refund";
constexpr char refund_what[] = "refund";
constexpr char payout_type[] = "payout";
constexpr char payout_what[] = "payout";
constexpr char proceeds_what[] = "proceeds payout";
constexpr char balance_type[] = "balance_transaction";
constexpr char balance_what[] = "balance transaction";
constexpr char dispute_type[] = "dispute";
constexpr char dispute_what[] = "dispute";
constexpr char checkout_type[] = "checkout";
constexpr char checkout_what[] = "checkout";
constexpr char group_type[] = "payment_method_group";
constexpr char group_what[] = "payment method group";
constexpr char sub_account_type[] = "sub_account";
constexpr char sub_account_what[] = "sub account";
constexpr char terminal_type[] = "terminal";
constexpr char terminal_what[] = "terminal";
constexpr char intent_type[] = "payment_intent";
constexpr char intent_what[] = "payment intent";

outcome<reply> list_payouts_like(call_context& cx, call_input const& in, collection const& c)
{
    auto created = time_window(in.query, "created", "created_at");
    if (!created) return created.error();
    auto deposits = time_window(in.query, "deposits", "deposits_at");
    if (!deposits) return deposits.error();
    auto const a = *created;
    auto const b = *deposits;
    return list_of(cx, c, in.query, [&](record const& r) { return a(r) && b(r); });
}

outcome<reply> list_payouts(call_context& cx, call_input const& in) { return list_payouts_like(cx, in, cx.data.payouts); }
outcome<reply> list_proceeds(call_context& cx, call_input const& in) { return list_payouts_like(cx, in, cx.data.proceeds); }

outcome<reply> list_balance_transactions(call_context& cx, call_input const& in)
{
    auto const payout = query_value(in.query, "payout_id");
    return list_of(cx, cx.data.balance_transactions, in.query,
                   [&](record const& r) { return payout.empty() || get_string(r.data, "payout_id") == payout; });
}

outcome<reply> list_checkouts(call_context& cx, call_input const& in)
{
    auto status = enum_filter(in.query, "status", {"created", "completed", "attempted", "expired"});
    if (!status) return status.error();
    auto mode = enum_filter(in.query, "payment_mode", {"bnpl", "ecom", "card_present"});
    if (!mode) return mode.error();
    auto const payment_status = query_value(in.query, "payment_status");
    auto const s = *status;
    auto const m = *mode;
    return list_of(cx, cx.data.checkouts, in.query, [&](record const& r) {
        if (!s.empty() && get_string(r.data, "status") != s) return false;
        auto const& completions = r.data.at("completions").as_array();
        auto const* last = completions.empty() ? nullptr : &completions.back().as_object();
        if (!m.empty() && (!last || get_string(*last, "payment_mode") != m)) return false;
        if (!payment_status.empty() && (!last || get_string(*last, "payment_status") != payment_status)) return false;
        return true;
    });
}

bool group_has(record const& group, std::string_view payment_method_id)
{
    for (auto const& m : group.data.at("payment_methods").as_array())
        if (get_string(m.as_object(), "id") == payment_method_id) return true;
    return false;
}

outcome<reply> list_payment_methods(call_context& cx, call_input const& in)
{
    auto const customer = query_value(in.query, "customer_id");
    auto const group_id = query_value(in.query, "payment_method_group_id");
    record const* group = nullptr;
    if (!group_id.empty()) {
        group = cx.data.payment_method_groups.find(group_id);
        if (!group || !visible(cx, *group)) return not_found("payment method group", group_id, "payment_method_group_id");
    }
    return list_of(cx, cx.data.payment_methods, in.query, [&](record const& r) {
        if (!customer.empty() && get_string(r.data, "customer_id") != customer) return false;
        return !group || group_has(*group, r.id());
    });
}

outcome<reply> get_payment_method(call_context& cx, call_input const& in)
{
    auto const& token = in.path.at("token");
    auto* r = find_payment_method(cx, token);
    if (!r) return not_found("payment method", token);
    return single("payment_method", r->id(), r->data);
}

outcome<reply> list_sub_accounts(call_context& cx, call_input const& in)
{
    auto status = enum_filter(in.query, "status",
                              {"created", "submitted", "information_needed", "rejected", "enabled", "disabled", "archived"});
    if (!status) return status.error();
    auto const business = query_value(in.query, "business_id");
    auto const s = *status;
    return list_of(cx, cx.data.sub_accounts, in.query, [&](record const& r) {
        return (s.empty() || get_string(r.data, "status") == s) &&
               (business.empty() || get_string(r.data, "business_id") == business);
    });
}

outcome<reply> get_payout_account(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.sub_accounts, "sub account", in.path.at("id"));
    if (!r) return r.error();
    auto const& account = cx.data.payout_accounts.at((*r)->id());
    return single("payout_bank_account", get_string(account, "id"), account);
}

outcome<reply> get_settings(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.sub_accounts, "sub account", in.path.at("id"));
    if (!r) return r.error();
    return single("sub_account_settings", (*r)->id(), cx.data.account_settings.at((*r)->id()));
}

outcome<reply> list_terminals(call_context& cx, call_input const& in)
{
    auto status = enum_filter(in.query, "status", {"connected", "disconnected", "unknown", "pending_configuration"});
    if (!status) return status.error();
    auto const terminal = query_value(in.query, "terminal_id");
    auto const provider = query_value(in.query, "provider_id");
    auto const s = *status;
    return list_of(cx, cx.data.terminals, in.query, [&](record const& r) {
        return (s.empty() || get_string(r.data, "status") == s) && (terminal.empty() || r.id() == terminal) &&
               (provider.empty() || get_string(r.data, "provider_id") == provider);
    });
}

outcome<reply> update_terminal(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.terminals, "terminal", in.path.at("id"));
    if (!r) return r.error();
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto nickname = read_string(**body, "nickname", true, 100);
    if (!nickname) return nickname.error();
    (*r)->data["nickname"] = **nickname;
    (*r)->data["updated_at"] = iso8601(cx.now_us);
    return single("terminal", (*r)->id(), (*r)->data);
}

outcome<reply> terminal_status(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.terminals, "terminal", in.path.at("id"));
    if (!r) return r.error();
    auto status = get_string((*r)->data, "status");
    std::transform(status.begin(), status.end(), status.begin(), [](unsigned char c) { return std::toupper(c); });
    (*r)->data["status_last_requested_at"] = iso8601(cx.now_us);
    json::object data{{"id", (*r)->id()},
                      {"status", status},
                      {"last_date_time_connected", iso8601(get_int((*r)->hidden, "last_connected"))},
                      {"last_date_time_active", iso8601(get_int((*r)->hidden, "last_active"))}};
    return single("terminal", (*r)->id(), std::move(data));
}

outcome<reply> identify_terminal(call_context& cx, call_input const& in)
{
    auto r = find_visible(cx, cx.data.terminals, "terminal", in.path.at("id"));
    if (!r) return r.error();
    return reply{204, nullptr};
}

outcome<std::vector<record*>> read_group_members(call_context& cx, json::object const& body, std::string const& account_id,
                                                 bool required)
{
    std::vector<record*> members;
    auto const* ids = body.if_contains("payment_method_ids");
    if (!ids || ids->is_null()) {
        if (required) return unprocessable("parameter_missing", "Missing required parameter: payment_method_ids", "payment_method_ids");
        return members;
    }
    if (!ids->is_array()) return unprocessable("parameter_invalid", "payment_method_ids must be an array of payment method ids", "payment_method_ids");
    for (auto const& id : ids->as_array()) {
        if (!id.is_string()) return unprocessable("parameter_invalid", "payment_method_ids must hold strings", "payment_method_ids");
        auto* pm = cx.data.payment_methods.find(id.as_string());
        if (!pm || pm->account_id != account_id)
            return unprocessable("payment_method_not_found",
                                 "Payment method " + std::string(id.as_string()) + " does not exist on sub account " + account_id,
                                 "payment_method_ids");
        members.push_back(pm);
    }
    return members;
}

outcome<reply> create_group(call_context& cx, call_input const& in)
{
    json::object const empty;
    json::object const* b = &empty;
    if (!in.body.is_null()) {
        auto body = body_object(in.body);
        if (!body) return body.error();
        b = *body;
    }
    auto name = read_string(*b, "name", false, 200);
    if (!name) return name.error();
    auto description = read_string(*b, "description", false);
    if (!description) return description.error();
    auto members = read_group_members(cx, *b, cx.sub_account, false);
    if (!members) return members.error();
    auto& d = cx.data;
    auto const id = d.random.id("pmg_");
    auto const created = d.stamp(cx.now_us);
    json::array summaries;
    for (auto* pm : *members) summaries.push_back(payment_method_summary(*pm));
    record r;
    r.key = {created, id};
    r.account_id = cx.sub_account;
    r.data = {{"id", id},
              {"account_id", cx.sub_account},
              {"platform_account_id", d.platform_account_id},
              {"name", name->value_or("")},
              {"description", *description ? json::value(**description) : json::value(nullptr)},
              {"payment_methods", std::move(summaries)},
              {"created_at", iso8601(created)},
              {"updated_at", iso8601(created)}};
    auto* group = d.payment_method_groups.add(std::move(r));
    return single("payment_method_group", id, group->data, 201);
}

outcome<reply> update_group(call_context& cx, call_input const& in)
{
    auto group = find_visible(cx, cx.data.payment_method_groups, "payment method group", in.path.at("id"));
    if (!group) return group.error();
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto members = read_group_members(cx, **body, (*group)->account_id, true);
    if (!members) return members.error();
    auto& list = (*group)->data["payment_methods"].as_array();
    for (auto* pm : *members)
        if (!group_has(**group, pm->id())) list.push_back(payment_method_summary(*pm));
    (*group)->data["updated_at"] = iso8601(cx.now_us);
    return single("payment_method_group", (*group)->id(), (*group)->data);
}

outcome<reply> remove_group_member(call_context& cx, call_input const& in)
{
    auto group = find_visible(cx, cx.data.payment_method_groups, "payment method group", in.path.at("id"));
    if (!group) return group.error();
    auto const& pm_id = in.path.at("payment_method_id");
    auto& list = (*group)->data["payment_methods"].as_array();
    auto const it = std::find_if(list.begin(), list.end(),
                                 [&](json::value const& m) { return get_string(m.as_object(), "id") == pm_id; });
    if (it == list.end())
        return api_error{404, "not_found",
                         "Payment method " + pm_id + " is not in payment method group " + (*group)->id(),
                         "payment_method_id", {}};
    list.erase(it);
    (*group)->data["updated_at"] = iso8601(cx.now_us);
    return single("payment_method_group", (*group)->id(), (*group)->data);
}

outcome<reply> web_component_token(call_context& cx, call_input const& in)
{
    auto body = body_object(in.body);
    if (!body) return body.error();
    auto const* resources = (*body)->if_contains("resources");
    if (!resources || !resources->is_array() || resources->as_array().empty())
        return unprocessable("parameter_missing",
                             "resources is required: an array such as [\"write:account:acc_123\"] (role:resource:id)",
                             "resources");
    for (auto const& r : resources->as_array()) {
        std::string_view const text = r.is_string() ? std::string_view(r.as_string()) : std::string_view();
        auto const first = text.find(':');
        auto const second = first == std::string_view::npos ? first : text.find(':', first + 1);
        auto const role = text.substr(0, first);
        bool const ok = second != std::string_view::npos && second + 1 < text.size() && (role == "read" || role == "write");
        if (!ok)
            return unprocessable("parameter_invalid",
                                 "each resource must look like read:account:acc_123 or write:business:biz_123",
                                 "resources");
    }
    json::object data{{"access_token", "wct_" + cx.data.random.id("") + cx.data.random.id("")}, {"expires_in", 3600}};
    return reply{200, std::move(data)};
}

}  // namespace

std::vector<operation> const& operations()
{
    using d = dataset;
    static std::vector<operation> const table{
        {verb::get, "/v1/payments", false, false, list_payments},
        {verb::post, "/v1/payments", true, true, create_payment},
        {verb::get, "/v1/payments/{id}", false, false, get_payment},
        {verb::patch, "/v1/payments/{id}", true, false, update_payment},
        {verb::get, "/v1/payments/{id}/payment_balance_transactions", false, false, payment_balance_transactions},
        {verb::post, "/v1/payments/{id}/capture", true, false, capture_payment},
        {verb::post, "/v1/payments/{id}/void", true, false, void_payment},
        {verb::post, "/v1/payments/{id}/refunds", true, false, refund_payment},
        {verb::get, "/v1/refunds", false, false, list_all<&d::refunds>},
        {verb::get, "/v1/refunds/{id}", false, false, get_one<&d::refunds, refund_type, refund_what>},
        {verb::get, "/v1/payouts", false, false, list_payouts},
        {verb::get, "/v1/payouts/{id}", false, false, get_one<&d::payouts, payout_type, payout_what>},
        {verb::get, "/v1/proceeds", false, false, list_proceeds},
        {verb::get, "/v1/proceeds/{id}", false, false, get_one<&d::proceeds, payout_type, proceeds_what>},
        {verb::get, "/v1/balance_transactions", false, false, list_balance_transactions},
        {verb::get, "/v1/balance_transactions/{id}", false, false, get_one<&d::balance_transactions, balance_type, balance_what>},
        {verb::get, "/v1/disputes", false, false, list_all<&d::disputes>},
        {verb::get, "/v1/disputes/{id}", false, false, get_one<&d::disputes, dispute_type, dispute_what>},
        {verb::get, "/v1/checkouts", false, false, list_checkouts},
        {verb::post, "/v1/checkouts", false, true, create_checkout},
        {verb::get, "/v1/checkouts/{id}", false, false, get_one<&d::checkouts, checkout_type, checkout_what>},
        {verb::patch, "/v1/checkouts/{id}", false, false, update_checkout},
        {verb::post, "/v1/checkouts/{id}/complete", true, false, complete_checkout},
        {verb::post, "/v1/checkouts/{id}/refunds", true, false, refund_checkout},
        {verb::get, "/v1/payment_methods", false, false, list_payment_methods},
        {verb::post, "/v1/payment_methods", true, true, create_payment_method},
        {verb::get, "/v1/payment_methods/{token}", false, false, get_payment_method},
        {verb::get, "/v1/payment_method_groups", false, false, list_all<&d::payment_method_groups>},
        {verb::post, "/v1/payment_method_groups", false, true, create_group},
        {verb::get, "/v1/payment_method_groups/{id}", false, false, get_one<&d::payment_method_groups, group_type, group_what>},
        {verb::patch, "/v1/payment_method_groups/{id}", false, false, update_group},
        {verb::delete_, "/v1/payment_method_groups/{id}/payment_methods/{payment_method_id}", false, false, remove_group_member},
        {verb::get, "/v1/sub_accounts", false, false, list_sub_accounts},
        {verb::get, "/v1/sub_accounts/{id}", false, false, get_one<&d::sub_accounts, sub_account_type, sub_account_what>},
        {verb::get, "/v1/sub_accounts/{id}/payout_account", false, false, get_payout_account},
        {verb::get, "/v1/sub_accounts/{id}/settings", false, false, get_settings},
        {verb::get, "/v1/terminals", false, false, list_terminals},
        {verb::get, "/v1/terminals/{id}", false, false, get_one<&d::terminals, terminal_type, terminal_what>},
        {verb::patch, "/v1/terminals/{id}", false, false, update_terminal},
        {verb::get, "/v1/terminals/{id}/status", false, false, terminal_status},
        {verb::post, "/v1/terminals/{id}/identify", false, false, identify_terminal},
        {verb::get, "/v1/payment_intents", false, false, list_all<&d::payment_intents>},
        {verb::post, "/v1/payment_intents", true, true, create_payment_intent},
        {verb::get, "/v1/payment_intents/{id}", false, false, get_one<&d::payment_intents, intent_type, intent_what>},
        {verb::patch, "/v1/payment_intents/{id}", true, false, update_payment_intent},
        {verb::post, "/v1/payment_intents/{id}/capture", true, false, capture_payment_intent},
        {verb::get, "/v1/payment_intents/{id}/payments", false, false, payment_intent_payments},
        {verb::post, "/v1/web_component_tokens", false, false, web_component_token},
    };
    return table;
}

}  // namespace justifi::mock
