#include "server/errors.hpp"

namespace justifi {
namespace {

struct category final : boost::system::error_category {
    char const* name() const noexcept override { return "justifi-mcp"; }
    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::session_missing: return "Mcp-Session-Id header is required";
        case errc::session_malformed: return "Mcp-Session-Id is not a session this server issued";
        case errc::session_forged: return "Mcp-Session-Id signature does not verify";
        case errc::session_expired: return "session has expired; initialize a new one";
        case errc::unsupported_protocol_version: return "unsupported MCP protocol version";
        case errc::invalid_config: return "invalid configuration";
        case errc::shutting_down: return "server is shutting down";
        }
        return "unknown justifi-mcp error";
    }
};

}  // namespace

boost::system::error_category const& justifi_category() noexcept
{
    static category const instance;
    return instance;
}

}  // namespace justifi
