// Requests this server sends to a client inside a call (a legacy stdio session's
// elicitation/create), sans-io: ids no client request can be mistaken for, a bounded table of
// the requests awaiting their answer, and an answer read as its result or a refusal. The
// transport writes the lines and runs the waits, with their deadline.
#pragma once

#include "core/errors.hpp"
#include "mcp/jsonrpc.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::mcp {

namespace json = boost::json;

// The client's answer to request `method`: its result object, or client_request_failed quoting
// the JSON-RPC error it sent (code and message), or naming a result that is not an object.
core::outcome<json::object> read_answer(jsonrpc::response const& answer, std::string_view method);

class client_request_table {
public:
    // Called when a request's answer, or its failure, is in: the transport wakes its waiter.
    using wake_fn = std::function<void()>;
    // A person answers each request: a handful at once is plenty, and the table stays small.
    static constexpr std::size_t default_capacity = 16;

    explicit client_request_table(std::size_t capacity = default_capacity) : capacity_(capacity) {}

    struct opened {
        std::uint64_t ticket;
        json::value id;  // "justifi-mcp-<n>": unique in the process, never reused
    };
    // A new request of `method`, or overloaded when `capacity` requests already wait.
    core::outcome<opened> open(std::string method, wake_fn wake);
    // A response from the client: true when it settled a waiting request (whose waiter is
    // woken), false for an id nothing waits on (unknown, answered already, given up on).
    bool settle(jsonrpc::response const& answer);
    // Every waiting request fails with `why` (the client's input ended, the server drains).
    void fail_all(core::refusal const& why);
    // The answer once it is in, and the entry is gone; nullopt while it is still awaited.
    std::optional<core::outcome<json::object>> take(std::uint64_t ticket);
    // The waiter gave up (its deadline, a cancellation): a late answer is then an unknown id.
    void abandon(std::uint64_t ticket) { entries_.erase(ticket); }
    std::size_t waiting() const { return entries_.size(); }

private:
    struct entry {
        std::string method;
        wake_fn wake;
        std::optional<core::outcome<json::object>> answer;
    };
    void settle(entry& e, core::outcome<json::object> answer);

    std::size_t capacity_;
    std::map<std::uint64_t, entry> entries_;
};

}  // namespace justifi::mcp
