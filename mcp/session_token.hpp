// Mcp-Session-Id values: self-contained, HMAC-signed tokens, so that any replica
// holding the same MCP_SESSION_SECRET accepts a session another replica issued,
// with no shared store and no sticky routing. Sans-io: time is a parameter.
// A session never authenticates anyone; it carries the negotiated version, and it is bound
// to the principal that opened it (a verified subject, a client id): the principal goes into
// the MAC, never into the token, so the session is useless (unknown: 404) to anyone else.
#pragma once

#include "core/errors.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace justifi::mcp {

struct session_claims {
    std::string protocol_version;
    std::chrono::system_clock::time_point issued_at;
};

class session_codec {
public:
    using clock = std::chrono::system_clock;

    session_codec(std::string_view secret, std::chrono::seconds time_to_live);

    std::string issue(std::string_view protocol_version, std::string_view principal, clock::time_point now) const;
    // session_forged when `principal` is not the one the session was issued to.
    core::result<session_claims> verify(std::string_view token, std::string_view principal, clock::time_point now) const;

    std::chrono::seconds time_to_live() const { return ttl_; }

private:
    std::string key_;
    std::chrono::seconds ttl_;
};

}  // namespace justifi::mcp
