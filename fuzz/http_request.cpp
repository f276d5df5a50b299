// The HTTP request handling path, end to end in one process: the input is the raw bytes a
// client sends on one connection (one request, several pipelined, or garbage), written to
// the product's http_transport (the generic http_server with our body and header limits,
// routing, Origin/Host checks, CORS, the auth stage with JWKS validation, content
// negotiation, sessions, JSON-RPC decoding and the dispatcher with the JustiFi catalog)
// over a loopback socket; then the client half-closes and reads until the server closes.
//
// Beast's connection type is a real TCP stream, so this is a loopback socket rather than an
// in-memory stream; everything runs on the fuzz loop's own thread.
//
// Two servers, chosen by the input's length: A is a loopback server with MCP_AUTH=none
// and token validation (a JWKS file); B sits behind a trusted proxy with MCP_PUBLIC_URL,
// allowed origins and hosts, and no client-credential headers.
//
// Placeholders let the fuzzer reach what it cannot forge: "@SESSION@" becomes a valid
// Mcp-Session-Id of the developer identity, "@TOKEN@" a valid signed bearer token (ES256, scope
// payments:read) and "@TOKEN_SESSION@" a session of that token's subject.
// An input that contains "GET " keeps "@SESSION@" as it is: a GET with a valid session
// opens a server stream that stays open (keep-alives) until the client goes away.
#include "fuzz/harness.hpp"

#include "auth/jwks_cache.hpp"
#include "auth/jwt.hpp"
#include "client/justifi_client.hpp"
#include "server/config.hpp"
#include "server/http_transport.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/session_token.hpp"
#include "tests/support/jwt_signer.hpp"
#include "tools/catalog.hpp"
#include "tools/tool_registry.hpp"
#include "core/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <optional>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace auth = justifi::auth;
namespace config = justifi::server::config;
namespace mcp = justifi::mcp;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace justifi::fuzz;

using justifi::core::use_tuple;
constexpr char const* issuer = "https://tenant.example/";
constexpr char const* audience = "https://api.justifi.ai";

struct server {
    config::settings settings;
    std::unique_ptr<justifi::server::http_transport> transport;
    std::uint16_t port = 0;
};

struct world {
    asio::io_context io;
    justifi::client::justifi_client client{io.get_executor(), unreachable_justifi()};
    justifi::tools::tool_registry registry;
    std::unique_ptr<mcp::dispatcher> dispatcher;
    justifi::mcp::session_codec sessions{"fuzzing-session-secret-0123456789abcdef", std::chrono::hours(24)};
    justifi::test::test_signing_key key = justifi::test::test_signing_key::p256("k1");
    std::string jwks_file;
    std::unique_ptr<auth::jwks_cache> keys;
    auth::verification_rules rules{issuer, {audience}};
    std::unique_ptr<auth::token_validation> validation;
    server a;
    server b;
    std::string session_id;
    std::string token_session_id;
    std::string token;

