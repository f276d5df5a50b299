// Every tool of the catalog end to end: the real product binary against the real simulator,
// over Streamable HTTP and over stdio, each tool with its happy path and a representative
// error (404 for an unknown id, an argument refused before anything is sent, a 422 state
// error, a 402 decline). One table row per tool; one run of the whole table per transport.
// Also: tools/list against the catalog, read-only mode, and JUSTIFI_ENABLED_TOOLS; and
// (suite output_contract) every answer's structuredContent against the tool's outputSchema.
#include "tests/support/fixtures.hpp"
#include "tools/catalog.hpp"
#include "tools/schema_validator.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

using namespace justifi::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------
// Small JSON helpers (no range-for over members of temporaries: GCC 12).

json::object const& structured(json::object const& result) { return result.at("structuredContent").as_object(); }
json::value const& data_of(json::object const& result) { return structured(result).at("data"); }

std::string str(json::value const& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }
bool is(json::value const& v, std::string const& s) { return v.is_string() && v.get_string() == s; }
bool starts(json::value const& v, std::string_view prefix) { return v.is_string() && v.get_string().starts_with(prefix); }
bool contains(std::string const& haystack, std::string const& needle) { return haystack.find(needle) != std::string::npos; }

// A payment method's token: JustiFi keeps it in card.id or bank_account.id.
std::string payment_method_id(json::value const& method)
{
    auto const& o = method.as_object();
    for (auto const* kind : {"card", "bank_account"})
        if (auto const* inner = o.if_contains(kind); inner && inner->is_object()) return str(inner->at("id"));
    return {};
}

void reset_simulator(mock_server const& mock)
{
    auto const answer = http_request(mock.port, "POST", "/__mock/reset");
    BOOST_REQUIRE_MESSAGE(answer.status == 200, "POST /__mock/reset answered " << answer.status);
}

std::set<std::string> catalog_names()
{
    std::set<std::string> names;
    for (auto const& def : justifi::tools::justifi_tool_definitions()) names.insert(def.name);
    return names;
}

