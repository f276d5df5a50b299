#include "core/errors.hpp"

namespace justifi::core {
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
        case errc::missing_host: return "an HTTP/1.1 request must carry a Host header";
        case errc::duplicate_host: return "the request carries more than one Host header";
        case errc::unsupported_transfer_coding:
            return "Transfer-Encoding other than exactly \"chunked\" is not supported; send Content-Length or chunked";
        case errc::transfer_coding_in_http10: return "an HTTP/1.0 request cannot use Transfer-Encoding";
        case errc::request_body_too_large: return "the request body is larger than this server accepts";
        case errc::request_bodies_over_budget: return "too many request bodies are being received at once; retry";
        case errc::request_body_malformed: return "the request body's framing is malformed";
        case errc::request_body_incomplete: return "the request body did not arrive in time";
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

}  // namespace justifi::core
