// The simulator's HTTP face, run as the handler of the generic server/http_server:
// POST /oauth/token; the /v1 endpoint table (mock/resources) behind bearer auth,
// Sub-Account scoping, Idempotency-Key and injected faults; and /__mock/ control
// endpoints for tests (stats, faults, reset, token revocation).
#pragma once

#include "mock/faults.hpp"
#include "mock/idempotency.hpp"
#include "mock/jwt_bearer.hpp"
#include "mock/options.hpp"
#include "mock/resources.hpp"
#include "mock/store.hpp"
#include "mock/tokens.hpp"
#include "net/http_server.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace justifi::mock {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using net::http_exchange;
using net::make_response;

// What a request is answered with before it becomes an HTTP response.
struct api_response {
    int status = 200;
    std::string body;  // empty: no body
    std::vector<std::pair<std::string, std::string>> headers;
};

class mock_api {
public:
    // `control_allowed`: whether /__mock/ endpoints that change state may be called. The
    // generic server does not tell a handler the peer's address, so "loopback only" is
    // enforced by the address the mock listens on.
    mock_api(asio::any_io_executor executor, mock_settings const& settings, bool control_allowed);

    asio::awaitable<net::http_answer> handle(http_exchange& ex);

    json::object stats_json() const;

    // Bearer JWTs accepted besides the mock's own tokens (when a JWKS is configured); main()
    // loads its keys before serving.
    jwt_bearer& external_tokens() { return jwt_; }

private:
    struct route {
        operation const* op;
        std::vector<std::string> segments;  // "{id}" marks a parameter
    };
    struct match_result {
        operation const* op = nullptr;
        std::map<std::string, std::string, std::less<>> params;
        std::vector<std::string> allowed_methods;  // when the path exists with other methods
    };
    match_result match(http::verb method, std::vector<std::string> const& segments) const;

    asio::awaitable<net::http_answer> handle_v1(http_exchange& ex, std::vector<std::string> const& segments,
                                                query_params query);
    // The API client a /v1 request acts for (it scopes Idempotency-Keys), or JustiFi's 401.
    asio::awaitable<outcome<std::string>> authenticate(http_exchange& ex);
    api_response process_v1(http_exchange& ex, std::string const& client, match_result& m, query_params query,
                            std::string& idempotency_scope, std::string& idempotency_key);
    api_response handle_token(http_exchange& ex);
    api_response handle_control(http_exchange& ex, std::string_view path);

    void count_request(std::string const& label);

    mock_settings settings_;
    bool control_allowed_;
    store store_;
    fault_plan faults_;
    idempotency_table idempotency_;
    token_table tokens_;
    jwt_bearer jwt_;
    std::vector<route> routes_;

    mutable std::mutex stats_mutex_;
    std::uint64_t token_requests_ = 0;
    std::uint64_t idempotent_replays_ = 0;
    std::uint64_t jwt_requests_ = 0;
    std::map<std::string, std::uint64_t> requests_by_path_;
    std::map<std::string, std::uint64_t> faults_injected_;
    // The traceparent headers of the latest /v1 requests, oldest first.
    static constexpr std::size_t max_recent_traceparents = 32;
    std::deque<std::string> recent_traceparents_;
    // The latest writes (any /v1 method but GET), oldest first: what JustiFi's dashboard shows
    // of a request, with its Idempotency-Key, status and whether it was a replay.
    static constexpr std::size_t max_recent_writes = 64;
    std::deque<json::object> recent_writes_;
    // Bearer JWTs presented (jti, aud, azp and whether accepted; never the token), newest last:
    // what lets a test show which tokens reached "JustiFi".
    static constexpr std::size_t max_recent_jwts = 256;
    std::deque<json::object> recent_jwts_;
    void remember_jwt(std::string_view token, std::string_view outcome);
};

}  // namespace justifi::mock
