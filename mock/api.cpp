#include "mock/api.hpp"

#include "core/encoding.hpp"
#include "core/log.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <sstream>

namespace justifi::mock {
namespace {

using core::use_tuple;
constexpr std::size_t max_idempotency_key_length = 255;

api_response json_response(int status, json::value const& body)
{
    api_response out;
    out.status = status;
    out.body = json::serialize(body);
    return out;
}

api_response error_response(api_error const& e) { return json_response(e.status, error_body(e)); }

api_response from_outcome(outcome<reply> const& result)
{
    if (!result) return error_response(result.error());
    if (result->body.is_null()) return api_response{result->status, {}, {}};
    return json_response(result->status, result->body);
}

std::vector<std::string> split_path(std::string_view path)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < path.size()) {
        if (path[start] == '/') {
            ++start;
            continue;
        }
        auto const end = std::min(path.find('/', start), path.size());
        out.emplace_back(path.substr(start, end - start));
        start = end;
    }
    return out;
}

std::string trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

char const* fault_code(int status)
{
    switch (status) {
    case 500: return "internal_server_error";
    case 502: return "bad_gateway";
    case 503: return "service_unavailable";
    case 504: return "gateway_timeout";
    case 429: return "rate_limit_exceeded";
    default: return status >= 500 ? "server_error" : "injected_error";
    }
}

// application/x-www-form-urlencoded, decoded ('+' is a space).
std::optional<query_params> parse_form(std::string_view body)
{
    std::string target = "/?";
    target.append(body);
    auto const url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    query_params out;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (auto const& p : url->params(opts)) out.emplace(p.key, p.value);
    return out;
}

asio::awaitable<void> pause(std::chrono::milliseconds duration)
{
    if (duration.count() <= 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(use_tuple);
}

http::response<http::string_body> as_response(http_exchange const& ex, api_response const& out)
{
    auto res = make_response(ex.request, static_cast<http::status>(out.status),
                             out.body.empty() ? "" : "application/json", out.body);
    for (auto const& [name, value] : out.headers) res.set(name, value);
    return res;
}

// A dropped connection: closed with no answer at all, as when a network path fails.
net::bytes_then_close dropped() { return {}; }

// The head and half the body, then a reset: an answer cut short mid-body.
net::bytes_then_close cut_short(http::response<http::string_body> response)
{
    response.prepare_payload();
    std::ostringstream head;
    head << response.base();
    auto const& body = response.body();
    return {head.str() + body.substr(0, body.size() / 2)};
}

char const* fault_label(fault_kind kind)
{
    switch (kind) {
    case fault_kind::drop: return "dropped";
    case fault_kind::drop_after_processing: return "dropped_after_processing";
    case fault_kind::cut_after_processing: return "cut_after_processing";
    case fault_kind::html: return "html";
    case fault_kind::rate_limit: return "rate_limited";
    case fault_kind::fail: return "failed";
    case fault_kind::none: break;
    }
    return "none";
}

// Forgets an idempotency key whose request never completed (a bug threw, or the
// coroutine was destroyed), so a retry is not refused with 409 forever.
struct idempotency_guard {
    idempotency_table& table;
    std::string const& scope;
    std::string const& key;
    bool settled = false;
    ~idempotency_guard()
    {
        if (!settled && !key.empty()) table.abandon(scope, key);
    }
};

}  // namespace

mock_api::mock_api(asio::any_io_executor executor, mock_settings const& settings, bool control_allowed)
    : settings_(settings),
      control_allowed_(control_allowed),
      store_(settings.seed, start_of_day_us(wall_clock_us())),
      faults_(settings.faults, settings.seed),
      jwt_(std::move(executor), settings)
{
    for (auto const& op : operations()) routes_.push_back(route{&op, split_path(op.path)});
}

