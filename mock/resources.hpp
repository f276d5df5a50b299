// The JustiFi endpoints the simulator serves, as one table: method, path template, the
// headers each insists on, and its operation. Operations are sans-io: they run on the
// dataset under the store's lock and answer a reply or a JustiFi error.
#pragma once

#include "mock/dataset.hpp"

#include <boost/beast/http/verb.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::mock {

struct call_context {
    dataset& data;
    std::string sub_account;  // the Sub-Account header; empty: the platform, which sees every account
    std::int64_t now_us = 0;
};

struct call_input {
    std::map<std::string, std::string, std::less<>> path;  // {id}, {token}, {payment_method_id}
    query_params query;
    json::value body;  // null when the request had none
};

struct reply {
    int status = 200;
    json::value body;  // null: no body (204)
};

using operation_fn = outcome<reply> (*)(call_context& cx, call_input const& in);

struct operation {
    boost::beast::http::verb method;
    std::string_view path;  // "/v1/payments/{id}"
    bool idempotency_key_required;
    bool sub_account_required;
    operation_fn run;
};

std::vector<operation> const& operations();

bool sub_account_exists(dataset const& d, std::string_view id);

// Helpers shared by the operations (mock/resources.cpp, mock/payments.cpp).

bool visible(call_context const& cx, record const& r);
// The object if it exists and the caller's Sub-Account may see it; else 404 naming it.
outcome<record*> find_visible(call_context& cx, collection& c, std::string_view what, std::string_view id);
// A payment method by token: the account's own, or one of the shared test tokens.
record* find_payment_method(call_context& cx, std::string_view token, std::string_view account_id = {});

reply single(std::string_view type, std::string_view id, json::value data, int status = 200);
// A page of `items` (already newest first) in the list envelope.
outcome<reply> list_page(std::vector<record const*> const& items, query_params const& query);
outcome<reply> list_of(call_context& cx, collection const& c, query_params const& query,
                       std::function<bool(record const&)> const& keep = {});

// Request body readers: each error names the field.
outcome<json::object const*> body_object(json::value const& body);
outcome<std::optional<std::int64_t>> read_amount(json::object const& o, std::string_view field, bool required,
                                                 std::int64_t min, std::int64_t max);
outcome<std::optional<std::string>> read_string(json::object const& o, std::string_view field, bool required,
                                                std::size_t max_length = 1000);
outcome<std::optional<json::object>> read_metadata(json::object const& o);
outcome<std::optional<std::int64_t>> read_time_filter(query_params const& q, std::string_view name);

}  // namespace justifi::mock
