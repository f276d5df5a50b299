// The handling of JustiFi's responses. The first byte picks:
//   'R' the rest is "<status>\n<body>": the body as the client hands it on (JSON, or a
//       non-JSON error page kept as text) goes through tools::result_from_upstream;
//   'C' the rest is the raw HTTP response a fake JustiFi API sends to a tool call made with
//       a bearer token: the real justifi_client reads it (status line, headers, Retry-After,
//       keep-alive, body) and its answer goes through result_from_upstream, or (inputs of even
//       size) is passed on as checked text when it is a 2xx JSON object;
//   'O' the rest is "<raw response to POST /oauth/token>\n--\n<raw response to the call>"
//       (without the separator the call gets a small 200): the client-credentials path, with
//       the token cache, JustiFi's token response and a 401 that makes it fetch a new token.
// Other first bytes: the URL and path helpers of the client (normalise_base_url on the rest,
// build_path with the rest as an id).
//
// The fake API is an in-process loopback server that answers each request with the input's
// bytes and closes. Each input gets a new client: a cold token cache, an empty pool.
#include "fuzz/harness.hpp"

#include "client/justifi_client.hpp"
#include "tools/catalog.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <memory>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace auth = justifi::auth;
namespace client = justifi::client;
namespace tools = justifi::tools;
using tcp = asio::ip::tcp;
using namespace justifi::fuzz;

using justifi::core::use_tuple;
constexpr std::string_view small_ok =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n{\"id\":\"py_1\",\"type\":\"payment\"}";

struct world {
    asio::io_context io;
    tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    std::string base_url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    std::string_view token_answer;  // this input's answers
    std::string_view call_answer;

    world()
    {
        quiet_process();
        asio::co_spawn(io, accept_loop(), asio::detached);
    }

    asio::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec) co_return;
            asio::co_spawn(io, answer(std::move(socket)), asio::detached);
        }
    }

    // One request, one answer (the input's bytes), then the connection is closed.
    asio::awaitable<void> answer(tcp::socket socket)
    {
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(1024 * 1024);
        auto [rec, rn] = co_await http::async_read(socket, buffer, parser, use_tuple);
        if (rec) co_return;
        std::string const reply(parser.get().target() == "/oauth/token" ? token_answer : call_answer);
        co_await asio::async_write(socket, asio::buffer(reply), use_tuple);
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        // Closed when the client closes (a pooled connection: when the input's client is
        // destroyed), so the answer is never lost to a reset.
        char sink[4096];
        for (;;) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
            if (ec) co_return;
        }
    }

    std::unique_ptr<client::justifi_client> new_client()
    {
        client::client_settings s;
        s.base_url = base_url;
        s.max_attempts = 2;  // one retry: Retry-After and the backoff are read
        s.first_backoff = 1ms;
        s.call_timeout = 300ms;  // bounds a Retry-After wait
        return std::make_unique<client::justifi_client>(io.get_executor(), s);
    }
};

world& the_world()
{
    static world w;
    return w;
}

void check(tools::tool_result const& result)
{
    auto const json_result = result.to_json();
    (void)json::serialize(json_result);
    if (json_result.at("content").as_array().empty()) std::abort();  // a client reading only text must get some
}

// What the client hands on for a body: JSON, or for an error status the text as JustiFi's error.
void result_mode(std::string_view rest)
{
    auto const parts = split(rest, "\n", 2);
    int status = 0;
    std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), status);
    auto const body_text = parts.size() > 1 ? parts[1] : std::string_view{};
    json::value body;
    if (!body_text.empty()) {
        boost::system::error_code ec;
        body = json::parse(body_text, ec);
        // The DOM-less check agrees with the parser on what is JSON and what is an object.
        auto const shape = client::check_json(body_text);
        if ((shape == client::json_shape::invalid) != bool(ec)) std::abort();
        if (!ec && (shape == client::json_shape::object) != body.is_object()) std::abort();
        if (ec) body = json::object{{"error", body_text.substr(0, 500)}};
    }
    check(tools::result_from_upstream(status, body, "payments:read"));
    check(tools::result_from_upstream(status, std::move(body)));
}

void call_mode(world& w, std::string_view token_answer, std::string_view call_answer, auth::auth_context const& caller,
               bool object_as_text)
{
    w.token_answer = token_answer;
    w.call_answer = call_answer;
    auto justifi = w.new_client();
    client::call_request request;
    request.method = http::verb::post;
    request.path = "/v1/payments/py_1/refunds";
    request.body = json::object{{"amount", 100}};
    request.sub_account = "acc_1";
    request.object_as_text = object_as_text;

    bool done = false;
    boost::system::result<client::call_response> outcome{client::make_error_code(client::client_error::bad_response)};
    asio::co_spawn(
        w.io,
        [&]() -> asio::awaitable<void> {
            outcome = co_await justifi->call(request, caller);
            done = true;
        },
        asio::detached);
    run_until(w.io, [&] { return done; });
    if (outcome && !outcome->body_text.empty()) {
        // Passed on as text only when asked, for a 2xx, and only a JSON object.
        boost::system::error_code ec;
        auto const parsed = json::parse(outcome->body_text, ec);
        if (!object_as_text || outcome->status < 200 || outcome->status > 299 || ec || !parsed.is_object()) std::abort();
        check(tools::tool_result::structured_json_text(std::move(outcome->body_text)));
    } else if (outcome) {
        check(tools::result_from_upstream(outcome->status, std::move(outcome->body), "refunds:write"));
    } else {
        check(tools::result_from_failure(outcome.error(), true));
    }
}

void helpers_mode(std::string_view text)
{
    if (auto const base = client::normalise_base_url(text)) {
        // A normalised URL is already normal.
        auto const again = client::normalise_base_url(*base);
        if (!again || *again != *base) std::abort();
    }
    json::object arguments{{"id", text}, {"other", text}};
    if (auto const path = client::build_path("/v1/payments/{id}/refunds", arguments)) {
        if (path->find_first_of("/?#%.", 13) != path->size() - std::string_view("/refunds").size()) std::abort();
    }
    (void)client::is_safe_header_value(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    auto& w = the_world();
    auto const text = as_text(data, size);
    if (text.empty()) return 0;
    auto const rest = text.substr(1);
    switch (text.front()) {
    case 'R': result_mode(rest); break;
    case 'C': {
        auth::auth_context caller;
        caller.credentials = auth::bearer_token{"a-bearer-token"};
        caller.path = auth::auth_path::bearer_passthrough;
        call_mode(w, small_ok, rest, caller, size % 2 == 0);
        break;
    }
    case 'O': {
        auto const parts = split(rest, "\n--\n", 2);
        auth::auth_context caller;
        caller.credentials = auth::client_credentials{"client-id", "client-secret"};
        caller.path = auth::auth_path::configured_credentials;
        call_mode(w, parts[0], parts.size() > 1 ? parts[1] : small_ok, caller, size % 2 == 0);
        break;
    }
    default: helpers_mode(text);
    }
    return 0;
}