mock_api::match_result mock_api::match(http::verb method, std::vector<std::string> const& segments) const
{
    match_result result;
    for (auto const& r : routes_) {
        if (r.segments.size() != segments.size()) continue;
        std::map<std::string, std::string, std::less<>> params;
        bool same = true;
        for (std::size_t i = 0; i < segments.size() && same; ++i) {
            auto const& pattern = r.segments[i];
            if (pattern.size() > 2 && pattern.front() == '{') params[pattern.substr(1, pattern.size() - 2)] = segments[i];
            else same = pattern == segments[i];
        }
        if (!same) continue;
        if (r.op->method == method) {
            result.op = r.op;
            result.params = std::move(params);
            return result;
        }
        result.allowed_methods.emplace_back(http::to_string(r.op->method));
    }
    return result;
}

void mock_api::remember_jwt(std::string_view token, std::string_view outcome)
{
    // Read without verifying, for the record only: a refused token's claims are what it said.
    json::object seen{{"outcome", outcome}};
    auto const first = token.find('.');
    auto const second = token.find('.', first + 1);
    if (auto const payload = core::encoding::base64url_decode(token.substr(first + 1, second - first - 1))) {
        boost::system::error_code ec;
        auto const claims = json::parse(*payload, ec);
        if (!ec && claims.is_object())
            for (auto const* name : {"jti", "aud", "azp", "sub"})
                if (auto const* v = claims.as_object().if_contains(name)) seen[name] = *v;
    }
    std::lock_guard lock(stats_mutex_);
    recent_jwts_.push_back(std::move(seen));
    if (recent_jwts_.size() > max_recent_jwts) recent_jwts_.pop_front();
}

void mock_api::count_request(std::string const& label)
{
    std::lock_guard lock(stats_mutex_);
    ++requests_by_path_[label];
}

json::object mock_api::stats_json() const
{
    std::lock_guard lock(stats_mutex_);
    json::object by_path;
    for (auto const& [label, n] : requests_by_path_) by_path[label] = n;
    json::object faults;
    for (auto const& [kind, n] : faults_injected_) faults[kind] = n;
    json::array traceparents;
    for (auto const& t : recent_traceparents_) traceparents.emplace_back(t);
    json::array writes;
    for (auto const& w : recent_writes_) writes.emplace_back(w);
    json::array jwts;
    for (auto const& j : recent_jwts_) jwts.emplace_back(j);
    return {{"token_requests", token_requests_},
            {"recent_writes", std::move(writes)},
            {"requests_by_path", std::move(by_path)},
            {"idempotent_replays", idempotent_replays_},
            {"jwt_requests", jwt_requests_},
            {"recent_jwts", std::move(jwts)},
            {"jwks_loads", jwt_.loads()},
            {"faults_injected", std::move(faults)},
            {"recent_traceparents", std::move(traceparents)}};
}

asio::awaitable<net::http_answer> mock_api::handle(http_exchange& ex)
{
    // Every co_await below takes named values: GCC 12 can destroy temporaries built inside
    // a co_await expression twice.
    api_response out;
    auto const parsed = boost::urls::parse_origin_form(ex.request.target());
    std::string const path = parsed ? std::string(parsed->path()) : std::string();
    if (!parsed) {
        out = error_response(bad_request("invalid_request", "The request target is not a valid path"));
    } else if (path == "/oauth/token") {
        ex.set_log_method(std::string(ex.request.method_string()) + " /oauth/token");
        out = handle_token(ex);
    } else if (path.starts_with("/__mock/")) {
        ex.set_log_method("control");
        out = handle_control(ex, path);
    } else if (path == "/v1" || path.starts_with("/v1/")) {
        query_params query;
        for (auto const& p : parsed->params()) query.emplace(p.key, p.value);
        auto const segments = split_path(path);
        auto answer = co_await handle_v1(ex, segments, std::move(query));
        co_return answer;
    } else {
        out = error_response(api_error{404, "not_found",
                                       "No such endpoint: justifi-mock serves POST /oauth/token and the /v1 API "
                                       "(see mock/README.md)",
                                       {}, {}});
    }
    co_return as_response(ex, out);
}