std::string joined(std::set<std::string> const& names)
{
    std::string out;
    for (auto const& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::set<std::string> missing_from(std::set<std::string> const& wanted, std::set<std::string> const& got)
{
    std::set<std::string> out;
    for (auto const& n : wanted)
        if (!got.contains(n)) out.insert(n);
    return out;
}

// ---------------------------------------------------------------------------------------
// The two transports behind one interface.

class tool_caller {
public:
    virtual ~tool_caller() = default;

    json::object call(std::string const& name, json::object arguments)
    {
        invoked.insert(name);
        auto result = send(name, std::move(arguments));
        answers.emplace_back(name, result);
        return result;
    }

    // A discovery or setup step that has to work for the row to mean anything.
    json::object require(std::string const& name, json::object arguments)
    {
        auto result = call(name, std::move(arguments));
        if (is_error(result)) throw std::runtime_error("setup call " + name + " failed: " + text_of(result));
        return result;
    }

    std::set<std::string> invoked;
    std::vector<std::pair<std::string, json::object>> answers;  // every result, setup calls included

protected:
    virtual json::object send(std::string const& name, json::object arguments) = 0;
};

child_options with_auth_none(child_options options)
{
    options.env.emplace_back("MCP_AUTH", "none");
    return options;
}

// MCP over HTTP in the local development mode (MCP_AUTH=none: the configured credentials).
class http_caller : public tool_caller {
public:
    http_server server;
    mcp_session session;

    explicit http_caller(mock_server const& mock, child_options extra = {})
        : server(with_auth_none(against(mock, std::move(extra))), product_binary), session(mcp_session::open(server.port))
    {
    }

    json::object request(std::string const& method, json::value params = nullptr)
    {
        auto const response = session.call(method, std::move(params), next_id_++);
        return response.as_object();
    }

protected:
    json::object send(std::string const& name, json::object arguments) override
    {
        auto const response = request("tools/call", json::object{{"name", name}, {"arguments", std::move(arguments)}});
        if (!response.contains("result"))
            throw std::runtime_error("tools/call " + name + " got no result: " + json::serialize(response));
        return response.at("result").as_object();
    }

private:
    std::int64_t next_id_ = 1;
};

// MCP over stdio: the binary as a child process, newline-delimited JSON-RPC on its pipes.
class stdio_caller : public tool_caller {
public:
    child_process process;

    explicit stdio_caller(mock_server const& mock, child_options extra = {})
        : process(product_binary, against(mock, std::move(extra)))
    {
        auto const init = request("initialize", json::object{{"protocolVersion", "2025-11-25"},
                                                             {"capabilities", json::object{}},
                                                             {"clientInfo", {{"name", "tools-e2e"}, {"version", "1"}}}});
        if (!init.contains("result")) throw std::runtime_error("initialize failed: " + json::serialize(init));
        process.write_stdin(notification("notifications/initialized") + "\n");
    }

    // The response to one request, skipping notifications the server sends meanwhile.
    json::object request(std::string const& method, json::value params = nullptr)
    {
        auto const id = next_id_++;
        process.write_stdin(rpc(id, method, std::move(params)) + "\n");
        for (;;) {
            auto const line = process.read_stdout_line(20s);
            if (!line)
                throw std::runtime_error("no answer to " + method + " on stdout; stderr:\n" + process.stderr_text());
            auto const message = json::parse(*line);
            auto const* object = message.if_object();
            if (object && object->contains("id") && object->at("id") == json::value(id)) return *object;
        }
    }

protected:
    json::object send(std::string const& name, json::object arguments) override
    {
        auto const response = request("tools/call", json::object{{"name", name}, {"arguments", std::move(arguments)}});
        if (!response.contains("result"))
            throw std::runtime_error("tools/call " + name + " got no result: " + json::serialize(response));
        return response.at("result").as_object();
    }

private:
    std::int64_t next_id_ = 1;
};

// ---------------------------------------------------------------------------------------
// The ids a run starts from, found through the list tools themselves.

struct context {
    std::string transport;
    std::string account, other_account;
    std::string succeeded_payment, refunded_payment, authorized_payment;
    std::string refund, payout, proceed, balance_transaction, dispute;
    std::string completed_checkout, terminal, group, payment_method, payment_intent;

    // Made by the rows' happy paths, for their error cases.
    std::string captured_payment, partly_refunded_payment, completed_fresh_checkout, emptied_group,
        emptied_group_member, captured_intent;

    auto seeded() const
    {
        return std::tie(account, other_account, succeeded_payment, refunded_payment, authorized_payment, refund, payout,
                        proceed, balance_transaction, dispute, completed_checkout, terminal, group, payment_method,
                        payment_intent);
    }
};

std::string first_id(json::object const& result, std::string const& what)
{
    auto const& data = data_of(result).as_array();
    if (data.empty()) throw std::runtime_error("discovery found no " + what);
    return str(data.at(0).at("id"));
}

context discover(tool_caller& c, std::string transport)
{
    context cx;
    cx.transport = std::move(transport);
    auto const accounts = c.require("list_sub_accounts", {{"limit", 10}});
    cx.account = first_id(accounts, "sub account");
    cx.other_account = str(data_of(accounts).at(1).at("id"));
    cx.succeeded_payment = first_id(c.require("list_payments", {{"payment_status", "succeeded"}, {"limit", 1}}),
                                    "succeeded payment");
    cx.refunded_payment =
        first_id(c.require("list_payments", {{"payment_status", "refunded"}, {"limit", 1}}), "refunded payment");
    cx.authorized_payment =
        first_id(c.require("list_payments", {{"payment_status", "authorized"}, {"limit", 1}}), "authorized payment");
    cx.refund = first_id(c.require("list_refunds", {{"limit", 1}}), "refund");
    cx.payout = first_id(c.require("list_payouts", {{"limit", 1}}), "payout");
    cx.proceed = first_id(c.require("list_proceeds", {{"limit", 1}}), "proceeds payout");
    cx.balance_transaction = first_id(c.require("list_balance_transactions", {{"limit", 1}}), "balance transaction");
    cx.dispute = first_id(c.require("list_disputes", {{"limit", 1}}), "dispute");
    cx.completed_checkout =
        first_id(c.require("list_checkouts", {{"status", "completed"}, {"limit", 1}}), "completed checkout");
    cx.terminal = first_id(c.require("list_terminals", {{"limit", 1}}), "terminal");
    cx.group = first_id(c.require("list_payment_method_groups", {{"limit", 1}}), "payment method group");
    cx.payment_intent = first_id(c.require("list_payment_intents", {{"limit", 1}}), "payment intent");
    auto const methods = c.require("list_payment_methods", {{"sub_account_id", cx.account}, {"limit", 1}});
    if (data_of(methods).as_array().empty()) throw std::runtime_error("discovery found no payment method");
    cx.payment_method = payment_method_id(data_of(methods).at(0));
    return cx;
}

// Setup steps shared by the rows.

std::string new_payment(context& cx, tool_caller& c, std::string const& capture_strategy, std::int64_t amount)
{
    auto const created = c.require("create_payment", {{"amount", amount},
                                                      {"currency", "usd"},
                                                      {"capture_strategy", capture_strategy},
                                                      {"payment_method", {{"token", "pm_test_visa"}}},
                                                      {"description", "e2e setup " + cx.transport},
                                                      {"sub_account_id", cx.account}});
    return str(data_of(created).at("id"));
}

std::string new_checkout(context& cx, tool_caller& c, std::int64_t amount)
{
    auto const created = c.require(
        "create_checkout",
        {{"amount", amount}, {"description", "e2e checkout " + cx.transport}, {"sub_account_id", cx.account}});
    return str(data_of(created).at("id"));
}

std::string new_completed_checkout(context& cx, tool_caller& c, std::int64_t amount)
{
    auto const id = new_checkout(cx, c, amount);
    c.require("complete_checkout", {{"checkout_id", id}, {"payment_token", "pm_test_visa"}});
    return id;
}

std::string new_intent(context& cx, tool_caller& c, std::int64_t amount)
{
    auto const created = c.require("create_payment_intent", {{"amount", amount},
                                                             {"currency", "usd"},
                                                             {"description", "e2e intent " + cx.transport},
                                                             {"sub_account_id", cx.account}});
    return str(data_of(created).at("id"));
}

std::string new_group(context& cx, tool_caller& c)
{
    return str(data_of(c.require("create_payment_method_group", {{"sub_account_id", cx.account}})).at("id"));
}

// ---------------------------------------------------------------------------------------
// The table.

using args_builder = std::function<json::object(context&, tool_caller&)>;
using result_check =
    std::function<void(json::object const& result, json::object const& args, context&, std::string const& name)>;

struct error_case {
    std::string what;
    args_builder arguments;
    std::vector<std::string> needles;  // each must appear in the error text
    bool refused_locally = false;      // true: no request may reach JustiFi
};

struct tool_row {
    std::string name;
    args_builder happy;
    result_check check;
    std::vector<error_case> errors;
    bool calls_api = true;
};

// The table's lambdas: an argument builder (it may create what it needs first) and a check.
#define ROW_ARGS []([[maybe_unused]] context & cx, [[maybe_unused]] tool_caller & caller) -> json::object
#define ROW_CHECK                                                                               \
    []([[maybe_unused]] json::object const& result, [[maybe_unused]] json::object const& args, \
       [[maybe_unused]] context& cx, std::string const& name)
#define EXPECT(condition) BOOST_TEST((condition), name << ": " << #condition << " in " << json::serialize(result))

error_case unknown_id(std::string field, std::string id)
{
    return {"an unknown id answers JustiFi's 404",
            [field, id](context&, tool_caller&) { return json::object{{field, id}}; },
            {"404", id}};
}

error_case refused(std::string what, args_builder arguments, std::string argument)
{
    return {std::move(what), std::move(arguments), {"\"" + argument + "\""}, true};
}

error_case state_error(std::string what, args_builder arguments, std::string code)
{
    return {std::move(what), std::move(arguments), {"422", std::move(code)}};
}

error_case declined(std::string what, args_builder arguments, std::string decline_code)
{
    return {std::move(what), std::move(arguments), {"402", "decline code " + decline_code}};
}

void expect_all_ids(json::object const& result, std::string const& prefix, std::string const& name)
{
    auto const& data = data_of(result).as_array();
    BOOST_TEST(!data.empty(), name << ": empty list");
    for (auto const& item : data) BOOST_TEST(starts(item.at("id"), prefix), name << ": id " << item.at("id"));
}

std::vector<tool_row> const& rows()
{
    static std::vector<tool_row> const table{
        // payments
        {"list_payments", ROW_ARGS { return {{"payment_status", "authorized"}, {"limit", 10}}; },
         ROW_CHECK {
             expect_all_ids(result, "py_", name);
             auto const& data = data_of(result).as_array();
             for (auto const& p : data) BOOST_TEST(is(p.at("status"), "authorized"), name << ": " << p.at("status"));
         },
         {refused("an unknown status is refused before any request",
                  ROW_ARGS { return {{"payment_status", "settled"}}; }, "payment_status")}},
        {"retrieve_payment", ROW_ARGS { return {{"payment_id", cx.succeeded_payment}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.succeeded_payment));
             EXPECT(is(data_of(result).at("status"), "succeeded"));
         },
         {unknown_id("payment_id", "py_doesnotexist")}},
        {"update_payment",
         ROW_ARGS {
             return {{"payment_id", cx.succeeded_payment},
                     {"description", "updated over " + cx.transport},
                     {"metadata", {{"order", "e2e-42"}}}};
         },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.succeeded_payment));
             EXPECT(is(data_of(result).at("description"), "updated over " + cx.transport));
             EXPECT(is(data_of(result).at("metadata").at("order"), "e2e-42"));
         },
         {refused("metadata that is not an object is refused before any request",
                  ROW_ARGS { return {{"payment_id", cx.succeeded_payment}, {"metadata", "order 42"}}; }, "metadata")}},
        {"list_payment_balance_transactions", ROW_ARGS { return {{"payment_id", cx.succeeded_payment}}; },
         ROW_CHECK {
             expect_all_ids(result, "pbt_", name);
             auto const& data = data_of(result).as_array();
             for (auto const& t : data) BOOST_TEST(is(t.at("payment_id"), cx.succeeded_payment), name);
         },
         {unknown_id("payment_id", "py_doesnotexist")}},
        {"create_payment",
         ROW_ARGS {
             return {{"amount", 2500},
                     {"currency", "usd"},
                     {"capture_strategy", "automatic"},
                     {"payment_method", {{"token", "pm_test_visa"}}},
                     {"description", "e2e charge " + cx.transport},
                     {"sub_account_id", cx.account}};
         },
         ROW_CHECK {
             auto const& p = data_of(result);
             EXPECT(starts(p.at("id"), "py_"));
             EXPECT(is(p.at("status"), "succeeded"));
             EXPECT(p.at("captured") == true);
             EXPECT(p.at("amount") == 2500);
             EXPECT(is(p.at("account_id"), cx.account));
         },
         {declined("a card with insufficient funds answers 402 with its decline code",
                   ROW_ARGS {
                       return {{"amount", 2500},
                               {"currency", "usd"},
                               {"capture_strategy", "automatic"},
                               {"payment_method", {{"token", "pm_test_insufficient_funds"}}},
                               {"sub_account_id", cx.account}};
                   },
                   "insufficient_funds"),
          refused("an amount of 0 is refused before any request",
                  ROW_ARGS {
                      return {{"amount", 0},
                              {"currency", "usd"},
                              {"capture_strategy", "automatic"},
                              {"payment_method", {{"token", "pm_test_visa"}}},
                              {"sub_account_id", cx.account}};
                  },
                  "amount")}},
        {"capture_payment",
         ROW_ARGS {
             auto const id = new_payment(cx, caller, "manual", 1800);
             auto const before = caller.require("retrieve_payment", {{"payment_id", id}});
             if (!is(data_of(before).at("status"), "authorized"))
                 throw std::runtime_error("a manual payment is not authorized: " + json::serialize(before));
             cx.captured_payment = id;
             return {{"payment_id", id}};
         },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.captured_payment));
             EXPECT(is(data_of(result).at("status"), "succeeded"));  // authorized -> captured
             EXPECT(data_of(result).at("captured") == true);
         },
         {state_error("capturing it again answers 422 payment_already_captured",
                      ROW_ARGS { return {{"payment_id", cx.captured_payment}}; }, "payment_already_captured")}},
        {"void_payment", ROW_ARGS { return {{"payment_id", new_payment(cx, caller, "manual", 1700)}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), str(args.at("payment_id"))));
             EXPECT(is(data_of(result).at("status"), "canceled"));  // authorized -> voided
             EXPECT(data_of(result).at("amount_refundable") == 0);
         },
         {state_error("voiding a captured payment answers 422",
                      ROW_ARGS { return {{"payment_id", cx.succeeded_payment}}; }, "payment_cannot_be_voided")}},

        // refunds
        {"list_refunds", ROW_ARGS { return {{"limit", 5}}; },
         ROW_CHECK {
             expect_all_ids(result, "re_", name);
             EXPECT(data_of(result).as_array().size() == 5u);
             EXPECT(structured(result).at("page_info").at("has_next") == true);
         },
         {refused("a limit of 0 is refused before any request", ROW_ARGS { return {{"limit", 0}}; }, "limit")}},
        {"retrieve_refund", ROW_ARGS { return {{"refund_id", cx.refund}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.refund));
             EXPECT(starts(data_of(result).at("payment_id"), "py_"));
         },
         {unknown_id("refund_id", "re_doesnotexist")}},
        {"list_payment_refunds", ROW_ARGS { return {{"payment_id", cx.refunded_payment}}; },
         ROW_CHECK {
             auto const& s = structured(result);
             EXPECT(is(s.at("payment_id"), cx.refunded_payment));
             EXPECT(!s.at("refunds").as_array().empty());
             EXPECT(s.at("amount_refunded").to_number<std::int64_t>() > 0);
             EXPECT(!s.contains("data"));  // the shaped view, not the payment envelope
         },
         {unknown_id("payment_id", "py_doesnotexist")}},
        {"create_refund",
         ROW_ARGS {
             cx.partly_refunded_payment = new_payment(cx, caller, "automatic", 3000);
             return {{"payment_id", cx.partly_refunded_payment}, {"amount", 1200}, {"reason", "customer_request"}};
         },
         ROW_CHECK {
             auto const& r = data_of(result);
             EXPECT(starts(r.at("id"), "re_"));
             EXPECT(r.at("amount") == 1200);
             EXPECT(is(r.at("payment_id"), cx.partly_refunded_payment));
         },
         {state_error("refunding more than is left answers 422",
                      ROW_ARGS { return {{"payment_id", cx.partly_refunded_payment}, {"amount", 2000}}; },
                      "refund_exceeds_amount_available"),
          refused("an unknown reason is refused before any request",
                  ROW_ARGS { return {{"payment_id", cx.succeeded_payment}, {"reason", "changed_mind"}}; }, "reason")}},

        // payouts and proceeds
        {"list_payouts", ROW_ARGS { return {{"created_after", "2000-01-01"}, {"limit", 3}}; },
         ROW_CHECK {
             expect_all_ids(result, "po_", name);
             EXPECT(data_of(result).as_array().size() == 3u);
         },
         {refused("a date that is not ISO 8601 is refused before any request",
                  ROW_ARGS { return {{"created_after", "last week"}}; }, "created_after")}},
        {"retrieve_payout", ROW_ARGS { return {{"payout_id", cx.payout}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.payout));
             EXPECT(data_of(result).at("bank_account").is_object());
         },
         {unknown_id("payout_id", "po_doesnotexist")}},
        {"get_payout_status", ROW_ARGS { return {{"payout_id", cx.payout}}; },
         ROW_CHECK {
             auto const& s = structured(result);
             EXPECT(is(s.at("id"), cx.payout));
             EXPECT(s.at("status").is_string());
             EXPECT(s.contains("deposits_at"));
             EXPECT(!s.contains("data"));          // only the status facts
             EXPECT(!s.contains("bank_account"));
         },
         {unknown_id("payout_id", "po_doesnotexist")}},
        {"get_recent_payouts", ROW_ARGS { return {}; },
         ROW_CHECK {
             expect_all_ids(result, "po_", name);
             EXPECT(data_of(result).as_array().size() == 5u);  // the tool's default limit
         },
         {refused("a limit above 25 is refused before any request", ROW_ARGS { return {{"limit", 26}}; }, "limit")}},
        {"list_proceeds", ROW_ARGS { return {{"limit", 2}}; },
         ROW_CHECK {
             expect_all_ids(result, "po_", name);
             EXPECT(data_of(result).as_array().size() == 2u);
         },
         {refused("a date that is not ISO 8601 is refused before any request",
                  ROW_ARGS { return {{"deposits_before", "tomorrow"}}; }, "deposits_before")}},
        {"retrieve_proceed", ROW_ARGS { return {{"proceed_id", cx.proceed}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.proceed));
         },
         {unknown_id("proceed_id", "po_doesnotexist")}},

        // balances
        {"list_balance_transactions", ROW_ARGS { return {{"payout_id", cx.payout}, {"limit", 100}}; },
         ROW_CHECK {
             expect_all_ids(result, "bt_", name);
             auto const& data = data_of(result).as_array();
             for (auto const& t : data) BOOST_TEST(is(t.at("payout_id"), cx.payout), name << ": " << t.at("payout_id"));
         },
         {refused("a payout id with a space is refused before any request",
                  ROW_ARGS { return {{"payout_id", "po 1"}}; }, "payout_id")}},
        {"retrieve_balance_transaction", ROW_ARGS { return {{"balance_transaction_id", cx.balance_transaction}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.balance_transaction));
             EXPECT(data_of(result).at("amount").is_number());
         },
         {unknown_id("balance_transaction_id", "bt_doesnotexist")}},

        // disputes
        {"list_disputes", ROW_ARGS { return {{"limit", 3}}; },
         ROW_CHECK {
             expect_all_ids(result, "dp_", name);
             auto const& data = data_of(result).as_array();
             for (auto const& d : data) BOOST_TEST(starts(d.at("payment_id"), "py_"), name);
         },
         {{"both cursors at once are refused before any request",
           ROW_ARGS { return {{"after_cursor", "a"}, {"before_cursor", "b"}}; },
           {"after_cursor", "before_cursor", "cannot be used together"},
           true}}},
        {"retrieve_dispute", ROW_ARGS { return {{"dispute_id", cx.dispute}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.dispute));
             EXPECT(starts(data_of(result).at("payment_id"), "py_"));
         },
         {unknown_id("dispute_id", "dp_doesnotexist")}},

        // checkouts
        {"list_checkouts", ROW_ARGS { return {{"status", "completed"}, {"limit", 5}}; },
         ROW_CHECK {
             expect_all_ids(result, "cho_", name);
             auto const& data = data_of(result).as_array();
             for (auto const& c : data) BOOST_TEST(is(c.at("status"), "completed"), name << ": " << c.at("status"));
         },
         {refused("an unknown status is refused before any request", ROW_ARGS { return {{"status", "paid"}}; },
                  "status")}},
        {"retrieve_checkout", ROW_ARGS { return {{"checkout_id", cx.completed_checkout}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.completed_checkout));
             EXPECT(is(data_of(result).at("status"), "completed"));
         },
         {unknown_id("checkout_id", "cho_doesnotexist")}},
        {"create_checkout",
         ROW_ARGS {
             return {{"amount", 4200}, {"description", "e2e order " + cx.transport}, {"sub_account_id", cx.account}};
         },
         ROW_CHECK {
             auto const& c = data_of(result);
             EXPECT(starts(c.at("id"), "cho_"));
             EXPECT(is(c.at("status"), "created"));
             EXPECT(c.at("payment_amount") == 4200);
             EXPECT(is(c.at("account_id"), cx.account));
         },
         {{"without a Sub-Account it is refused before any request",
           ROW_ARGS { return {{"amount", 4200}, {"description", "no account"}}; },
           {"needs a Sub-Account", "sub_account_id"},
           true}}},
        {"update_checkout",
         ROW_ARGS {
             return {{"checkout_id", new_checkout(cx, caller, 1000)}, {"amount", 4321}, {"description", "changed " + cx.transport}};
         },
         ROW_CHECK {
             auto const& c = data_of(result);
             EXPECT(is(c.at("id"), str(args.at("checkout_id"))));
             EXPECT(c.at("payment_amount") == 4321);
             EXPECT(is(c.at("payment_description"), "changed " + cx.transport));
         },
         {state_error("changing a completed checkout answers 422",
                      ROW_ARGS { return {{"checkout_id", cx.completed_checkout}, {"amount", 999}}; }, "checkout_not_editable")}},
        {"complete_checkout",
         ROW_ARGS {
             cx.completed_fresh_checkout = new_checkout(cx, caller, 1500);
             return {{"checkout_id", cx.completed_fresh_checkout}, {"payment_token", "pm_test_visa"}};
         },
         ROW_CHECK {
             auto const& completion = data_of(result);
             EXPECT(is(completion.at("checkout").at("id"), cx.completed_fresh_checkout));
             EXPECT(is(completion.at("checkout").at("status"), "completed"));  // created -> completed
             EXPECT(starts(completion.at("payment_response").at("data").at("id"), "py_"));
             EXPECT(is(completion.at("payment_response").at("data").at("status"), "succeeded"));
             EXPECT(completion.at("payment_response").at("data").at("amount") == 1500);
         },
         {state_error("completing it again answers 422",
                      ROW_ARGS { return {{"checkout_id", cx.completed_fresh_checkout}, {"payment_token", "pm_test_visa"}}; },
                      "checkout_already_completed")}},
        {"refund_checkout", ROW_ARGS { return {{"checkout_id", new_completed_checkout(cx, caller, 2000)}, {"amount", 700}}; },
         ROW_CHECK {
             auto const& r = data_of(result);
             EXPECT(is(r.at("checkout_id"), str(args.at("checkout_id"))));
             EXPECT(r.at("refund_amount") == 700);
             EXPECT(starts(r.at("refund_id"), "re_"));
             EXPECT(is(r.at("status"), "succeeded"));
         },
         {state_error("refunding a checkout nobody paid answers 422",
                      ROW_ARGS { return {{"checkout_id", new_checkout(cx, caller, 900)}}; }, "checkout_not_completed")}},

        // payment methods and groups
        {"list_payment_methods", ROW_ARGS { return {{"sub_account_id", cx.account}, {"limit", 5}}; },
         ROW_CHECK {
             auto const& data = data_of(result).as_array();
             EXPECT(!data.empty());
             for (auto const& m : data) {
                 BOOST_TEST(payment_method_id(m).starts_with("pm_"), name << ": " << m);
                 BOOST_TEST(is(m.at("account_id"), cx.account), name << ": " << m.at("account_id"));
             }
         },
         {{"an unknown group answers JustiFi's 404",
           ROW_ARGS { return {{"payment_method_group_id", "pmg_doesnotexist"}}; },
           {"404", "pmg_doesnotexist"}}}},
        {"retrieve_payment_method", ROW_ARGS { return {{"payment_method_token", cx.payment_method}}; },
         ROW_CHECK {
             EXPECT(payment_method_id(data_of(result)) == cx.payment_method);
         },
         {unknown_id("payment_method_token", "pm_doesnotexist")}},
        {"list_payment_method_groups", ROW_ARGS { return {{"limit", 10}}; },
         ROW_CHECK {
             expect_all_ids(result, "pmg_", name);
         },
         {refused("a limit of 101 is refused before any request", ROW_ARGS { return {{"limit", 101}}; }, "limit")}},
        {"retrieve_payment_method_group", ROW_ARGS { return {{"group_id", cx.group}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.group));
             EXPECT(data_of(result).at("payment_methods").is_array());
         },
         {unknown_id("group_id", "pmg_doesnotexist")}},
        {"create_payment_method_group", ROW_ARGS { return {{"sub_account_id", cx.account}}; },
         ROW_CHECK {
             auto const& g = data_of(result);
             EXPECT(starts(g.at("id"), "pmg_"));
             EXPECT(is(g.at("account_id"), cx.account));
             EXPECT(g.at("payment_methods").as_array().empty());
         },
         {{"without a Sub-Account it is refused before any request", ROW_ARGS { return {}; },
           {"needs a Sub-Account", "sub_account_id"},
           true}}},
        {"update_payment_method_group",
         ROW_ARGS { return {{"group_id", new_group(cx, caller)}, {"payment_method_ids", {cx.payment_method}}}; },
         ROW_CHECK {
             auto const& members = data_of(result).at("payment_methods").as_array();
             EXPECT(is(data_of(result).at("id"), str(args.at("group_id"))));
             EXPECT(members.size() == 1u);
             if (members.size() == 1u) EXPECT(is(members.at(0).at("id"), cx.payment_method));
         },
         {refused("an empty list of payment methods is refused before any request",
                  ROW_ARGS { return {{"group_id", cx.group}, {"payment_method_ids", json::array{}}}; }, "payment_method_ids")}},
        {"remove_payment_method_from_group",
         ROW_ARGS {
             cx.emptied_group = new_group(cx, caller);
             cx.emptied_group_member = cx.payment_method;
             caller.require("update_payment_method_group",
                            {{"group_id", cx.emptied_group}, {"payment_method_ids", {cx.payment_method}}});
             return {{"group_id", cx.emptied_group}, {"payment_method_id", cx.payment_method}};
         },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.emptied_group));
             EXPECT(data_of(result).at("payment_methods").as_array().empty());  // the member is gone
         },
         {{"removing a payment method that is not in the group answers JustiFi's 404",
           ROW_ARGS { return {{"group_id", cx.emptied_group}, {"payment_method_id", cx.emptied_group_member}}; },
           {"404", "is not in payment method group"}}}},

        // sub accounts
        {"list_sub_accounts", ROW_ARGS { return {{"status", "enabled"}}; },
         ROW_CHECK {
             expect_all_ids(result, "acc_", name);
             auto const& data = data_of(result).as_array();
             for (auto const& a : data) BOOST_TEST(is(a.at("status"), "enabled"), name << ": " << a.at("status"));
         },
         {refused("an unknown status is refused before any request", ROW_ARGS { return {{"status", "active"}}; },
                  "status")}},
        {"get_sub_account", ROW_ARGS { return {{"sub_account_id", cx.other_account}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.other_account));
         },
         {unknown_id("sub_account_id", "acc_doesnotexist")}},
        {"get_sub_account_payout_account", ROW_ARGS { return {{"sub_account_id", cx.account}}; },
         ROW_CHECK {
             EXPECT(starts(data_of(result).at("id"), "ba_"));
             EXPECT(data_of(result).at("account_number_last4").as_string().size() == 4u);
         },
         {unknown_id("sub_account_id", "acc_doesnotexist")}},
        {"get_sub_account_settings", ROW_ARGS { return {{"sub_account_id", cx.account}}; },
         ROW_CHECK {
             EXPECT(starts(data_of(result).at("payments").at("id"), "stpy_"));
             EXPECT(starts(data_of(result).at("payouts").at("id"), "stpo_"));
         },
         {unknown_id("sub_account_id", "acc_doesnotexist")}},

        // terminals
        {"list_terminals", ROW_ARGS { return {{"limit", 10}}; },
         ROW_CHECK {
             expect_all_ids(result, "trm_", name);
         },
         {refused("an unknown status is refused before any request", ROW_ARGS { return {{"status", "online"}}; },
                  "status")}},
        {"retrieve_terminal", ROW_ARGS { return {{"terminal_id", cx.terminal}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.terminal));
         },
         {unknown_id("terminal_id", "trm_doesnotexist")}},
        {"get_terminal_status", ROW_ARGS { return {{"terminal_id", cx.terminal}}; },
         ROW_CHECK {
             auto const& s = data_of(result);
             EXPECT(is(s.at("id"), cx.terminal));
             auto const status = str(s.at("status"));
             EXPECT((status == "CONNECTED" || status == "DISCONNECTED" || status == "UNKNOWN" ||
                     status == "PENDING_CONFIGURATION"));
         },
         {unknown_id("terminal_id", "trm_doesnotexist")}},
        {"update_terminal", ROW_ARGS { return {{"terminal_id", cx.terminal}, {"nickname", "Front desk " + cx.transport}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.terminal));
             EXPECT(is(data_of(result).at("nickname"), "Front desk " + cx.transport));
         },
         {refused("an empty nickname is refused before any request",
                  ROW_ARGS { return {{"terminal_id", cx.terminal}, {"nickname", ""}}; }, "nickname")}},
        {"identify_terminal", ROW_ARGS { return {{"terminal_id", cx.terminal}}; },
         ROW_CHECK {
             EXPECT(contains(text_of(result), "identify itself"));  // JustiFi's 204, said in words
             EXPECT(is(structured(result).at("status"), "done"));
         },
         {unknown_id("terminal_id", "trm_doesnotexist")}},

        // payment intents
        {"create_payment_intent",
         ROW_ARGS {
             return {{"amount", 3100},
                     {"currency", "usd"},
                     {"description", "e2e intent " + cx.transport},
                     {"sub_account_id", cx.account}};
         },
         ROW_CHECK {
             auto const& pi = data_of(result);
             EXPECT(starts(pi.at("id"), "pi_"));
             EXPECT(is(pi.at("status"), "requires_payment_method"));
             EXPECT(pi.at("amount") == 3100);
         },
         {refused("a currency other than usd is refused before any request",
                  ROW_ARGS { return {{"amount", 3100}, {"currency", "eur"}, {"sub_account_id", cx.account}}; },
                  "currency")}},
        {"list_payment_intents", ROW_ARGS { return {{"limit", 5}}; },
         ROW_CHECK {
             expect_all_ids(result, "pi_", name);
             EXPECT(data_of(result).as_array().size() == 5u);
         },
         {refused("a limit given as text is refused before any request", ROW_ARGS { return {{"limit", "5"}}; },
                  "limit")}},
        {"retrieve_payment_intent", ROW_ARGS { return {{"intent_id", cx.payment_intent}}; },
         ROW_CHECK {
             EXPECT(is(data_of(result).at("id"), cx.payment_intent));
         },
         {unknown_id("intent_id", "pi_doesnotexist")}},
        {"update_payment_intent",
         ROW_ARGS {
             return {{"intent_id", new_intent(cx, caller, 2200)},
                     {"description", "attached over " + cx.transport},
                     {"payment_method", {{"token", "pm_test_visa"}}}};
         },
         ROW_CHECK {
             auto const& pi = data_of(result);
             EXPECT(is(pi.at("id"), str(args.at("intent_id"))));
             EXPECT(is(pi.at("description"), "attached over " + cx.transport));
             EXPECT(is(pi.at("status"), "requires_capture"));  // requires_payment_method -> requires_capture
         },
         {unknown_id("intent_id", "pi_doesnotexist")}},
        {"capture_payment_intent",
         ROW_ARGS {
             cx.captured_intent = new_intent(cx, caller, 2600);
             return {{"intent_id", cx.captured_intent}, {"payment_method", {{"token", "pm_test_visa"}}}};
         },
         ROW_CHECK {
             auto const& pi = data_of(result);
             EXPECT(is(pi.at("id"), cx.captured_intent));
             EXPECT(is(pi.at("status"), "succeeded"));
             EXPECT(starts(pi.at("successful_payment_id"), "py_"));
         },
         {state_error("capturing it again answers 422", ROW_ARGS { return {{"intent_id", cx.captured_intent}}; },
                      "payment_intent_cannot_be_captured"),
          declined("a declined card answers 402 with its decline code",
                   ROW_ARGS {
                       return {{"intent_id", new_intent(cx, caller, 2700)},
                               {"payment_method", {{"token", "pm_test_card_declined"}}}};
                   },
                   "do_not_honor")}},
        {"list_payment_intent_payments",
         ROW_ARGS {
             auto const id = new_intent(cx, caller, 2900);
             caller.require("capture_payment_intent", {{"intent_id", id}, {"payment_method", {{"token", "pm_test_visa"}}}});
             return {{"intent_id", id}};
         },
         ROW_CHECK {
             auto const& data = data_of(result).as_array();
             EXPECT(data.size() == 1u);
             if (data.size() == 1u) {
                 EXPECT(starts(data.at(0).at("id"), "py_"));
                 EXPECT(is(data.at(0).at("payment_intent_id"), str(args.at("intent_id"))));
                 EXPECT(data.at(0).at("amount") == 2900);
             }
         },
         {unknown_id("intent_id", "pi_doesnotexist")}},

        // web components and the generator
        {"create_web_component_token",
         ROW_ARGS { return {{"resources", {"write:checkout:" + cx.completed_checkout, "write:tokenize:" + cx.account}}}; },
         ROW_CHECK {
             EXPECT(starts(structured(result).at("access_token"), "wct_"));
         },
         {refused("a resource without role:resource:id is refused before any request",
                  ROW_ARGS { return {{"resources", {"checkout"}}}; }, "resources[0]")}},
        {"generate_unified_checkout_integration",
         ROW_ARGS {
             return {{"amount", 1999}, {"description", "Blue mug"}, {"framework", "node"}, {"sub_account_id", cx.account}};
         },
         ROW_CHECK {
             auto const& files = structured(result).at("files").as_array();
             std::vector<std::string> paths;
             std::string server, package;
             for (auto const& f : files) {
                 paths.push_back(str(f.at("path")));
                 if (is(f.at("path"), "server.js")) server = str(f.at("content"));
                 if (is(f.at("path"), "package.json")) package = str(f.at("content"));
             }
             EXPECT((paths == std::vector<std::string>{"package.json", "server.js", "public/index.html", "README.md"}));
             EXPECT(contains(server, "amount: 1999"));
             EXPECT(contains(server, "\"" + cx.account + "\""));
             EXPECT(contains(server, "import http from 'node:http'"));  // the node flavour
             EXPECT(!contains(package, "express"));
             EXPECT(contains(text_of(result), "$19.99"));
         },
         {refused("an unknown framework is refused", ROW_ARGS { return {{"amount", 1999}, {"description", "Blue mug"},
                                                                    {"framework", "django"}}; },
                  "framework")},
         false},
    };
    return table;
}

