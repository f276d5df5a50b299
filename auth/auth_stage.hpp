// The auth stage: turns what a request presents into the auth context that travels,
// as a value, down the pipeline to every JustiFi call made for that request.
// The stage reads credentials; the HTTP transport answers a request that brings none with
// the 401 OAuth challenge (unless MCP_AUTH=none). Validating tokens builds on this interface.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace justifi::auth {

struct bearer_token {
    std::string token;
};

struct client_credentials {
    std::string client_id;
    std::string client_secret;
};

struct auth_context {
    std::variant<std::monostate, bearer_token, client_credentials> credentials;
    // The caller's Sub-Account scope (the HTTP request's Sub-Account header); a tool's
    // sub_account_id argument overrides it.
    std::string sub_account;

    bool anonymous() const { return std::holds_alternative<std::monostate>(credentials); }
    // Safe to log: a client id, or a short fingerprint of a token; never the secret.
    std::string principal() const;
};

// What the transport hands the stage; empty views mean the header was absent.
struct presented_credentials {
    std::string_view authorization;
    std::string_view client_id;
    std::string_view client_secret;
};

enum class auth_error {
    malformed_authorization = 1,  // not "Bearer <token68>"
    incomplete_client_credentials,  // one of X-Client-Id / X-Client-Secret without the other
};

struct rejection {
    auth_error reason;
    std::string description;
};

using auth_outcome = std::variant<auth_context, rejection>;

// Sans-io core of the stage, unit-tested without sockets.
auth_outcome read_credentials(presented_credentials const& presented);

// The pipeline stage.
boost::asio::awaitable<auth_outcome> authenticate(presented_credentials presented);

}  // namespace justifi::auth