asio::awaitable<net::http_answer> mock_api::handle_v1(http_exchange& ex, std::vector<std::string> const& segments, query_params query)
{
    auto m = match(ex.request.method(), segments);
    auto const label = std::string(ex.request.method_string()) + " " + (m.op ? std::string(m.op->path) : "(no route)");
    count_request(label);
    ex.set_log_method(label);
    // The trace a caller sent, as JustiFi's own logs would show it: kept for tests, and on the access log line.
    if (auto const parent = ex.request.find("traceparent"); parent != ex.request.end()) {
        std::string traced(parent->value().substr(0, 128));
        if (traced.size() >= 35) ex.set_log_trace_id(traced.substr(3, 32));
        std::lock_guard lock(stats_mutex_);
        if (recent_traceparents_.size() == max_recent_traceparents) recent_traceparents_.pop_front();
        recent_traceparents_.push_back(std::move(traced));
    }

    auto const fault = faults_.next();
    if (fault.kind != fault_kind::none) {
        std::lock_guard lock(stats_mutex_);
        ++faults_injected_[fault_label(fault.kind)];
    }
    if (fault.kind == fault_kind::drop) {
        core::log::debug("injected fault: dropping the connection", {{"reason", fault.reason}});
        co_await pause(fault.latency);
        co_return dropped();
    }

    if (fault.kind == fault_kind::html) {
        co_await pause(fault.latency);
        auto res = make_response(ex.request, http::status::ok, "text/html; charset=utf-8",
                                 "<html><head><title>Gateway</title></head><body><p>Please sign in to continue."
                                 "</p></body></html>\n");
        co_return res;
    }

    std::string scope;
    std::string key;
    idempotency_guard guard{idempotency_, scope, key};
    api_response out;
    if (fault.kind == fault_kind::rate_limit) {
        out = error_response(api_error{429, "rate_limit_exceeded",
                                       "Too many requests hit the API too quickly; retry after 1 second "
                                       "(injected by justifi-mock: rate_limit_first)",
                                       {}, {}});
        out.headers.emplace_back("Retry-After", "1");
    } else if (fault.kind == fault_kind::fail) {
        out = error_response(api_error{fault.status, fault_code(fault.status),
                                       "Injected failure (justifi-mock " + std::string(fault.reason) +
                                           "); the request was not processed, retry it",
                                       {}, {}});
    } else {
        auto const client = co_await authenticate(ex);
        if (client) out = process_v1(ex, *client, m, std::move(query), scope, key);
        else out = error_response(client.error());
    }

    co_await pause(fault.latency);
    if (ex.request.method() != http::verb::get && m.op) {
        auto const sent_key = ex.request["Idempotency-Key"];
        bool const replayed = std::any_of(out.headers.begin(), out.headers.end(),
                                          [](auto const& h) { return h.first == "Idempotent-Replayed"; });
        json::object write{{"request", label},
                           {"idempotency_key", std::string(sent_key.substr(0, max_idempotency_key_length))},
                           {"status", out.status},
                           {"replayed", replayed}};
        core::log::info("write", {{"request", label}, {"idempotency_key", write.at("idempotency_key")},
                                  {"status", out.status}, {"replayed", replayed}});
        std::lock_guard lock(stats_mutex_);
        if (recent_writes_.size() == max_recent_writes) recent_writes_.pop_front();
        recent_writes_.push_back(std::move(write));
    }
    if (!key.empty()) {
        // A 5xx is ours, not the request's: forget the key so a retry runs again.
        if (out.status >= 500) idempotency_.abandon(scope, key);
        else idempotency_.complete(scope, key, stored_reply{out.status, out.body, out.headers});
        guard.settled = true;
    }
    if (fault.kind == fault_kind::drop_after_processing) {
        // Done and remembered, but the client never hears of it: only its retry can tell.
        core::log::debug("injected fault: dropping the connection after processing", {{"reason", fault.reason}});
        co_return dropped();
    }
    if (fault.kind == fault_kind::cut_after_processing) {
        // Done and remembered; the answer starts, then the connection resets mid-body.
        core::log::debug("injected fault: cutting the answer mid-body", {{"reason", fault.reason}});
        co_return cut_short(as_response(ex, out));
    }
    co_return as_response(ex, out);
}

