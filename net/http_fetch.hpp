// One-off GETs of small documents (an issuer's metadata, its JWKS) and POSTs to a token
// endpoint, over http or verified https, and name resolution with a deadline: what the auth stage and the simulator need
// besides the pooled JustiFi client.
#pragma once

#include "core/errors.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::net {

namespace asio = boost::asio;

// The arguments are references: callers co_await these at once, and GCC 12 mishandles
// by-value temporaries in a co_await expression.

// getaddrinfo has no timeout of its own: past `deadline` the lookup is abandoned (timed_out).
asio::awaitable<boost::system::result<asio::ip::tcp::resolver::results_type>> resolve_before(
    asio::any_io_executor executor, std::string const& host, std::string const& port,
    std::chrono::steady_clock::time_point deadline);

struct fetch_options {
    std::string ca_file;  // PEM CAs trusted besides the system store (SSL_CERT_FILE is honoured too)
    std::chrono::milliseconds timeout{5'000};  // for the whole fetch: lookup, connect, TLS, exchange
    std::size_t body_limit = 1024 * 1024;
    std::string user_agent;
};

struct fetched_document {
    std::string body;
    std::optional<std::chrono::seconds> max_age;  // from the answer's Cache-Control, when it says
};

// GET `url` (https verified, host name included); the body of a 200 answer, or a fetch_failed
// refusal saying what went wrong.
asio::awaitable<core::outcome<fetched_document>> fetch_document(std::string const& url, fetch_options const& options);

struct form_answer {
    int status = 0;
    std::string body;
    std::optional<std::chrono::seconds> retry_after;  // from a Retry-After in seconds, when sent
};

// POST an application/x-www-form-urlencoded `form` to `url` (an OAuth token endpoint), with
// `authorization` as the Authorization header when not empty; the answer whatever its status,
// or a fetch_failed refusal when there was none. The form and header are never logged.
asio::awaitable<core::outcome<form_answer>> post_form(std::string const& url, std::string const& form,
                                                      std::string const& authorization, fetch_options const& options);

// Sans-io: how long a Cache-Control value lets an answer be reused. "no-store" and "no-cache"
// are 0; "max-age=N" is N (at most a year); nullopt when it says neither.
std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control);

}  // namespace justifi::net
