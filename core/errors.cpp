#include "core/errors.hpp"

#include <boost/throw_exception.hpp>

#include <ostream>
#include <stdexcept>

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
        case errc::origin_forbidden: return "the request's Origin or Host is not allowed";
        case errc::bad_public_base_url: return "the request's Host does not name a valid URL for this server";
        case errc::authentication_required: return "authentication is required";
        case errc::malformed_credentials: return "the credentials cannot be read";
        case errc::invalid_token: return "the credentials were refused";
        case errc::insufficient_scope: return "the access token lacks the scope this call needs";
        case errc::credentials_rejected: return "JustiFi rejected the access token";
        case errc::verification_busy: return "too many credentials are being checked at once";
        case errc::verification_unavailable: return "credentials cannot be checked now";
        case errc::rate_limited: return "too many requests from this caller";
        case errc::too_many_streams: return "this caller holds all of its event streams";
        case errc::overloaded: return "too many tool calls are running";
        case errc::not_acceptable: return "the Accept header excludes what this endpoint answers with";
        case errc::unsupported_media_type: return "the request body must be application/json";
        case errc::bad_sub_account: return "the Sub-Account header is not a sub account id";
        case errc::parse_error: return "the request body is not valid JSON";
        case errc::invalid_message: return "the request body is not a JSON-RPC message this server takes";
        case errc::invalid_params: return "the request's params are not what the method takes";
        case errc::method_not_found: return "this server does not serve the method";
        case errc::unknown_tool: return "no tool has that name";
        case errc::internal_error: return "the server could not finish the request";
        case errc::invalid_arguments: return "the tool's arguments are not valid";
        case errc::unusable_document: return "the authorization server's document cannot be used";
        case errc::fetch_failed: return "the document could not be fetched";
        case errc::header_mismatch: return "an HTTP header does not match the request body";
        case errc::missing_client_capability: return "the request needs a client capability that was not declared";
        case errc::protocol_version_unsupported: return "the protocol version is not supported";
        case errc::client_request_failed: return "the client answered the server's request with an error";
        case errc::client_no_answer: return "the client did not answer the server's request in time";
        case errc::client_gone: return "the client went away before answering the server's request";
        case errc::call_cancelled: return "the call was cancelled";
        case errc::invalid_dpop_proof: return "the DPoP proof was refused";
        }
        return "unknown justifi-mcp error";
    }
};

}  // namespace

std::string_view refusal_title(errc code) noexcept
{
    switch (code) {
    case errc::origin_forbidden:
    case errc::insufficient_scope: return "Forbidden";
    case errc::authentication_required:
    case errc::malformed_credentials:
    case errc::invalid_token:
    case errc::invalid_dpop_proof:
    case errc::credentials_rejected: return "Unauthorized";
    case errc::verification_busy:
    case errc::verification_unavailable: return "Service Unavailable";
    case errc::overloaded: return "Server busy";
    case errc::rate_limited:
    case errc::too_many_streams: return "Too Many Requests";
    case errc::not_acceptable: return "Not Acceptable";
    case errc::unsupported_media_type: return "Unsupported Media Type";
    case errc::session_malformed:
    case errc::session_forged:
    case errc::session_expired: return "Session not found";
    case errc::invalid_params: return "Invalid params";
    case errc::method_not_found: return "Method not found";
    case errc::parse_error:
    case errc::invalid_message:
    case errc::unknown_tool:
    case errc::internal_error:
    case errc::shutting_down:
    case errc::invalid_arguments:
    case errc::invalid_config:
    case errc::unusable_document:
    case errc::fetch_failed:
    case errc::header_mismatch:
    case errc::missing_client_capability:
    case errc::protocol_version_unsupported:
    case errc::client_request_failed:
    case errc::client_no_answer:
    case errc::client_gone:
    case errc::call_cancelled: return "";
    default: return "Bad Request";
    }
}

std::string refusal_text(refusal const& r)
{
    auto const title = refusal_title(r.code);
    if (title.empty()) return r.message;
    return std::string(title) + ": " + r.message;
}

void throw_exception_from_error(refusal const& r, boost::source_location const& where)
{
    boost::throw_exception(std::logic_error("value() of a refusal: " + r.message), where);
}

std::ostream& operator<<(std::ostream& out, refusal const& r) { return out << refusal_text(r); }

boost::system::error_category const& justifi_category() noexcept
{
    static category const instance;
    return instance;
}

}  // namespace justifi::core