asio::awaitable<outcome<std::string>> mock_api::authenticate(http_exchange& ex)
{
    std::string const token(bearer_token(ex.request[http::field::authorization]));
    if (token.empty())
        co_return api_error{401, "not_authenticated",
                            "Missing Authorization: Bearer <access_token> header; get a token from POST /oauth/token "
                            "with your client_id and client_secret",
                            {}, {}};
    if (auto client = tokens_.client_of(token, token_table::clock::now())) co_return std::move(*client);
    bool const looks_like_jwt = std::count(token.begin(), token.end(), '.') == 2;
    if (!jwt_.enabled() || !looks_like_jwt)
        co_return api_error{401, "not_authenticated",
                            "The access token is invalid or has expired; get a new one from POST /oauth/token", {}, {}};

    auto const claims = co_await jwt_.verify(token);
    remember_jwt(token, claims ? "accepted" : auth::make_error_code(claims.error()).message());
    if (!claims) {
        auto const reason = auth::make_error_code(claims.error()).message();
        core::log::info("bearer JWT refused", {{"reason", reason}});
        co_return api_error{401, "not_authenticated", "The access token was not accepted: " + reason, {}, {}};
    }
    {
        std::lock_guard lock(stats_mutex_);
        ++jwt_requests_;
    }
    // The platform account acts; Idempotency-Keys are scoped by the token's subject (for
    // Auth0's client-credentials tokens, "<client_id>@clients").
    co_return "jwt:" + claims->iss + "|" + claims->sub;
}

