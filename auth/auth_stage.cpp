#include "auth/auth_stage.hpp"

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

auth_outcome read_credentials(presented_credentials const& presented)
{
    if (!presented.authorization.empty()) {
        auto const space = presented.authorization.find(' ');
        auto const scheme = presented.authorization.substr(0, space);
        if (space == std::string_view::npos || !iequals(scheme, "Bearer"))
            return core::refusal{core::errc::malformed_credentials,
                             "Authorization header must use the Bearer scheme: \"Authorization: Bearer <token>\""};
        auto token = presented.authorization.substr(space + 1);
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
        while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
        if (!is_b64token(token))
            return core::refusal{core::errc::malformed_credentials, "Authorization header has no valid bearer token"};
        return auth_context{.credentials = bearer_token{std::string(token)}, .path = auth_path::bearer_passthrough};
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
    if (!validation || !context || context->path != auth_path::bearer_passthrough) co_return outcome;

    auto token = std::get<bearer_token>(context->credentials).token;
    auto const verified = co_await validation->keys.verify(std::move(token), validation->rules);
    if (!verified) {
        auto const reason = verified.error() == jwt_error::keys_unavailable ? core::errc::verification_unavailable
                                                                            : core::errc::invalid_token;
        co_return core::refusal{reason, make_error_code(verified.error()).message()};
    }
    context->path = auth_path::bearer_verified;
    context->subject = verified->sub;
    context->granted_scopes.emplace(verified->scope.begin(), verified->scope.end());
    co_return outcome;
}

}  // namespace justifi::auth
