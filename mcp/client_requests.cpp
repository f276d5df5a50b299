#include "mcp/client_requests.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <charconv>

namespace justifi::mcp {
namespace {

constexpr std::string_view id_prefix = "justifi-mcp-";

// Process-wide, so two tables could never hand out the same id.
std::atomic<std::uint64_t> next_ticket{1};

// The ticket an id of ours names, or nothing (a client's number, someone else's string).
std::optional<std::uint64_t> ticket_of(json::value const& id)
{
    auto const* text = id.if_string();
    if (!text || !text->starts_with(id_prefix)) return std::nullopt;
    auto const digits = std::string_view(*text).substr(id_prefix.size());
    std::uint64_t ticket = 0;
    auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ticket);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    return ticket;
}

}  // namespace

core::outcome<json::object> read_answer(jsonrpc::response const& answer, std::string_view method)
{
    if (auto const* error = answer.error.if_object()) {
        auto const* code = error->if_contains("code");
        auto const* message = error->if_contains("message");
        std::string said = "the client answered " + std::string(method) + " with an error";
        if (code && code->is_number()) said += " " + json::serialize(*code);
        if (message && message->is_string()) said += ": \"" + std::string(message->get_string()) + "\"";
        return core::refuse(core::errc::client_request_failed, std::move(said));
    }
    if (!answer.error.is_null() || !answer.result.is_object())
        return core::refuse(core::errc::client_request_failed,
                            "the client's answer to " + std::string(method) + " is not a result object");
    return answer.result.get_object();
}

core::outcome<client_request_table::opened> client_request_table::open(std::string method, wake_fn wake)
{
    if (entries_.size() >= capacity_)
        return core::refuse(core::errc::overloaded, std::to_string(capacity_) + " questions to the client are already "
                                                                             "waiting for an answer; retry when one is answered");
    auto const ticket = next_ticket.fetch_add(1, std::memory_order_relaxed);
    entries_.emplace(ticket, entry{std::move(method), std::move(wake), std::nullopt});
    return opened{ticket, json::value(std::string(id_prefix) + std::to_string(ticket))};
}

void client_request_table::settle(entry& e, core::outcome<json::object> answer)
{
    e.answer = std::move(answer);
    if (e.wake) e.wake();
}

bool client_request_table::settle(jsonrpc::response const& answer)
{
    auto const ticket = ticket_of(answer.id);
    auto const it = ticket ? entries_.find(*ticket) : entries_.end();
    if (it == entries_.end() || it->second.answer) return false;
    settle(it->second, read_answer(answer, it->second.method));
    return true;
}

void client_request_table::fail_all(core::refusal const& why)
{
    for (auto& [ticket, e] : entries_)
        if (!e.answer) settle(e, why);
}

std::optional<core::outcome<json::object>> client_request_table::take(std::uint64_t ticket)
{
    auto const it = entries_.find(ticket);
    if (it == entries_.end() || !it->second.answer) return std::nullopt;
    auto answer = std::move(*it->second.answer);
    entries_.erase(it);
    return answer;
}

}  // namespace justifi::mcp