#undef ROW_ARGS
#undef ROW_CHECK
#undef EXPECT

// ---------------------------------------------------------------------------------------
// The runner: every row over one transport.

struct run_summary {
    std::set<std::string> happy_called;
    std::set<std::string> error_called;
};

run_summary run_every_tool(tool_caller& caller, mock_server const& mock, context& cx)
{
    run_summary summary;
    for (auto const& row : rows()) {
        auto const& name = row.name;
        BOOST_TEST_CONTEXT(cx.transport << " " << name)
        {
            try {
                auto const args = row.happy(cx, caller);
                auto const before = total_v1_requests(mock);
                auto const result = caller.call(name, args);
                auto const sent = total_v1_requests(mock) - before;
                summary.happy_called.insert(name);
                BOOST_TEST_MESSAGE(cx.transport << " " << name << " -> " << sent << " request(s): "
                                                 << text_of(result).substr(0, 140));
                BOOST_TEST(!is_error(result), name << " (" << cx.transport << ") failed: " << text_of(result));
                BOOST_TEST((sent > 0) == row.calls_api, name << ": " << sent << " requests reached the simulator");
                if (!is_error(result)) row.check(result, args, cx, name);
            } catch (std::exception const& e) {
                BOOST_ERROR(name << " (" << cx.transport << ") happy path threw: " << e.what());
            }
            for (auto const& error : row.errors) {
                try {
                    auto const args = error.arguments(cx, caller);
                    auto const before = total_v1_requests(mock);
                    auto const result = caller.call(name, args);
                    auto const sent = total_v1_requests(mock) - before;
                    summary.error_called.insert(name);
                    auto const text = text_of(result);
                    BOOST_TEST_MESSAGE(cx.transport << " " << name << " [" << error.what << "] -> " << sent
                                                     << " request(s): " << text.substr(0, 160));
                    BOOST_TEST(is_error(result), name << ": " << error.what << ": not an error: " << text);
                    for (auto const& needle : error.needles)
                        BOOST_TEST(contains(text, needle),
                                   name << ": " << error.what << ": no \"" << needle << "\" in: " << text);
                    if (error.refused_locally)
                        BOOST_TEST(sent == 0, name << ": " << error.what << ": " << sent << " requests were sent");
                    else
                        BOOST_TEST(sent > 0, name << ": " << error.what << ": JustiFi was never asked");
                } catch (std::exception const& e) {
                    BOOST_ERROR(name << " (" << cx.transport << ") " << error.what << " threw: " << e.what());
                }
            }
        }
    }
    return summary;
}

