#include "mock/idempotency.hpp"

#include "core/encoding.hpp"

namespace justifi::mock {

std::string idempotency_table::map_key(std::string_view scope, std::string_view key)
{
    std::string out(scope);
    out.push_back('\n');
    out.append(key);
    return out;
}

std::string idempotency_table::fingerprint(std::string_view method, std::string_view path,
                                           std::string_view sub_account, std::string_view canonical_body)
{
    std::string text;
    text.append(method).append("\n").append(path).append("\n").append(sub_account).append("\n").append(canonical_body);
    auto const digest = core::encoding::sha256(text);
    return core::encoding::hex_encode(std::string_view(reinterpret_cast<char const*>(digest.data()), digest.size()));
}

void idempotency_table::expire(clock::time_point now)
{
    while (!order_.empty() && (now - order_.front().first > ttl_ || entries_.size() > max_keys_)) {
        auto const it = entries_.find(order_.front().second);
        // A re-used slot (abandoned, then begun again) is younger than this queue entry.
        if (it != entries_.end() && it->second.created == order_.front().first && it->second.done)
            entries_.erase(it);
        order_.pop_front();
    }
}

idempotency_table::decision idempotency_table::begin(std::string_view scope, std::string_view key,
                                                     std::string_view fingerprint, clock::time_point now)
{
    std::lock_guard lock(mutex_);
    expire(now);
    auto const k = map_key(scope, key);
    if (auto it = entries_.find(k); it != entries_.end()) {
        auto const& e = it->second;
        if (e.fingerprint != fingerprint) return {verdict::params_mismatch, {}};
        if (!e.done) return {verdict::in_flight, {}};
        return {verdict::replay, e.reply};
    }
    entries_.emplace(k, entry{std::string(fingerprint), false, {}, now});
    order_.emplace_back(now, k);
    return {verdict::proceed, {}};
}

void idempotency_table::complete(std::string_view scope, std::string_view key, stored_reply reply)
{
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(map_key(scope, key)); it != entries_.end()) {
        it->second.done = true;
        it->second.reply = std::move(reply);
    }
}

void idempotency_table::abandon(std::string_view scope, std::string_view key)
{
    std::lock_guard lock(mutex_);
    entries_.erase(map_key(scope, key));
}

void idempotency_table::clear()
{
    std::lock_guard lock(mutex_);
    entries_.clear();
    order_.clear();
}

std::size_t idempotency_table::size() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace justifi::mock
