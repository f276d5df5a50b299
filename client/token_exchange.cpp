#include "client/token_exchange.hpp"

#include "auth/jwks_cache.hpp"
#include "auth/jwt.hpp"
#include "client/justifi_client.hpp"
#include "core/awaitable.hpp"
#include "core/encoding.hpp"
#include "core/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>

namespace justifi::client {
namespace {

namespace json = boost::json;

// Exchanged tokens are not kept to the last second of either lifetime: a call made with one
// takes time to reach JustiFi.
constexpr std::chrono::seconds expiry_margin{30};

std::string form_encoded(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

std::string_view string_member(json::object const& o, std::string_view name)
{
    auto const* v = o.if_contains(name);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

std::string exchange_form(std::string_view subject_token, std::string_view audience, std::string_view scope,
                          std::string_view subject_token_type)
{
    std::string out = "grant_type=" + form_encoded(token_exchange_grant);
    out += "&subject_token=" + form_encoded(subject_token);
    out += "&subject_token_type=" + form_encoded(subject_token_type);
    out += "&requested_token_type=" + form_encoded(access_token_type);
    out += "&audience=" + form_encoded(audience);
    if (!scope.empty()) out += "&scope=" + form_encoded(scope);
    return out;
}

std::string basic_authorization(std::string_view client_id, std::string_view client_secret)
{
    auto const credentials = form_encoded(client_id) + ":" + form_encoded(client_secret);
    std::string encoded(4 * ((credentials.size() + 2) / 3), '\0');
    auto const written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                         reinterpret_cast<unsigned char const*>(credentials.data()),
                                         static_cast<int>(credentials.size()));
    encoded.resize(static_cast<std::size_t>(std::max(0, written)));
    return "Basic " + encoded;
}

core::outcome<std::string> token_endpoint_from_metadata(std::string_view document, std::string_view issuer)
{
    return auth::endpoint_from_metadata(document, issuer, "token_endpoint");
}

boost::system::result<issued_token> read_exchange_answer(int status, std::string_view body)
{
    boost::system::error_code ec;
    auto const parsed = json::parse(body, ec);
    auto const* answer = !ec ? parsed.if_object() : nullptr;
    if (status == 200) {
        if (!answer) return make_error_code(client_error::exchange_unavailable);
        auto const token = string_member(*answer, "access_token");
        auto const type = string_member(*answer, "issued_token_type");
        // RFC 8693 section 2.2.1: an access token, presented as a bearer token to JustiFi.
        if (token.empty() || (!type.empty() && type != access_token_type) ||
            !core::encoding::ascii_lower(string_member(*answer, "token_type")).starts_with("bearer"))
            return make_error_code(client_error::exchange_unavailable);
        issued_token out{std::string(token), std::chrono::seconds(3600)};
        if (auto const* ttl = answer->if_contains("expires_in"); ttl && ttl->is_number()) {
            auto const said = ttl->to_number<double>();
            if (std::isfinite(said))
                out.expires_in = std::chrono::seconds(static_cast<long long>(std::clamp(said, 0.0, 30.0 * 24 * 3600)));
        }
        return out;
    }
    auto const error = answer ? string_member(*answer, "error") : std::string_view();
    if (status == 400 && error == "invalid_scope") return make_error_code(client_error::exchange_scope_refused);
    // RFC 8693 section 2.2.2 and RFC 6749 section 5.2: what is wrong with the subject token or
    // with what was asked for it. invalid_client and unauthorized_client are this server's own
    // misconfiguration: no sign-in by the caller fixes them.
    if (status == 400 && (error == "invalid_grant" || error == "invalid_target" || error == "invalid_request"))
        return make_error_code(client_error::exchange_refused);
    return make_error_code(client_error::exchange_unavailable);
}

std::chrono::seconds exchanged_lifetime(std::chrono::seconds issued_expires_in,
                                        std::chrono::system_clock::time_point subject_expiry,
                                        std::chrono::system_clock::time_point now)
{
    auto const subject_left = std::chrono::duration_cast<std::chrono::seconds>(subject_expiry - now);
    return std::max(std::chrono::seconds(1), std::min(issued_expires_in, subject_left) - expiry_margin);
}

std::string exchange_cache_key(std::string_view subject_token, std::string_view scope)
{
    auto const digest = core::encoding::sha256(auth::canonical_token(subject_token));
    return "exchange\n" + core::encoding::hex_encode({reinterpret_cast<char const*>(digest.data()), digest.size()}) +
           "\n" + std::string(scope);
}

token_exchanger::token_exchanger(asio::any_io_executor executor, exchange_settings settings,
                                 token_cache_settings cache_settings, core::metrics::registry* metrics)
    : settings_(std::move(settings)),
      cache_(executor, {}, std::move(cache_settings), metrics),
      strand_(asio::make_strand(std::move(executor)))
{
}

asio::awaitable<boost::system::result<std::string>> token_exchanger::token_for(auth::auth_context const& auth)
{
    auto const* bearer = std::get_if<auth::bearer_token>(&auth.credentials);
    if (!bearer || auth.path != auth::auth_path::bearer_verified || !auth.token_expires_at)
        co_return make_error_code(client_error::no_credentials);
    auto key = exchange_cache_key(bearer->token, auth.upstream_scope);
    token_cache::fetch_once fetch = [this, subject = bearer->token, scope = auth.upstream_scope,
                                     expiry = *auth.token_expires_at, principal = auth.principal()]() {
        return exchange(subject, scope, expiry, principal);
    };
    auto token = co_await cache_.get_or_fetch(std::move(key), std::move(fetch));
    co_return token;
}

asio::awaitable<void> token_exchanger::forget(auth::auth_context const& auth, std::string token)
{
    auto const* bearer = std::get_if<auth::bearer_token>(&auth.credentials);
    if (!bearer) co_return;
    co_await cache_.invalidate_key(exchange_cache_key(bearer->token, auth.upstream_scope), std::move(token));
}

asio::awaitable<boost::system::result<std::string>> token_exchanger::token_endpoint()
{
    co_return co_await asio::co_spawn(strand_, token_endpoint_on_strand(), core::use_awaitable_uncancelled());
}

asio::awaitable<boost::system::result<std::string>> token_exchanger::token_endpoint_on_strand()
{
    if (!endpoint_.empty()) co_return endpoint_;
    // One discovery at a time: the callers that come meanwhile wait for its outcome.
    if (auto const pending = discovering_) {
        auto outcome = co_await pending->wait();
        co_return outcome;
    }
    // After a failure, not again before discovery_retry: a caller meanwhile is told to come back.
    auto const now = std::chrono::steady_clock::now();
    if (last_failure_ && now - *last_failure_ < settings_.discovery_retry)
        co_return make_error_code(client_error::exchange_unavailable);
    auto const pending = std::make_shared<discovery>(strand_, boost::system::error_code{});
    discovering_ = pending;

    boost::system::result<std::string> outcome = make_error_code(client_error::exchange_unavailable);
    std::string failures;
    for (auto const& url : auth::issuer_metadata_urls(settings_.issuer)) {
        auto document = co_await net::fetch_document(url, settings_.fetch);
        if (!document) {
            failures += (failures.empty() ? "" : "; ") + url + ": " + document.error().message;
            continue;
        }
        auto endpoint = token_endpoint_from_metadata(document->body, settings_.issuer);
        if (!endpoint) {
            failures += (failures.empty() ? "" : "; ") + url + ": " + endpoint.error().message;
            continue;
        }
        endpoint_ = *endpoint;
        outcome = endpoint_;
        break;
    }
    if (!outcome) {
        last_failure_ = std::chrono::steady_clock::now();
        core::log::error("token exchange: the authorization server's token endpoint is unknown",
                         {{"issuer", settings_.issuer}, {"reason", failures}});
    }
    discovering_.reset();
    pending->finish(outcome);
    co_return outcome;
}

asio::awaitable<boost::system::result<issued_token>> token_exchanger::exchange(
    std::string subject, std::string scope, std::chrono::system_clock::time_point subject_expiry, std::string principal)
{
    auto const endpoint = co_await token_endpoint();
    if (!endpoint) co_return endpoint.error();
    auto const form = exchange_form(subject, settings_.audience, scope, settings_.subject_token_type);
    auto const authorization = basic_authorization(settings_.client_id, settings_.client_secret);
    auto answer = co_await net::post_form(*endpoint, form, authorization, settings_.fetch);
    if (!answer) {
        core::log::warning("token exchange: no answer from the authorization server",
                           {{"principal", principal}, {"reason", answer.error().message}});
        co_return make_error_code(client_error::exchange_unavailable);
    }
    auto issued = read_exchange_answer(answer->status, answer->body);
    if (!issued) {
        // The status and the OAuth error code only: the answer's description may quote what was sent.
        boost::system::error_code pec;
        auto const parsed = json::parse(answer->body, pec);
        auto const* o = !pec ? parsed.if_object() : nullptr;
        auto const oauth_error = o ? std::string(string_member(*o, "error")) : std::string();
        bool const ours = issued.error() == client_error::exchange_unavailable;
        auto const code = oauth_error.substr(0, 64);
        if (ours)
            core::log::error("token exchange failed",
                             {{"principal", principal}, {"status", answer->status}, {"error", code}});
        else
            core::log::info("token exchange refused",
                            {{"principal", principal}, {"status", answer->status}, {"error", code}});
        co_return issued.error();
    }
    // Never kept beyond the caller's own token: an exchange is no way to extend a session.
    issued->expires_in = exchanged_lifetime(issued->expires_in, subject_expiry, std::chrono::system_clock::now());
    core::log::info("token exchanged", {{"principal", principal},
                                        {"scope", scope},
                                        {"cached_for_s", static_cast<std::int64_t>(issued->expires_in.count())}});
    co_return issued;
}

}  // namespace justifi::client
