// requestState for 2026-07-28's multi round-trip requests, sans-io: the client echoes it on its
// retry, so it is attacker-controlled. It is sealed with an HMAC under a key every replica
// derives from MCP_SESSION_SECRET (any replica can continue a call another one started), and
// the MAC binds what the spec's mrtr.mdx asks for: the principal, a short expiry, and the
// request it continues (method, name, a digest of the arguments in canonical form). It carries
// a random nonce, which a write can turn into its idempotency key, so that a replayed state
// reaches JustiFi as the same request. Integrity only: the client can read the payload.
#pragma once

#include "core/errors.hpp"
#include "mcp/envelope.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::mcp {

// The request a state continues, and who sent it.
struct state_binding {
    std::string_view principal;
    std::string_view method;  // "tools/call"
    std::string_view name;    // the tool
    boost::json::object const& arguments;
};

struct opened_state {
    std::string payload;  // what the server put in
    std::string nonce;    // 32 hex digits, fixed at sealing
};

// JSON text with every object's keys in code-point order and no spaces, so the same arguments
// sent with their keys in another order digest the same.
std::string canonical_json(boost::json::value const& value);

class request_state_codec {
public:
    using clock = std::chrono::system_clock;
    static constexpr std::chrono::seconds default_ttl{300};
    // Far above any state this server writes; checked before any work on an attacker's text.
    static constexpr std::size_t max_state_length = 16 * 1024;

    request_state_codec(std::string_view secret, std::chrono::seconds time_to_live = default_ttl);

    std::string seal(std::string_view payload, state_binding const& binding, clock::time_point now) const;
    // invalid_params, saying which: not one of ours, changed or bound to another request or
    // caller, or expired.
    core::outcome<opened_state> open(std::string_view state, state_binding const& binding, clock::time_point now) const;

    std::chrono::seconds time_to_live() const { return ttl_; }

private:
    std::string mac_of(std::string_view body, state_binding const& binding) const;

    // Derived from the secret by the first seal or open, not at start: OpenSSL's first use
    // costs a stdio process about 3 ms before its initialize answer. Shared, so that the
    // codec stays copyable.
    struct derived_key {
        std::string secret;
        std::once_flag derived;
        std::string key;
    };
    std::string const& key() const;

    std::shared_ptr<derived_key> key_;
    std::chrono::seconds ttl_;
};

// What a retry brings back: the client's answers (inputResponses, each an object) and the
// state, opened. Both absent on a first call.
struct retry_input {
    std::optional<boost::json::object> input_responses;
    std::optional<opened_state> state;
};

// Reads params.inputResponses and params.requestState: an ill-typed one, or a state that does
// not open, is invalid_params naming it, before any work is done.
core::outcome<retry_input> read_retry(boost::json::value const& params, request_state_codec const& codec,
                                      state_binding const& binding, request_state_codec::clock::time_point now);

// The capability each of a result's inputRequests needs (elicitation/create: elicitation, in
// form or url mode; sampling/createMessage: sampling; roots/list: roots), all of which the
// client must have declared: missing_client_capability (-32021) names every one it did not.
// A request of any other kind is a bug in the tool: internal_error.
core::outcome<void> check_input_requests(boost::json::object const& input_requests, envelope const& client);

}  // namespace justifi::mcp
