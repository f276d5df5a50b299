// Access tokens this mock issued: opaque random strings that expire. Sans-io: the caller
// passes the clock.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace justifi::mock {

class token_table {
public:
    using clock = std::chrono::steady_clock;

    std::string issue(std::string const& client_id, std::chrono::seconds ttl, clock::time_point now);
    // The client the token was issued to, while it is valid.
    std::optional<std::string> client_of(std::string_view token, clock::time_point now) const;
    // Forgets every token issued so far (as JustiFi would after a revocation); returns how many.
    std::size_t revoke_all();

private:
    struct grant {
        std::string client_id;
        clock::time_point expires;
    };
    mutable std::mutex mutex_;
    std::unordered_map<std::string, grant> grants_;
};

// "Bearer abc" → "abc"; anything else → empty.
std::string_view bearer_token(std::string_view authorization);

}  // namespace justifi::mock