    world()
    {
        quiet_process();
        if (!justifi::tools::register_justifi_tools(registry, client, {})) std::abort();
        dispatcher = std::make_unique<mcp::dispatcher>(
            mcp::server_identity{"justifi-mcp", "JustiFi", "0.0.0-fuzz", "Fuzzing."}, registry);

        char name[] = "/tmp/justifi-fuzz-jwks-XXXXXX";
        int const fd = ::mkstemp(name);
        if (fd < 0) std::abort();
        ::close(fd);
        jwks_file = name;
        std::ofstream(jwks_file) << justifi::test::jwks_json({key.jwk()});
        keys = std::make_unique<auth::jwks_cache>(
            io.get_executor(), auth::jwks_cache_settings{.source = {auth::key_source::kind::file, jwks_file}});
        validation = std::make_unique<auth::token_validation>(auth::token_validation{*keys, rules});

        auto const now = std::chrono::system_clock::now();
        // Sessions are bound to whoever opened them: the developer identity of server A, and
        // the signed token's subject.
        session_id = sessions.issue("2025-06-18", "client:client-id", now);
        token_session_id = sessions.issue("2025-06-18", "sub:auth0|fuzz", now);
        token = key.sign(json::object{{"iss", issuer},
                                      {"sub", "auth0|fuzz"},
                                      {"aud", audience},
                                      {"exp", justifi::test::numeric_date(now + std::chrono::hours(4))},
                                      {"scope", "payments:read"}});

        auth::auth_context developer;
        developer.credentials = auth::client_credentials{"client-id", "client-secret"};
        developer.path = auth::auth_path::configured_credentials;

        a.settings.transport = config::transport_kind::http;
        a.settings.host = "127.0.0.1";
        a.settings.port = 0;
        a.settings.rate_limit_per_second = 0;  // every input comes from the same caller
        a.settings.max_body_bytes = 4 * 1024;  // small enough that the fuzzer reaches the 413
        a.settings.auth_none = true;
        start(a, developer, validation.get());

        b.settings = a.settings;
        b.settings.auth_none = false;
        b.settings.trust_proxy = true;
        b.settings.public_url = "https://mcp.example.com";
        b.settings.allowed_origins = {"https://app.example.com"};
        b.settings.allowed_hosts = {"mcp.example.com"};
        b.settings.allow_client_credential_headers = false;
        b.settings.validate_tokens = false;
        start(b, std::nullopt, nullptr);
    }

    ~world() { std::remove(jwks_file.c_str()); }

    void start(server& s, std::optional<auth::auth_context> identity, auth::token_validation const* v)
    {
        s.transport = std::make_unique<justifi::server::http_transport>(
            io, justifi::server::http_transport_settings_of(s.settings), *dispatcher, sessions, identity, v);
        auto const endpoint = s.transport->listen();
        if (!endpoint) std::abort();
        s.port = endpoint->port();
        s.transport->start();
    }
};

asio::awaitable<void> exchange(tcp::socket& socket, std::uint16_t port, std::string const& bytes, std::string& answer,
                               bool& done)
{
    auto [cec] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, use_tuple);
    if (cec) std::abort();  // our own server must accept
    co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    // A write the server cut short (it answered 413 and closed) still has an answer to read.
    char buffer[16 * 1024];
    for (;;) {
        auto [rec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
        answer.append(buffer, n);
        if (rec) break;
    }
    socket.close(ignored);
    done = true;
}

// Whether the bytes begin with one complete request, as Beast reads it with our body limit.
bool begins_with_request(std::string_view bytes, std::size_t body_limit)
{
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    parser.eager(true);
    std::size_t used = 0;
    while (!parser.is_done()) {
        boost::system::error_code ec;
        auto const n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        // need_more asks for bytes beyond what was given; handing Beast the same rest again
        // breaks its precondition (a chunked body ending "0\r\n" trips an assertion).
        if (ec || n == 0) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    static world w;
    std::string bytes(as_text(data, size));
    if (bytes.find("GET ") == std::string::npos) {
        bytes = substitute(std::move(bytes), "@SESSION@", w.session_id);
        bytes = substitute(std::move(bytes), "@TOKEN_SESSION@", w.token_session_id);
    }
    bytes = substitute(std::move(bytes), "@TOKEN@", w.token);

    auto const& target = size % 4 == 3 ? w.b : w.a;
    tcp::socket socket(w.io);
    std::string answer;
    bool done = false;
    asio::co_spawn(w.io, exchange(socket, target.port, bytes, answer, done), asio::detached);
    run_until(w.io, [&] { return done; });

    static bool const echo = std::getenv("JUSTIFI_FUZZ_ECHO") != nullptr;  // to see what a seed reaches
    if (echo) std::fprintf(stderr, "---- %zu bytes in, answer:\n%s\n", bytes.size(), answer.c_str());
    // Whatever came in, what goes out is HTTP (or nothing: the server may close on garbage).
    if (!answer.empty() && !answer.starts_with("HTTP/")) std::abort();
    // A complete request is answered: a handler that throws ends its connection silently,
    // which would otherwise go unnoticed here (the server logs it, and logs are off).
    if (answer.empty() && begins_with_request(bytes, target.settings.max_body_bytes)) std::abort();
    return 0;
}
