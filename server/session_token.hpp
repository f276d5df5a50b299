// Mcp-Session-Id values: self-contained, HMAC-signed tokens, so that any replica
// holding the same MCP_SESSION_SECRET accepts a session another replica issued,
// with no shared store and no sticky routing. Sans-io: time is a parameter.
// A session never authenticates anyone; it only carries the negotiated version.
#pragma once

#include "server/errors.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace justifi {

struct session_claims {
    std::string protocol_version;
    std::chrono::system_clock::time_point issued_at;
};

class session_codec {
public:
    using clock = std::chrono::system_clock;

    session_codec(std::string_view secret, std::chrono::seconds time_to_live);

    std::string issue(std::string_view protocol_version, clock::time_point now) const;
    result<session_claims> verify(std::string_view token, clock::time_point now) const;

    std::chrono::seconds time_to_live() const { return ttl_; }

private:
    std::string key_;
    std::chrono::seconds ttl_;
};

}  // namespace justifi
