#include "server/mcp_stages.hpp"

#include "auth/oauth_metadata.hpp"
#include "client/justifi_client.hpp"
#include "core/encoding.hpp"
#include "net/http_server.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>

namespace justifi::server {
namespace {

std::string supported_list()
{
    std::string out;
    for (auto const v : mcp::supported_versions) out += (out.empty() ? "" : ", ") + std::string(v);
    return out;
}

// "20", "0.5", "0.001": a rate as a person writes it.
std::string rate_text(double per_second)
{
    if (per_second == static_cast<double>(static_cast<long long>(per_second)))
        return std::to_string(static_cast<long long>(per_second));
    auto text = std::to_string(per_second);  // six decimals
    while (text.back() == '0') text.pop_back();
    return text;
}

stage<void> check_protocol_version(request_message const& req)
{
    auto const version = header_value(req, "MCP-Protocol-Version");
    // A modern version is the modern stage's to check, against the body's _meta.
    if (version.empty() || mcp::is_supported_version(version) || mcp::is_modern_version(version)) return {};
    return core::refusal{.code = core::errc::unsupported_protocol_version,
                         .message = "unsupported MCP-Protocol-Version \"" + http_rules::quotable(version) +
                                    "\"; supported: " + supported_list()};
}

constexpr std::string_view param_prefix = "Mcp-Param-";

}  // namespace

std::string_view header_value(request_message const& req, std::string_view name)
{
    auto const it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

mcp_stages::mcp_stages(endpoint_settings settings, mcp::session_codec const& sessions,
                       std::optional<auth::auth_context> development_identity,
                       auth::token_validation const* validation, auth::credential_check check_credentials)
    : settings_(std::move(settings)),
      sessions_(sessions),
      development_identity_(std::move(development_identity)),
      validation_(validation),
      check_credentials_(std::move(check_credentials)),
      rate_limiter_(settings_.rate_limit_per_second, settings_.rate_limit_burst)
{
}

stage<void> mcp_stages::check_origin(request_message const& req) const
{
    // Only a proxy we were told to trust may name the host a client reached us by.
    auto const forwarded_host = settings_.trust_proxy ? header_value(req, "X-Forwarded-Host") : std::string_view{};
    return http_rules::check_origin_and_host(settings_.origin_policy, header_value(req, "Origin"),
                                             header_value(req, "Host"), forwarded_host);
}

boost::asio::awaitable<stage<auth::auth_context>> mcp_stages::authenticate(request_message const& req) const
{
    // With MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS=false the headers count for nothing: only OAuth serves.
    std::string_view client_id;
    std::string_view client_secret;
    if (settings_.allow_client_credential_headers) {
        client_id = header_value(req, "X-Client-Id");
        client_secret = header_value(req, "X-Client-Secret");
    }
    // A DPoP proof names the URL the client addressed: the public one (MCP_PUBLIC_URL, required
    // where DPoP is accepted), never a Host a caller chose.
    std::string request_url;
    if (!settings_.public_url.empty()) {
        auto const target = req.target();
        request_url = settings_.public_url + std::string(target.substr(0, target.find_first_of("?#")));
    }
    auth::presented_credentials const presented{.authorization = header_value(req, "Authorization"),
                                                .client_id = client_id,
                                                .client_secret = client_secret,
                                                .dpop_proof = header_value(req, "DPoP"),
                                                .dpop_proof_count = static_cast<std::size_t>(req.count("DPoP")),
                                                .method = std::string_view(req.method_string().data(),
                                                                           req.method_string().size()),
                                                .request_url = request_url};
    auto const* const check = check_credentials_ ? &check_credentials_ : nullptr;
    auto outcome = co_await auth::authenticate(presented, validation_, check);
    if (outcome && outcome->anonymous() && development_identity_) co_return *development_identity_;
    if (outcome && !outcome->anonymous()) co_return std::move(*outcome);

    // Every refusal from here on is a challenge, which names the base URL.
    auto const base = base_url(req);
    if (!base) co_return bad_base_url(req);
    if (!outcome) co_return std::move(outcome).error();
    // No credentials at all: the RFC 9728 challenge tells an MCP client where to start OAuth.
    std::string message = "authentication is required. Use OAuth: the authorization server and scopes are in the "
                          "protected resource metadata at " +
                          auth::oauth::resource_metadata_url(*base) + " (named in WWW-Authenticate)";
    if (settings_.allow_client_credential_headers)
        message += "; developers may instead send their JustiFi API keys as X-Client-Id and X-Client-Secret headers";
    co_return core::refusal{.code = core::errc::authentication_required, .message = std::move(message)};
}

stage<void> mcp_stages::admit_rate(auth::auth_context const& identity, std::string_view client_address,
                                   core::rate_limiter::clock::time_point now)
{
    // An unverified bearer token is whatever the caller typed: keyed by it, every made-up token
    // would be a fresh bucket (and a JustiFi call). Such callers share their address's bucket.
    bool const unverified = identity.path == auth::auth_path::bearer_passthrough;
    auto const key = unverified ? "address:" + std::string(client_address) : identity.principal();
    auto const wait = rate_limiter_.take(key, now);
    if (!wait) return {};
    auto const seconds = std::max<long long>(1, (wait->count() + 999) / 1000);
    std::string const who = unverified ? " from this address with unverified tokens" : " with these credentials";
    return core::refusal{
        .code = core::errc::rate_limited,
        .message = "more than " + std::to_string(static_cast<long long>(settings_.rate_limit_burst)) +
                   " requests at once or " + rate_text(settings_.rate_limit_per_second) +
                   " a second" + who + "; retry after " + std::to_string(seconds) + " s",
        .retry_after = std::chrono::seconds(seconds)};
}

stage<post_headers> mcp_stages::check_post_headers(request_message const& req) const
{
    if (!http_rules::accepts(header_value(req, "Accept"), {"application/json", "text/event-stream"}))
        return core::refusal{.code = core::errc::not_acceptable,
                             .message = "Accept must include both application/json and text/event-stream"};
    return check_body_headers(req);
}

stage<post_headers> mcp_stages::check_body_headers(request_message const& req)
{
    if (!http_rules::is_json_content_type(header_value(req, "Content-Type")))
        return core::refusal{.code = core::errc::unsupported_media_type,
                             .message = "Content-Type must be application/json"};
    // Forwarded to JustiFi as a header: held to the shape of the id it names, like sub_account_id.
    auto const sub_account = header_value(req, "Sub-Account");
    if (!sub_account.empty() && !client::is_justifi_id(sub_account))
        return core::refusal{.code = core::errc::bad_sub_account,
                             .message = "the Sub-Account header must be a sub account id (acc_...): 1-128 letters, "
                                        "digits, '_' or '-'"};
    return post_headers{std::string(sub_account)};
}

stage<void> mcp_stages::check_legacy_version(request_message const& req) { return check_protocol_version(req); }

stage<void> mcp_stages::check_stream_headers(request_message const& req) const
{
    if (!http_rules::accepts(header_value(req, "Accept"), {"text/event-stream"}))
        return core::refusal{.code = core::errc::not_acceptable, .message = "Accept must include text/event-stream"};
    return check_protocol_version(req);
}

stage<mcp::jsonrpc::message> mcp_stages::decode(std::string_view body) { return mcp::jsonrpc::decode(body); }

stage<modern_request> mcp_stages::check_modern(request_message const& req, mcp::jsonrpc::message const& message)
{
    auto const& params = mcp::jsonrpc::params_of(message);
    auto const id = mcp::jsonrpc::id_of(message);
    auto const refuse = [&](core::refusal why) {
        why.id = id;
        return why;
    };
    modern_request out;
    // Each mirrored header once: a second copy is as malformed as a wrong one.
    for (auto const& field : req) {
        auto const name = std::string_view(field.name_string().data(), field.name_string().size());
        auto const value = std::string_view(field.value().data(), field.value().size());
        auto const set_once = [&](std::optional<std::string_view>& slot) {
            if (slot) return false;
            slot = value;
            return true;
        };
        bool once = true;
        if (boost::beast::iequals(name, "MCP-Protocol-Version")) once = set_once(out.headers.protocol_version);
        else if (boost::beast::iequals(name, "Mcp-Method")) once = set_once(out.headers.method);
        else if (boost::beast::iequals(name, "Mcp-Name")) once = set_once(out.headers.name);
        else if (name.size() > param_prefix.size() && boost::beast::iequals(name.substr(0, param_prefix.size()), param_prefix)) {
            auto key = core::encoding::ascii_lower(name.substr(param_prefix.size()));
            once = std::none_of(out.headers.params.begin(), out.headers.params.end(), [&](auto const& p) { return p.first == key; });
            out.headers.params.emplace_back(std::move(key), value);
        }
        if (!once)
            return refuse(core::refuse(core::errc::header_mismatch,
                                       "Header mismatch: " + std::string(name) + " is sent more than once"));
    }
    // In the order the conformance suite expects: _meta, the version header against it, the
    // version itself, then the method and name headers.
    auto envelope = mcp::read_modern(params, &out.headers);
    if (!envelope) return refuse(std::move(envelope).error());
    if (auto mirrored = mcp::check_method_headers(out.headers, mcp::jsonrpc::method_of(message), params); !mirrored)
        return refuse(std::move(mirrored).error());
    out.envelope = std::move(*envelope);
    return out;
}

stage<std::string> mcp_stages::resume_session(request_message const& req, std::string const& principal,
                                              std::chrono::system_clock::time_point now) const
{
    auto const session_id = header_value(req, "Mcp-Session-Id");
    if (session_id.empty())
        return core::refusal{.code = core::errc::session_missing,
                             .message = "Mcp-Session-Id header is required; send initialize first"};
    auto const claims = sessions_.verify(session_id, principal, now);
    if (!claims) {
        // Unknown, forged, expired and other callers' sessions are all "not found": the client
        // starts a new one.
        auto const& why = claims.error();
        auto const code = why.category() == core::justifi_category() ? static_cast<core::errc>(why.value())
                                                                      : core::errc::session_malformed;
        return core::refusal{.code = code, .message = why.message()};
    }
    return std::string(session_id);
}

http::response<http::string_body> mcp_stages::encode(request_message const& req, mcp::reply const& reply,
                                                     bool is_initialize, std::string const& principal,
                                                     std::chrono::system_clock::time_point now) const
{
    auto res = net::make_response(req, http::status::ok, "application/json", reply.serialize());
    if (is_initialize && reply.message.contains("result")) {
        auto const& version = reply.message.at("result").at("protocolVersion").as_string();
        res.set("Mcp-Session-Id", sessions_.issue(version, principal, now));
    }
    return res;
}

core::refusal mcp_stages::too_many_streams() const
{
    return core::refusal{.code = core::errc::too_many_streams,
                         .message = "at most " + std::to_string(settings_.max_streams_per_caller) +
                                    " event streams may be open at once with these credentials; close one first",
                         .retry_after = std::chrono::seconds(5)};
}

std::optional<std::string> mcp_stages::base_url(request_message const& req) const
{
    return http_rules::public_base_url(settings_.public_url, settings_.trust_proxy, header_value(req, "Host"),
                                       header_value(req, "X-Forwarded-Proto"), header_value(req, "X-Forwarded-Host"));
}

std::string mcp_stages::client_address(request_message const& req, std::string_view peer) const
{
    // Behind a trusted proxy the address it appended last is the one it saw; earlier entries
    // are whatever the client wrote.
    if (settings_.trust_proxy)
        if (auto const forwarded = http_rules::last_list_value(header_value(req, "X-Forwarded-For")); !forwarded.empty())
            return std::string(forwarded.substr(0, 64));
    return std::string(peer);
}

core::refusal mcp_stages::bad_base_url(request_message const& req) const
{
    std::string why = settings_.trust_proxy
                          ? "Host, X-Forwarded-Host and X-Forwarded-Proto do not name a valid http(s) host[:port]"
                          : "Host \"" + http_rules::quotable(header_value(req, "Host")) + "\" is not a valid host[:port]";
    return core::refusal{.code = core::errc::bad_public_base_url, .message = why + " (or set MCP_PUBLIC_URL)"};
}

}  // namespace justifi::server