void expect_full_coverage(run_summary const& summary, tool_caller const& caller, std::string const& transport)
{
    auto const catalog = catalog_names();
    BOOST_TEST(missing_from(catalog, summary.happy_called).empty(),
               transport << ": happy path never ran for " << joined(missing_from(catalog, summary.happy_called)));
    BOOST_TEST(missing_from(catalog, summary.error_called).empty(),
               transport << ": error case never ran for " << joined(missing_from(catalog, summary.error_called)));
    BOOST_TEST(missing_from(caller.invoked, catalog).empty(),
               transport << ": called tools outside the catalog: " << joined(missing_from(caller.invoked, catalog)));
    BOOST_TEST_MESSAGE(transport << ": " << summary.happy_called.size() << " tools with happy path, "
                                 << summary.error_called.size() << " with error cases");
}

std::vector<json::object> list_all_tools(http_caller& caller)
{
    std::vector<json::object> tools;
    json::value cursor = nullptr;
    for (int page = 0; page < 10; ++page) {
        json::object params;
        if (!cursor.is_null()) params["cursor"] = cursor;
        auto const response = caller.request("tools/list", params);
        BOOST_REQUIRE_MESSAGE(response.contains("result"), json::serialize(response));
        auto const& result = response.at("result").as_object();
        auto const& listed = result.at("tools").as_array();
        for (auto const& tool : listed) tools.push_back(tool.as_object());
        auto const* next = result.if_contains("nextCursor");
        if (!next || next->is_null()) break;
        cursor = *next;
    }
    return tools;
}

