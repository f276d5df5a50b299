// The awaitable JustiFi HTTPS client: the bottom stage of the pipeline. Tools hand it a
// call and the request's auth context; it authenticates (bearer passthrough or client
// credentials through the shared token cache), retries what is safe to retry, and
// answers with JustiFi's status and JSON.
#pragma once

#include "auth/auth_stage.hpp"
#include "client/token_cache.hpp"
#include "client/token_exchange.hpp"
#include "core/errors.hpp"
#include "core/trace.hpp"
#include "core/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace justifi::client {

namespace json = boost::json;
namespace asio = boost::asio;

struct call_request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path;  // below the API root, already encoded: "/v1/payments/py_123" (see build_path)
    std::vector<std::pair<std::string, std::string>> query;  // raw values; the client encodes them
    std::optional<json::value> body;                         // sent as JSON
    std::string sub_account;                                 // empty: no Sub-Account header
    // A 2xx answer that is a JSON object comes back as its checked text in body_text, not
    // parsed into body: a tool that passes it on as it is never builds (and frees) a DOM.
    bool object_as_text = false;
    // The trace of the MCP request this call is made for: sent on as a child traceparent (a new
    // span id) with the caller's tracestate.
    std::optional<core::trace::context> trace;
    // A write's Idempotency-Key when the caller derives it (a confirmed write: from its sealed
    // request state); empty: a new random key for this call, kept across its retries.
    std::string idempotency_key;
};

struct call_response {
    int status = 0;
    json::value body;       // null for an empty body (204), or when body_text has it
    std::string body_text;  // object_as_text: the answer's JSON object, as JustiFi sent it
};

// What a text is as JSON, found without building it (depth limit as json::parse's default).
enum class json_shape { invalid, object, other };
json_shape check_json(std::string_view text);

// Failures that have no JustiFi answer: network, TLS, deadline, missing credentials.
enum class client_error {
    no_credentials = 1,     // neither a bearer token nor client credentials for this call
    invalid_header_value,   // CR, LF or another control character in a header value
    connect_failed,
    tls_failed,
    timed_out,
    connection_lost,
    bad_response,           // not HTTP, or a body that is not JSON
    token_request_failed,   // POST /oauth/token did not give a token (JustiFi failing, not refusing)
    credentials_refused,    // POST /oauth/token answered 400, 401 or 403: wrong client id or secret
    token_budget_exhausted, // too many token fetches this second over all callers
    // Token exchange (JUSTIFI_UPSTREAM_AUTH=exchange).
    exchange_refused,       // the authorization server would not exchange the caller's token
    exchange_scope_refused, // ... not for the scopes the tool needs (invalid_scope)
    exchange_unavailable,   // the authorization server could not be asked, or failed to answer
};
boost::system::error_code make_error_code(client_error e) noexcept;

struct client_settings {
    std::string base_url = "https://api.justifi.ai";  // normalised: no trailing "/" or "/v1"
    std::chrono::milliseconds call_timeout{30'000};
    std::size_t max_idle_connections_per_host = 32;
    int max_attempts = 3;
    std::chrono::milliseconds first_backoff{200};
    std::string ca_file;  // JUSTIFI_CA_FILE, then SSL_CERT_FILE, else the system store
    core::metrics::registry* metrics = nullptr;  // upstream calls and token cache lookups, when given
    token_cache_settings tokens;           // the client-credentials token cache's bounds and budget
    // JUSTIFI_UPSTREAM_AUTH=exchange: a verified caller's token is exchanged for the JustiFi token
    // the call is made with (its cache has the bounds and budget of `tokens`).
    std::optional<exchange_settings> exchange;
};

class justifi_client {
public:
    justifi_client(asio::any_io_executor executor, client_settings settings);
    ~justifi_client();

    // One tool call's worth of HTTP. An `Idempotency-Key` is attached to every non-GET and
    // reused across that call's retries. Never throws for network or HTTP failures.
    asio::awaitable<boost::system::result<call_response>> call(call_request request, auth::auth_context const& auth);

    // Whether JustiFi issues a token for these credentials (from the cache when it has one):
    // what admits a request that presents client credentials. Errors as for call().
    asio::awaitable<boost::system::error_code> check_credentials(auth::client_credentials const& credentials);

    client_settings const& settings() const;
    // Entries in the client-credentials token cache (a gauge).
    std::size_t cached_credentials() const;
    // Entries in the exchanged-token cache (a gauge); 0 without exchange.
    std::size_t cached_exchanges() const;
    // Gives back the read buffers of pooled connections (each grows to the largest answer it
    // has read); they grow again on their next use. For an idle process.
    void release_idle_memory();

private:
    struct impl;
    asio::awaitable<boost::system::result<call_response>> perform(call_request request, auth::auth_context const& auth);
    std::shared_ptr<impl> impl_;
};

// Sans-io helpers.

// How the auth stage reads a failed credentials check: refused, over the fetch budget, or not
// answerable now (network, TLS, JustiFi failing).
auth::credential_verdict credential_verdict_of(boost::system::error_code const& check_failure);

// "https://api.justifi.ai/v1/" → "https://api.justifi.ai"; refuses plain http:// except for
// loopback hosts (the simulator). An invalid_config refusal names what is wrong.
core::outcome<std::string> normalise_base_url(std::string_view url);

// Fills "/v1/payments/{id}/refunds" from arguments; each value must match
// ^[A-Za-z0-9_-]{1,128}$, so "../oauth/token" or "x?y" is an invalid_arguments refusal naming the argument.
core::outcome<std::string> build_path(std::string_view path_template, json::object const& arguments);

bool is_safe_header_value(std::string_view value);

// A JustiFi id as paths and the Sub-Account header carry it: 1-128 letters, digits, '_' or '-'.
bool is_justifi_id(std::string_view value);

}  // namespace justifi::client

template <>
struct boost::system::is_error_code_enum<justifi::client::client_error> : std::true_type {};
