#include "server/http_answers.hpp"

#include "auth/oauth_metadata.hpp"
#include "mcp/jsonrpc.hpp"
#include "net/http_server.hpp"

#include <boost/json/serialize.hpp>

namespace justifi::server {
namespace {

// When to come back, for refusals whose maker did not say.
std::chrono::seconds default_retry_after(core::errc code)
{
    switch (code) {
    case core::errc::verification_busy:
    case core::errc::overloaded: return std::chrono::seconds(1);
    case core::errc::verification_unavailable:
    case core::errc::too_many_streams: return std::chrono::seconds(5);
    default: return std::chrono::seconds(0);
    }
}

bool is_challenged(core::errc code)
{
    switch (code) {
    case core::errc::authentication_required:
    case core::errc::malformed_credentials:
    case core::errc::invalid_token:
    case core::errc::invalid_dpop_proof:
    case core::errc::credentials_rejected:
    case core::errc::insufficient_scope: return true;
    default: return false;
    }
}

std::string challenge(core::refusal const& r, std::string const& base, std::vector<std::string> const& scopes,
                      auth::oauth::challenge_options schemes)
{
    auto const& description = r.description.empty() ? r.message : r.description;
    switch (r.code) {
    case core::errc::authentication_required: return auth::oauth::bearer_challenge(base, scopes, schemes);
    case core::errc::malformed_credentials: return auth::oauth::invalid_request_challenge(base, description, schemes);
    case core::errc::insufficient_scope:
        return auth::oauth::insufficient_scope_challenge(base, r.scope, description, schemes);
    case core::errc::invalid_dpop_proof: return auth::oauth::invalid_dpop_proof_challenge(base, description, schemes);
    default: return auth::oauth::invalid_token_challenge(base, scopes, description, schemes);
    }
}

}  // namespace

http::status refusal_status(core::errc code)
{
    switch (code) {
    case core::errc::origin_forbidden:
    case core::errc::insufficient_scope: return http::status::forbidden;
    case core::errc::authentication_required:
    case core::errc::malformed_credentials:
    case core::errc::invalid_token:
    case core::errc::invalid_dpop_proof:
    case core::errc::credentials_rejected: return http::status::unauthorized;
    case core::errc::verification_busy:
    case core::errc::verification_unavailable:
    case core::errc::overloaded:
    case core::errc::shutting_down:
    case core::errc::request_bodies_over_budget: return http::status::service_unavailable;
    case core::errc::rate_limited:
    case core::errc::too_many_streams: return http::status::too_many_requests;
    case core::errc::not_acceptable: return http::status::not_acceptable;
    case core::errc::unsupported_media_type: return http::status::unsupported_media_type;
    case core::errc::session_malformed:
    case core::errc::session_forged:
    case core::errc::session_expired:
    case core::errc::method_not_found: return http::status::not_found;
    case core::errc::request_body_too_large: return http::status::payload_too_large;
    case core::errc::unsupported_transfer_coding: return http::status::not_implemented;
    default: return http::status::bad_request;
    }
}

http::response<http::string_body> refusal_response(request_message const& req, core::refusal const& refusal,
                                                   mcp_stages const& stages, error_format format)
{
    // Only a URL a client may be sent to goes into a challenge.
    if (refusal.code == core::errc::bad_public_base_url)
        return format == error_format::jsonrpc
                   ? net::make_response(req, http::status::bad_request, "text/plain", core::refusal_text(refusal))
                   : net::make_response(req, http::status::bad_request, "application/json",
                                        error_object(error_name(refusal.code), core::refusal_text(refusal)));
    std::string www_authenticate;
    if (is_challenged(refusal.code)) {
        auto const base = stages.base_url(req);
        if (!base) return refusal_response(req, stages.bad_base_url(req), stages, format);
        auto options = stages.settings().challenge_options;
        // Exchange mode: a client must ask for a token for the endpoint it calls, so the challenge
        // points at that endpoint's document (RFC 9728 section 3.1, the path inserted).
        auto const target = req.target();
        if (stages.settings().path_aware_challenges && target.substr(0, target.find('?')).starts_with("/mcp"))
            options.resource_path = "/mcp";
        www_authenticate = challenge(refusal, *base, stages.settings().oauth_scopes, options);
    }
    auto body = format == error_format::jsonrpc ? boost::json::serialize(mcp::jsonrpc::make_error(refusal))
                                                : error_object(error_name(refusal.code), core::refusal_text(refusal));
    auto res = net::make_response(req, refusal_status(refusal.code), "application/json", std::move(body));
    if (!www_authenticate.empty()) res.set(http::field::www_authenticate, www_authenticate);
    auto const retry_after = refusal.retry_after.count() > 0 ? refusal.retry_after : default_retry_after(refusal.code);
    if (retry_after.count() > 0) res.set(http::field::retry_after, std::to_string(retry_after.count()));
    return res;
}

std::string error_object(std::string_view code, std::string_view message, boost::json::object extra)
{
    boost::json::object error{{"code", code}, {"message", message}};
    for (auto& [name, value] : extra) error[name] = std::move(value);
    return boost::json::serialize(boost::json::object{{"error", std::move(error)}});
}

std::string_view error_name(core::errc code)
{
    switch (code) {
    case core::errc::origin_forbidden: return "origin_forbidden";
    case core::errc::bad_public_base_url: return "bad_host";
    case core::errc::authentication_required: return "authentication_required";
    case core::errc::malformed_credentials: return "malformed_credentials";
    case core::errc::invalid_token: return "invalid_token";
    case core::errc::invalid_dpop_proof: return "invalid_dpop_proof";
    case core::errc::insufficient_scope: return "insufficient_scope";
    case core::errc::credentials_rejected: return "credentials_rejected";
    case core::errc::verification_busy:
    case core::errc::verification_unavailable: return "verification_unavailable";
    case core::errc::rate_limited:
    case core::errc::too_many_streams: return "rate_limited";
    case core::errc::overloaded:
    case core::errc::request_bodies_over_budget: return "overloaded";
    case core::errc::shutting_down: return "shutting_down";
    case core::errc::unsupported_media_type: return "unsupported_media_type";
    case core::errc::bad_sub_account: return "bad_sub_account";
    case core::errc::parse_error: return "invalid_body";
    case core::errc::unknown_tool: return "unknown_tool";
    case core::errc::invalid_params:
    case core::errc::invalid_arguments: return "invalid_arguments";
    case core::errc::missing_client_capability: return "missing_client_capability";
    case core::errc::internal_error: return "internal_error";
    default: return "bad_request";
    }
}

}  // namespace justifi::server