std::set<std::string> names_of(std::vector<json::object> const& tools)
{
    std::set<std::string> names;
    for (auto const& tool : tools) names.insert(str(tool.at("name")));
    return names;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tools_e2e)

BOOST_AUTO_TEST_CASE(the_table_has_one_row_per_catalog_tool)
{
    std::set<std::string> in_table;
    for (auto const& row : rows()) {
        BOOST_TEST(in_table.insert(row.name).second, "two rows for " << row.name);
        BOOST_TEST(!row.errors.empty(), row.name << " has no error case");
    }
    auto const catalog = catalog_names();
    BOOST_TEST(catalog.size() == 51u);
    BOOST_TEST(missing_from(catalog, in_table).empty(), "no row for " << joined(missing_from(catalog, in_table)));
    BOOST_TEST(missing_from(in_table, catalog).empty(), "rows for unknown tools " << joined(missing_from(in_table, catalog)));
}

BOOST_AUTO_TEST_CASE(tools_list_over_http_shows_every_catalog_tool_with_object_schema_and_annotations)
{
    mock_server mock;
    http_caller caller(mock);
    auto const tools = list_all_tools(caller);
    auto const definitions = justifi::tools::justifi_tool_definitions();
    BOOST_TEST(tools.size() == definitions.size());
    BOOST_TEST(tools.size() == 51u);
    BOOST_TEST((names_of(tools) == catalog_names()));
    for (auto const& tool : tools) {
        auto const name = str(tool.at("name"));
        BOOST_TEST_CONTEXT(name)
        {
            auto const* schema = tool.if_contains("inputSchema");
            BOOST_TEST((schema && schema->is_object() && is(schema->at("type"), "object")), name << ": inputSchema");
            BOOST_TEST(tool.at("description").as_string().size() > 20u, name << ": description");
            auto const* annotations = tool.if_contains("annotations");
            BOOST_REQUIRE_MESSAGE(annotations && annotations->is_object(), name << ": no annotations");
            auto const& a = annotations->as_object();
            for (auto const* hint : {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"})
                BOOST_TEST((a.contains(hint) && a.at(hint).is_bool()), name << ": " << hint);
            for (auto const& def : definitions) {
                if (def.name != name) continue;
                BOOST_TEST(a.at("readOnlyHint") == def.annotations.read_only, name << ": readOnlyHint");
                BOOST_TEST(a.at("destructiveHint") == def.annotations.destructive, name << ": destructiveHint");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(every_tool_succeeds_and_fails_cleanly_over_http)
{
    mock_server mock;
    http_caller caller(mock);
    auto cx = discover(caller, "http");
    auto const summary = run_every_tool(caller, mock, cx);
    expect_full_coverage(summary, caller, "http");
}

BOOST_AUTO_TEST_CASE(every_tool_succeeds_and_fails_cleanly_over_stdio_on_the_same_reset_data)
{
    mock_server mock;
    auto const seen_over_http = [&] {
        http_caller http(mock);
        auto found = discover(http, "http");
        run_every_tool(http, mock, found);  // changes and creates objects
        return found;
    }();
    reset_simulator(mock);  // back to the seed: the stdio run sees what the HTTP run first saw
    stdio_caller caller(mock);
    auto cx = discover(caller, "stdio");
    BOOST_TEST((cx.seeded() == seen_over_http.seeded()), "after the reset the stdio run sees other seeded objects");
    auto const summary = run_every_tool(caller, mock, cx);
    expect_full_coverage(summary, caller, "stdio");
}

BOOST_AUTO_TEST_CASE(read_only_mode_hides_and_refuses_every_changing_tool_without_calling_justifi)
{
    mock_server mock;
    http_caller caller(mock, {.env = {{"JUSTIFI_READ_ONLY", "true"}}});
    std::set<std::string> read_only, changing;
    for (auto const& def : justifi::tools::justifi_tool_definitions())
        (def.annotations.read_only ? read_only : changing).insert(def.name);
    BOOST_REQUIRE(!changing.empty());

    auto const tools = list_all_tools(caller);
    BOOST_TEST((names_of(tools) == read_only), "listed: " << joined(names_of(tools)));
    for (auto const& tool : tools)
        BOOST_TEST(tool.at("annotations").at("readOnlyHint") == true, str(tool.at("name")));

    auto const before = total_v1_requests(mock);
    for (auto const& name : changing) {
        auto const result = caller.call(name, {{"payment_id", "py_anything"}});
        BOOST_TEST(is_error(result), name << " answered: " << text_of(result));
        BOOST_TEST(contains(text_of(result), "read-only"), name << ": " << text_of(result));
        BOOST_TEST(contains(text_of(result), name), name << ": " << text_of(result));
    }
    BOOST_TEST(total_v1_requests(mock) == before, "a refused tool reached JustiFi");

    auto const reading = caller.call("list_payments", {{"limit", 1}});  // reads still work
    BOOST_TEST(!is_error(reading), text_of(reading));
}

BOOST_AUTO_TEST_CASE(oversized_or_deep_metadata_is_refused_before_justifi_is_called)
{
    mock_server mock;
    http_caller caller(mock);
    json::value deep = "leaf";
    for (int i = 0; i < 55; ++i) deep = json::object{{"n", deep}};
    auto const before = total_v1_requests(mock);
    for (auto const& metadata : {json::value(json::object{{"blob", std::string(900 * 1024, 'x')}}), deep}) {
        auto const result = caller.call("update_payment", {{"payment_id", "py_anything"}, {"metadata", metadata}});
        BOOST_TEST(is_error(result));
        BOOST_TEST(contains(text_of(result), "metadata"), text_of(result));
    }
    BOOST_TEST(total_v1_requests(mock) == before, "oversized metadata reached JustiFi");
}

BOOST_AUTO_TEST_CASE(enabled_tools_offers_exactly_the_named_tools)
{
    mock_server mock;
    http_caller caller(mock, {.env = {{"JUSTIFI_ENABLED_TOOLS", "list_payments,retrieve_payment"}}});
    auto const tools = list_all_tools(caller);
    BOOST_TEST((names_of(tools) == std::set<std::string>{"list_payments", "retrieve_payment"}),
               "listed: " << joined(names_of(tools)));
    auto const listed = caller.call("list_payments", {{"limit", 1}});
    BOOST_TEST(!is_error(listed), text_of(listed));
    auto const other = caller.request("tools/call", json::object{{"name", "create_payment"}, {"arguments", json::object{}}});
    BOOST_TEST(other.contains("error"), json::serialize(other));  // not offered at all: an unknown tool
}

BOOST_AUTO_TEST_CASE(enabled_tools_with_an_unknown_name_stops_the_start_with_exit_code_2_naming_it)
{
    child_process p(product_binary, {.env = {{"JUSTIFI_ENABLED_TOOLS", "list_payments,refund_everything"},
                                             {"JUSTIFI_CLIENT_ID", "test_client_id"},
                                             {"JUSTIFI_CLIENT_SECRET", "test_client_secret"}}});
    BOOST_TEST(p.wait(15s).value_or(-1) == 2);
    BOOST_REQUIRE(p.wait_for_output_end(5s));
    BOOST_TEST(contains(p.stderr_text(), "refund_everything"), p.stderr_text());
    BOOST_TEST(p.stdout_text().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(output_contract)

// SDK clients validate structuredContent against outputSchema on every call: a schema the
// simulator's answers (the OpenAPI's shapes) break would break every such client.
BOOST_AUTO_TEST_CASE(every_tool_answers_structured_content_that_its_listed_output_schema_accepts)
{
    mock_server mock;
    http_caller caller(mock);
    auto const tools = list_all_tools(caller);
    BOOST_TEST(tools.size() == 51u);
    std::map<std::string, json::object> output_schemas;
    for (auto const& tool : tools) {
        auto const name = str(tool.at("name"));
        auto const* schema = tool.if_contains("outputSchema");
        BOOST_TEST((schema && schema->is_object() && is(schema->at("type"), "object")), name << ": outputSchema");
        if (schema && schema->is_object()) output_schemas.emplace(name, schema->get_object());
    }

    auto cx = discover(caller, "http");
    run_every_tool(caller, mock, cx);

    std::set<std::string> validated;
    for (auto const& [name, result] : caller.answers) {
        if (is_error(result)) continue;
        auto const schema = output_schemas.find(name);
        BOOST_TEST_REQUIRE((schema != output_schemas.end()), name << " answered but has no outputSchema");
        auto const* structured = result.if_contains("structuredContent");
        BOOST_TEST_REQUIRE((structured && structured->is_object()), name << ": no structuredContent object");
        auto const checked = justifi::tools::validate_arguments(structured->get_object(), schema->second);
        BOOST_TEST(!!checked, name << ": " << (checked ? std::string() : checked.error().message) << " in "
                                   << json::serialize(*structured).substr(0, 600));
        validated.insert(name);
    }
    BOOST_TEST(missing_from(names_of(tools), validated).empty(),
               "no successful answer checked for " << joined(missing_from(names_of(tools), validated)));
}

BOOST_AUTO_TEST_SUITE_END()
