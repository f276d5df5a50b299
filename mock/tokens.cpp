#include "mock/tokens.hpp"

#include "core/encoding.hpp"

#include <boost/beast/core/string.hpp>

#include <iterator>

namespace justifi::mock {

std::string token_table::issue(std::string const& client_id, std::chrono::seconds ttl, clock::time_point now)
{
    auto token = core::encoding::base64url_encode(core::encoding::random_bytes(32));
    std::lock_guard lock(mutex_);
    // Expired grants go when new ones are issued, so the table stays as small as the live set.
    for (auto it = grants_.begin(); it != grants_.end();)
        it = it->second.expires <= now ? grants_.erase(it) : std::next(it);
    grants_[token] = grant{client_id, now + ttl};
    return token;
}

std::optional<std::string> token_table::client_of(std::string_view token, clock::time_point now) const
{
    std::lock_guard lock(mutex_);
    auto const it = grants_.find(std::string(token));
    if (it == grants_.end() || it->second.expires <= now) return std::nullopt;
    return it->second.client_id;
}

std::size_t token_table::revoke_all()
{
    std::lock_guard lock(mutex_);
    auto const revoked = grants_.size();
    grants_.clear();
    return revoked;
}

std::string_view bearer_token(std::string_view authorization)
{
    constexpr std::string_view scheme = "bearer ";
    if (authorization.size() <= scheme.size() || !boost::beast::iequals(authorization.substr(0, scheme.size()), scheme))
        return {};
    auto token = authorization.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    return token;
}

}  // namespace justifi::mock
