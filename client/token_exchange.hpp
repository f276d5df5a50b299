// OAuth 2.0 Token Exchange (RFC 8693) for JUSTIFI_UPSTREAM_AUTH=exchange: the token a caller
// presented (issued for this server) never goes to JustiFi. For each call, this server asks the
// authorization server, as its own confidential client, for a JustiFi API token on the caller's
// behalf, with the scopes the tool needs; the answer is cached (token_cache: bounded,
// single-flight, a fetch budget) until shortly before it, or the caller's token, expires.
#pragma once

#include "auth/auth_stage.hpp"
#include "client/token_cache.hpp"
#include "core/metrics.hpp"
#include "core/single_flight.hpp"
#include "net/http_fetch.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::client {

namespace asio = boost::asio;

inline constexpr std::string_view token_exchange_grant = "urn:ietf:params:oauth:grant-type:token-exchange";
inline constexpr std::string_view access_token_type = "urn:ietf:params:oauth:token-type:access_token";

struct exchange_settings {
    std::string issuer;          // whose metadata (RFC 8414, then OpenID discovery) names the token endpoint
    std::string client_id;       // this server's confidential client
    std::string client_secret;
    std::string audience;        // the JustiFi API (JUSTIFI_AUTH0_AUDIENCE)
    // What the subject token is called in the request: RFC 8693's access-token type unless the
    // authorization server wants its own (Auth0's Custom Token Exchange selects its Action by it).
    std::string subject_token_type{access_token_type};
    net::fetch_options fetch;    // CA file, deadline and User-Agent of each request to the authorization server
    // While the token endpoint is unknown (its metadata could not be read), asked again at most this often.
    std::chrono::seconds discovery_retry{5};
};

// Sans-io.

// The token request's form (RFC 8693 section 2.1), values percent-encoded.
std::string exchange_form(std::string_view subject_token, std::string_view audience, std::string_view scope,
                          std::string_view subject_token_type = access_token_type);
// client_secret_basic (RFC 6749 section 2.3.1): both parts form-encoded, then Base64.
std::string basic_authorization(std::string_view client_id, std::string_view client_secret);
// The token endpoint an authorization server metadata document names, after checking that it
// names `issuer` exactly and that the endpoint is https (or http on a loopback host).
core::outcome<std::string> token_endpoint_from_metadata(std::string_view document, std::string_view issuer);

// What the token endpoint's answer means. A token, with the lifetime the answer gives (an hour
// when it says none); otherwise an error of client_error: exchange_scope_refused for
// invalid_scope, exchange_refused for the other refusals of the subject token (invalid_grant,
// invalid_target, invalid_request), exchange_unavailable for the rest (5xx, 429, our own client
// refused, an answer that is not a token), which is the server's problem, not the caller's.
boost::system::result<issued_token> read_exchange_answer(int status, std::string_view body);

// How long an exchanged token may be used: what the authorization server said, but never past
// the caller's own token, less a margin for the call that carries it (at least a second).
std::chrono::seconds exchanged_lifetime(std::chrono::seconds issued_expires_in,
                                        std::chrono::system_clock::time_point subject_expiry,
                                        std::chrono::system_clock::time_point now);

// The key an exchanged token is cached under: a SHA-256 of the subject token (canonical form,
// so a re-encoded signature is the same token) and the scopes asked for.
std::string exchange_cache_key(std::string_view subject_token, std::string_view scope);

class token_exchanger {
public:
    token_exchanger(asio::any_io_executor executor, exchange_settings settings, token_cache_settings cache_settings,
                    core::metrics::registry* metrics);

    // A JustiFi token for this verified caller and auth.upstream_scope, from the cache or exchanged now.
    asio::awaitable<boost::system::result<std::string>> token_for(auth::auth_context const& auth);
    // After JustiFi answered 401 to `token`: the next call exchanges again.
    asio::awaitable<void> forget(auth::auth_context const& auth, std::string token);

    std::size_t size() const { return cache_.size(); }

private:
    asio::awaitable<boost::system::result<issued_token>> exchange(std::string subject, std::string scope,
                                                                  std::chrono::system_clock::time_point subject_expiry,
                                                                  std::string principal);
    asio::awaitable<boost::system::result<std::string>> token_endpoint();
    asio::awaitable<boost::system::result<std::string>> token_endpoint_on_strand();

    using discovery = core::single_flight<boost::system::result<std::string>>;

    exchange_settings settings_;
    token_cache cache_;
    // Touched only on strand_: the token endpoint once discovered; the discovery under way, which
    // every caller meanwhile waits for; and when the last one failed.
    asio::strand<asio::any_io_executor> strand_;
    std::string endpoint_;
    std::shared_ptr<discovery> discovering_;
    std::optional<std::chrono::steady_clock::time_point> last_failure_;
};

}  // namespace justifi::client
