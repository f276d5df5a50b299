#include "auth/auth_stage.hpp"

#include "auth/dpop.hpp"
#include "auth/jwks_cache.hpp"
#include "auth/jwt.hpp"
#include "core/encoding.hpp"

#include <algorithm>
#include <cctype>

namespace justifi::auth {
namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_b64token(std::string_view token)
{
    if (token.empty()) return false;
    auto const last_non_pad = token.find_last_not_of('=');
    if (last_non_pad == std::string_view::npos) return false;
    return std::all_of(token.begin(), token.begin() + static_cast<std::ptrdiff_t>(last_non_pad) + 1, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' ||
               c == '+' || c == '/';
    });
}

}  // namespace

bool is_client_id(std::string_view text)
{
    return !text.empty() && text.size() <= 128 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-';
    });
}

bool is_client_secret(std::string_view text)
{
    return !text.empty() && text.size() <= 512 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

std::string_view to_string(auth_path path)
{
    switch (path) {
    case auth_path::none: return "none";
    case auth_path::bearer_verified: return "bearer_verified";
    case auth_path::bearer_passthrough: return "bearer_passthrough";
    case auth_path::client_credential_headers: return "client_credential_headers";
    case auth_path::configured_credentials: return "configured_credentials";
    }
    return "unknown";
}

std::string auth_context::principal() const
{
    if (!subject.empty()) return "sub:" + subject;
    struct visitor {
        std::string operator()(std::monostate) const { return "anonymous"; }
        std::string operator()(client_credentials const& c) const { return "client:" + c.client_id; }
        std::string operator()(bearer_token const& b) const
        {
            auto const digest = core::encoding::sha256(b.token);
            return "bearer:" + core::encoding::hex_encode({reinterpret_cast<char const*>(digest.data()), 6});
        }
    };
    return std::visit(visitor{}, credentials);
}

std::vector<std::string> split_scopes(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto const end = std::min(text.find(' ', start), text.size());
        if (end > start) out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string join_scopes(std::vector<std::string> const& scopes)
{
    std::string out;
    for (auto const& scope : scopes) {
        if (!out.empty()) out += ' ';
        out += scope;
    }
    return out;
}

scope_implications default_scope_implications(std::vector<std::string> const& scopes)
{
    scope_implications out;
    for (auto const& scope : scopes) {
        if (!scope.ends_with(":write")) continue;
        auto read = scope.substr(0, scope.size() - 5) + "read";
        if (std::find(scopes.begin(), scopes.end(), read) != scopes.end()) out.push_back({scope, std::move(read)});
    }
    return out;
}

std::set<std::string, std::less<>> with_implied_scopes(std::set<std::string, std::less<>> granted,
                                                       scope_implications const& implications)
{
    // Repeated until nothing is added: a table may chain (admin -> write -> read).
    for (bool added = true; added;) {
        added = false;
        for (auto const& rule : implications)
            if (granted.contains(rule.broader) && granted.insert(rule.narrower).second) added = true;
    }
    return granted;
}

auth_outcome read_credentials(presented_credentials const& presented)
{
    if (!presented.authorization.empty()) {
        auto const space = presented.authorization.find(' ');
        auto const scheme = presented.authorization.substr(0, space);
        bool const dpop = iequals(scheme, "DPoP");
        if (space == std::string_view::npos || !(iequals(scheme, "Bearer") || dpop))
            return core::refusal{core::errc::malformed_credentials,
                             "Authorization header must use the Bearer scheme: \"Authorization: Bearer <token>\""};
        auto token = presented.authorization.substr(space + 1);
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
        while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
        if (!is_b64token(token))
            return core::refusal{core::errc::malformed_credentials, "Authorization header has no valid bearer token"};
        return auth_context{.credentials = bearer_token{std::string(token), dpop}, .path = auth_path::bearer_passthrough};
    }
    if (!presented.client_id.empty() || !presented.client_secret.empty()) {
        if (presented.client_id.empty() || presented.client_secret.empty())
            return core::refusal{core::errc::malformed_credentials,
                             "X-Client-Id and X-Client-Secret must be sent together"};
        // Never quoted: whatever a caller puts here stays out of answers and logs.
        if (!is_client_id(presented.client_id))
            return core::refusal{core::errc::malformed_credentials,
                             "X-Client-Id must be a JustiFi client id: 1-128 letters, digits, '_' or '-' (got " +
                                 std::to_string(presented.client_id.size()) + " bytes of something else)"};
        if (!is_client_secret(presented.client_secret))
            return core::refusal{core::errc::malformed_credentials,
                             "X-Client-Secret must be a JustiFi client secret: 1-512 visible ASCII characters"};
        return auth_context{
            .credentials = client_credentials{std::string(presented.client_id), std::string(presented.client_secret)},
            .path = auth_path::client_credential_headers};
    }
    return auth_context{};
}

namespace {

// RFC 9449 section 7: a DPoP-bound token comes with the DPoP scheme and a proof for this request
// made with the key it is bound to; a token that is not bound comes as Bearer, where allowed.
std::optional<core::refusal> check_binding(bearer_token const& presented_token, jwt_claims const& claims,
                                           presented_credentials const& presented, dpop_policy const* policy,
                                           std::chrono::system_clock::time_point now)
{
    bool const bound = !claims.cnf_jkt.empty();
    if (!presented_token.dpop) {
        if (bound)
            return core::refusal{core::errc::invalid_token,
                                 "the access token is DPoP-bound: send it as \"Authorization: DPoP <token>\" with a "
                                 "DPoP proof header"};
        if (policy && policy->required)
            return core::refusal{core::errc::invalid_token,
                                 "this server accepts only DPoP-bound access tokens (RFC 9449): get one with a DPoP "
                                 "proof at the token endpoint and send it with the DPoP scheme"};
        return std::nullopt;
    }
    if (!bound)
        return core::refusal{core::errc::invalid_token,
                             "the access token is not DPoP-bound (it has no cnf.jkt): send it as \"Authorization: "
                             "Bearer <token>\""};
    if (presented.dpop_proof_count != 1)
        return core::refusal{core::errc::invalid_dpop_proof,
                             presented.dpop_proof_count == 0 ? "the DPoP scheme needs a DPoP proof header"
                                                             : "send exactly one DPoP proof header"};
    auto const proof = dpop::verify_proof(presented.dpop_proof, {.method = presented.method,
                                                                 .url = presented.request_url,
                                                                 .access_token = presented_token.token,
                                                                 .bound_jkt = claims.cnf_jkt,
                                                                 .now = now,
                                                                 .window = policy->window});
    if (!proof) return core::refusal{core::errc::invalid_dpop_proof, make_error_code(proof.error()).message()};
    auto const remembered = policy->replays.remember(proof->jkt, proof->jti, dpop::replay_cache::clock::now());
    if (remembered == dpop::dpop_error::replay_cache_full)
        return core::refusal{.code = core::errc::verification_busy, .message = remembered.message(),
                             .retry_after = std::chrono::seconds(1)};
    if (remembered) return core::refusal{core::errc::invalid_dpop_proof, remembered.message()};
    return std::nullopt;
}

}  // namespace

boost::asio::awaitable<auth_outcome> authenticate(presented_credentials presented, token_validation const* validation,
                                                  credential_check const* check_credentials)
{
    auto outcome = read_credentials(presented);
    auto* const context = outcome ? &*outcome : nullptr;
    if (check_credentials && context && context->path == auth_path::client_credential_headers) {
        auto const verdict = co_await (*check_credentials)(std::get<client_credentials>(context->credentials));
        switch (verdict) {
        case credential_verdict::accepted: break;
        case credential_verdict::refused:
            co_return core::refusal{core::errc::invalid_token,
                                "JustiFi refused the client credentials in X-Client-Id and X-Client-Secret"};
        case credential_verdict::unavailable:
            co_return core::refusal{core::errc::verification_unavailable,
                                "the client credentials cannot be checked now: JustiFi is not answering"};
        case credential_verdict::busy:
            co_return core::refusal{core::errc::verification_busy,
                                "too many new client credentials are being checked at once; retry in a second"};
        }
        co_return outcome;
    }
    if (context && context->path == auth_path::bearer_passthrough &&
        std::get<bearer_token>(context->credentials).dpop && !(validation && validation->dpop))
        co_return core::refusal{core::errc::malformed_credentials,
                                "this server does not accept DPoP-bound tokens; send \"Authorization: Bearer <token>\""};
    if (!validation || !context || context->path != auth_path::bearer_passthrough) co_return outcome;

    auto& presented_token = std::get<bearer_token>(context->credentials);
    auto token = presented_token.token;
    auto const verified = co_await validation->keys.verify(std::move(token), validation->rules);
    if (!verified) {
        auto const reason = verified.error() == jwt_error::keys_unavailable ? core::errc::verification_unavailable
                                                                            : core::errc::invalid_token;
        co_return core::refusal{reason, make_error_code(verified.error()).message()};
    }
    if (auto refused = check_binding(presented_token, *verified, presented, validation->dpop,
                                     validation->keys.wall_clock()))
        co_return std::move(*refused);
    context->path = auth_path::bearer_verified;
    context->subject = verified->sub;
    context->token_expires_at = verified->exp;
    std::set<std::string, std::less<>> granted(verified->scope.begin(), verified->scope.end());
    context->granted_scopes.emplace(validation->implications
                                        ? with_implied_scopes(std::move(granted), *validation->implications)
                                        : std::move(granted));
    co_return outcome;
}

}  // namespace justifi::auth