api_response mock_api::process_v1(http_exchange& ex, std::string const& client, match_result& m, query_params query,
                                  std::string& idempotency_scope, std::string& idempotency_key)
{
    auto const& req = ex.request;
    if (!m.op) {
        if (!m.allowed_methods.empty()) {
            std::string allow;
            for (auto const& a : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + a;
            auto out = error_response(api_error{405, "method_not_allowed",
                                                std::string(req.method_string()) + " is not supported here; use " + allow,
                                                {}, {}});
            out.headers.emplace_back("Allow", allow);
            return out;
        }
        return error_response(api_error{404, "not_found",
                                        "No such endpoint: " + std::string(req.method_string()) + " " +
                                            std::string(req.target().substr(0, req.target().find('?'))) +
                                            " (justifi-mock simulates the endpoints listed in mock/README.md)",
                                        {}, {}});
    }
    auto const& op = *m.op;

    auto const sub_account = trimmed(req["Sub-Account"]);
    if (!sub_account.empty()) {
        bool const known = store_.run([&](dataset& d) { return sub_account_exists(d, sub_account); });
        if (!known)
            return error_response(api_error{404, "not_found",
                                            "Sub account \"" + sub_account +
                                                "\" not found: the Sub-Account header must name one of the platform's "
                                                "sub accounts (GET /v1/sub_accounts)",
                                            "Sub-Account", {}});
    } else if (op.sub_account_required) {
        return error_response(bad_request("parameter_missing",
                                          "The Sub-Account header is required for " + std::string(req.method_string()) +
                                              " " + std::string(op.path) + ": name the sub account (acc_...) it is for",
                                          "Sub-Account"));
    }

    json::value body;
    std::string canonical_body;
    bool const writes = req.method() != http::verb::get && req.method() != http::verb::head;
    if (writes && !req.body().empty()) {
        boost::system::error_code ec;
        body = json::parse(req.body(), ec);
        if (ec)
            return error_response(bad_request("invalid_json", "The request body is not valid JSON (" + ec.message() + ")"));
        canonical_body = json::serialize(body);
    }

    if (writes) {
        auto const key = trimmed(req["Idempotency-Key"]);
        if (key.empty() && op.idempotency_key_required)
            return error_response(bad_request("idempotency_key_required",
                                              "Idempotency-Key is a required header for " +
                                                  std::string(req.method_string()) + " " + std::string(op.path) +
                                                  "; send a unique value (a UUID) and reuse it when retrying",
                                              "Idempotency-Key"));
        if (key.size() > max_idempotency_key_length)
            return error_response(bad_request("invalid_parameter", "Idempotency-Key must be at most 255 characters",
                                              "Idempotency-Key"));
        if (!key.empty()) {
            auto const target = req.target();
            auto const fingerprint = idempotency_table::fingerprint(
                req.method_string(), target.substr(0, target.find('?')), sub_account, canonical_body);
            // Keys are scoped per API client (the client_id behind the token), as JustiFi
            // scopes them per API key.
            auto decision = idempotency_.begin(client, key, fingerprint, idempotency_table::clock::now());
            switch (decision.what) {
            case idempotency_table::verdict::replay: {
                {
                    std::lock_guard lock(stats_mutex_);
                    ++idempotent_replays_;
                }
                api_response out{decision.reply.status, std::move(decision.reply.body), std::move(decision.reply.headers)};
                out.headers.emplace_back("Idempotent-Replayed", "true");
                return out;
            }
            case idempotency_table::verdict::in_flight:
                return error_response(api_error{409, "idempotency_request_in_progress",
                                                "Another request using this Idempotency-Key is currently in progress; "
                                                "retry it once that one has finished",
                                                "Idempotency-Key", {}});
            case idempotency_table::verdict::params_mismatch:
                return error_response(unprocessable("idempotency_params_mismatch",
                                                    "The request parameters do not match those of a previous request "
                                                    "using this Idempotency-Key (method, path, Sub-Account and body must "
                                                    "be identical); use a new key for a new request",
                                                    "Idempotency-Key"));
            case idempotency_table::verdict::proceed:
                idempotency_scope = client;
                idempotency_key = key;
                break;
            }
        }
    }

    call_input input{std::move(m.params), std::move(query), std::move(body)};
    auto const result = store_.run([&](dataset& d) {
        call_context cx{d, sub_account, wall_clock_us()};
        return op.run(cx, input);
    });
    return from_outcome(result);
}

api_response mock_api::handle_token(http_exchange& ex)
{
    auto const& req = ex.request;
    {
        std::lock_guard lock(stats_mutex_);
        ++token_requests_;
        ++requests_by_path_[std::string(req.method_string()) + " /oauth/token"];
    }
    if (req.method() != http::verb::post) {
        auto out = error_response(api_error{405, "method_not_allowed", "Use POST /oauth/token", {}, {}});
        out.headers.emplace_back("Allow", "POST");
        return out;
    }
    std::string client_id;
    std::string client_secret;
    auto const content_type = req[http::field::content_type];
    if (content_type.find("application/x-www-form-urlencoded") != std::string_view::npos) {
        auto const form = parse_form(req.body());
        if (!form) return error_response(bad_request("invalid_request", "The form body could not be decoded"));
        if (auto it = form->find("client_id"); it != form->end()) client_id = it->second;
        if (auto it = form->find("client_secret"); it != form->end()) client_secret = it->second;
    } else {
        boost::system::error_code ec;
        auto const body = json::parse(req.body(), ec);
        if (ec || !body.is_object())
            return error_response(bad_request("invalid_request",
                                              "Send {\"client_id\": ..., \"client_secret\": ...} as JSON or as "
                                              "application/x-www-form-urlencoded"));
        auto const& o = body.as_object();
        if (auto const* v = o.if_contains("client_id"); v && v->is_string()) client_id = v->as_string();
        if (auto const* v = o.if_contains("client_secret"); v && v->is_string()) client_secret = v->as_string();
    }
    if (client_id.empty() || client_secret.empty())
        return error_response(bad_request("invalid_request", "client_id and client_secret are both required",
                                          client_id.empty() ? "client_id" : "client_secret"));
    bool valid = core::encoding::constant_time_equal(client_id, settings_.client_id) &&
                 core::encoding::constant_time_equal(client_secret, settings_.client_secret);
    for (auto const& [id, secret] : settings_.extra_clients)
        valid = valid || (core::encoding::constant_time_equal(client_id, id) && core::encoding::constant_time_equal(client_secret, secret));
    if (!valid)
        return error_response(api_error{401, "invalid_credentials",
                                        "Invalid client credentials: this justifi-mock accepts only the client_id and "
                                        "client_secret it was started with (--client-id, --client-secret, --extra-clients)",
                                        {}, {}});
    auto token = tokens_.issue(client_id, settings_.token_ttl, token_table::clock::now());
    return json_response(200, json::object{{"access_token", std::move(token)},
                                           {"token_type", "Bearer"},
                                           {"expires_in", settings_.token_ttl.count()}});
}

api_response mock_api::handle_control(http_exchange& ex, std::string_view path)
{
    auto const method = ex.request.method();
    bool const changes = method != http::verb::get;
    if (changes && !control_allowed_)
        return error_response(api_error{403, "forbidden",
                                        "The /__mock/ endpoints that change state answer only when justifi-mock listens "
                                        "on a loopback address",
                                        {}, {}});
    if (path == "/__mock/stats") {
        if (method == http::verb::delete_) {
            std::lock_guard lock(stats_mutex_);
            token_requests_ = 0;
            idempotent_replays_ = 0;
            jwt_requests_ = 0;
            jwt_.reset_loads();
            requests_by_path_.clear();
            faults_injected_.clear();
            recent_traceparents_.clear();
            recent_writes_.clear();
            recent_jwts_.clear();
        } else if (method != http::verb::get) {
            return error_response(api_error{405, "method_not_allowed", "Use GET or DELETE /__mock/stats", {}, {}});
        }
        return json_response(200, stats_json());
    }
    if (path == "/__mock/faults") {
        if (method == http::verb::post) {
            boost::system::error_code ec;
            auto const body = json::parse(ex.request.body(), ec);
            if (ec || !body.is_object())
                return error_response(bad_request("invalid_json",
                                                  "Send a JSON object such as {\"fail_first\": 2, \"fail_status\": 503}"));
            if (auto updated = faults_.update(body.as_object()); !updated)
                return error_response(bad_request("invalid_parameter", updated.error()));
            core::log::info("fault settings changed", {{"faults", faults_.to_json()}});
        } else if (method != http::verb::get) {
            return error_response(api_error{405, "method_not_allowed", "Use GET or POST /__mock/faults", {}, {}});
        }
        return json_response(200, faults_.to_json());
    }
    if (path == "/__mock/reset") {
        if (method != http::verb::post)
            return error_response(api_error{405, "method_not_allowed", "Use POST /__mock/reset", {}, {}});
        store_.reseed();
        idempotency_.clear();
        core::log::info("data reset to the seeded state", {{"seed", store_.seed()}});
        return json_response(200, json::object{{"reset", true}, {"seed", store_.seed()}});
    }
    if (path == "/__mock/tokens") {
        if (method != http::verb::delete_)
            return error_response(api_error{405, "method_not_allowed", "Use DELETE /__mock/tokens", {}, {}});
        auto const revoked = tokens_.revoke_all();
        core::log::info("access tokens revoked", {{"revoked", revoked}});
        return json_response(200, json::object{{"revoked", revoked}});
    }
    return error_response(api_error{404, "not_found",
                                    "Unknown control endpoint; use /__mock/stats, /__mock/faults, /__mock/reset or "
                                    "/__mock/tokens",
                                    {}, {}});
}

}  // namespace justifi::mock
