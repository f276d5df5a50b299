// JSON-RPC decoding and MCP dispatch. The input is one message as a client would send it;
// what decodes is dispatched to the product's dispatcher with the real JustiFi tool catalog,
// whose client points at a refused loopback port (a tool call fails fast, offline). The
// caller is, by the input's length, a client-credentials developer, a verified OAuth token
// with two scopes, or a passed-through token.
//
// Checked besides the sanitizers: decoding the text and decoding its parsed value agree;
// every request gets exactly one JSON-RPC 2.0 response carrying its id.
#include "fuzz/harness.hpp"

#include "client/justifi_client.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/dispatch.hpp"
#include "tools/catalog.hpp"
#include "tools/tool_registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <memory>
#include <optional>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace auth = justifi::auth;
namespace mcp = justifi::mcp;
namespace rpc = justifi::mcp::jsonrpc;
using namespace justifi::fuzz;

class counting_sink final : public mcp::notification_sink {
public:
    asio::awaitable<void> send(json::object notification) override
    {
        bytes += json::serialize(notification).size();
        co_return;
    }
    asio::awaitable<bool> hold_open() override { co_return true; }  // a subscription ends at once
    std::size_t bytes = 0;
};

struct world {
    asio::io_context io;
    justifi::client::justifi_client client{io.get_executor(), unreachable_justifi()};
    justifi::tools::tool_registry registry{5};  // small pages: cursors get exercised
    std::unique_ptr<mcp::dispatcher> dispatcher;
    std::shared_ptr<mcp::session_state> session = std::make_shared<mcp::session_state>();

    world()
    {
        quiet_process();
        if (!justifi::tools::register_justifi_tools(registry, client, {})) std::abort();
        dispatcher = std::make_unique<mcp::dispatcher>(
            mcp::server_identity{"justifi-mcp", "JustiFi", "0.0.0-fuzz", "Fuzzing."}, registry);
    }

    auth::auth_context caller(std::size_t pick) const
    {
        auth::auth_context a;
        switch (pick % 3) {
        case 0:
            a.credentials = auth::client_credentials{"client-id", "client-secret"};
            a.path = auth::auth_path::configured_credentials;
            break;
        case 1:
            a.credentials = auth::bearer_token{"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"};
            a.path = auth::auth_path::bearer_verified;
            a.subject = "auth0|fuzz";
            a.granted_scopes.emplace(std::set<std::string, std::less<>>{"payments:read", "refunds:write"});
            break;
        default:
            a.credentials = auth::bearer_token{"opaque-token"};
            a.path = auth::auth_path::bearer_passthrough;
            break;
        }
        return a;
    }
};

void check_decoders_agree(std::string_view text, rpc::decoded const& decoded)
{
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    auto const value = json::parse(text, ec, {}, options);
    if (ec) {
        if (decoded) std::abort();  // unparsable text cannot decode
        return;
    }
    auto const again = rpc::decode(value);
    if (again.has_value() != decoded.has_value()) std::abort();
    if (decoded) {
        if (again->index() != decoded->index()) std::abort();
    } else if (again.error().code != decoded.error().code) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    static world w;
    auto const text = as_text(data, size);
    auto decoded = rpc::decode(text);
    check_decoders_agree(text, decoded);

    if (!decoded) {
        // What a transport answers for it.
        auto const refusal = decoded.error();
        (void)json::serialize(rpc::make_error(refusal));
        if (!refusal.id.is_null()) (void)rpc::id_key(refusal.id);
        return 0;
    }
    auto& message = *decoded;
    std::optional<json::value> request_id;
    if (auto const* r = std::get_if<rpc::request>(&message)) {
        request_id = r->id;
        (void)rpc::id_key(r->id);
    }

    counting_sink sink;
    mcp::request_context context;
    context.auth = w.caller(size);
    context.session = w.session;
    context.session_key = "fuzz-session";
    context.sink = &sink;
    context.request_id = "fuzz";

    bool done = false;
    std::optional<mcp::reply> response;
    asio::co_spawn(
        w.io,
        [&]() -> asio::awaitable<void> {
            response = co_await w.dispatcher->handle(std::move(message), std::move(context));
            done = true;
        },
        asio::detached);
    run_until(w.io, [&] { return done; });

    if (request_id) {
        // A request is answered (this harness never cancels one), with its own id.
        if (!response) std::abort();
        auto const& message = response->message;
        auto const* version = message.if_contains("jsonrpc");
        if (!version || *version != "2.0") std::abort();
        if (message.contains("result") == message.contains("error")) std::abort();
        if (message.at("id") != *request_id) std::abort();
    }
    if (response) {
        // What goes on the wire is JSON, and the same message as the DOM form.
        boost::system::error_code ec;
        auto const wire = json::parse(response->serialize(), ec);
        if (ec) std::abort();
        if (wire != json::value(std::move(*response).to_object())) std::abort();
    }
    return 0;
}
