#include "server/app.hpp"

#include "auth/auth_stage.hpp"
#include "auth/jwks_cache.hpp"
#include "server/config.hpp"
#include "core/encoding.hpp"
#include "server/http_transport.hpp"
#include "core/log.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/session_token.hpp"
#include "server/stdio_transport.hpp"
#include "version.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <malloc.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

namespace justifi::server {
using net::http_exchange;
using net::http_server;
using net::http_server_settings;
using net::make_response;
using mcp::session_codec;
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// After the drain deadline, cancelled calls get this long to send their error answers.
constexpr auto cancel_grace = 2s;

mcp::server_identity identity()
{
    return {
        "justifi-mcp",
        "JustiFi",
        core::server_version,
        "Tools for the JustiFi payments API: look up and manage payments, refunds, payouts, disputes, "
        "checkouts, balances and sub accounts. Amounts are integers in the currency's minor unit (cents). "
        "List tools page with after_cursor/before_cursor from page_info.",
    };
}

// Waits for a signal, then drains: in-flight work gets `drain_timeout`, the rest is cancelled.
template <class Transport>
asio::awaitable<void> supervise(asio::io_context& io, Transport& transport, mcp::dispatcher& dispatcher,
                                server::config::settings const& settings, std::function<bool()> finished)
{
    asio::signal_set signals(io, SIGTERM, SIGINT);
    asio::steady_timer poll(io);
    bool draining = false;
    auto deadline = std::chrono::steady_clock::time_point::max();
    bool cancelled = false;

    signals.async_wait([&](boost::system::error_code ec, int signal) {
        if (ec) return;
        transport.begin_drain();  // first, so that anything after this line sees the drain
        core::log::info("signal received, draining", {{"signal", signal},
                                               {"drain_timeout_ms", static_cast<std::int64_t>(settings.drain_timeout.count())}});
    });

    // Polling keeps this loop free of cross-thread wakeups; 20 ms is invisible next to a drain.
    for (;;) {
        poll.expires_after(20ms);
        co_await poll.async_wait(use_tuple);
        if (finished()) break;
        // A signal, or (stdio) the end of input: from here in-flight work has drain_timeout.
        if (!draining && transport.stopping()) {
            draining = true;
            deadline = std::chrono::steady_clock::now() + settings.drain_timeout;
        }
        if (draining && !cancelled && std::chrono::steady_clock::now() >= deadline) {
            core::log::warning("drain deadline passed, cancelling calls in flight",
                         {{"calls", dispatcher.calls_in_flight()}});
            dispatcher.cancel_all_calls();
            cancelled = true;
            deadline = std::chrono::steady_clock::now() + cancel_grace;
        } else if (cancelled && std::chrono::steady_clock::now() >= deadline) {
            core::log::warning("connections still open after the drain, closing them");
            break;
        }
    }
    boost::system::error_code ignored;
    signals.cancel(ignored);
    core::log::info("stopped");
    io.stop();
}

// A burst leaves the heap holding what it freed (malloc keeps it for the next burst), and the
// pooled upstream connections their largest read buffers. Once a second without a message
// after some traffic, both are handed back, so an idle process is as small as a fresh one.
asio::awaitable<void> release_memory_when_idle(mcp::dispatcher const& dispatcher, client::justifi_client& justifi)
{
    asio::steady_timer tick(co_await asio::this_coro::executor);
    auto seen = dispatcher.messages_handled();
    auto released_at = seen;
    for (;;) {
        tick.expires_after(1s);
        if (auto [ec] = co_await tick.async_wait(use_tuple); ec) co_return;
        auto const now = dispatcher.messages_handled();
        bool const idle = now == seen && dispatcher.calls_in_flight() == 0;
        seen = now;
        if (!idle || now == released_at) continue;
        released_at = now;
        justifi.release_idle_memory();
        ::malloc_trim(0);
    }
}

asio::awaitable<auth::credential_verdict> verdict_on(client::justifi_client& justifi, auth::client_credentials credentials)
{
    auto const failure = co_await justifi.check_credentials(credentials);
    co_return client::credential_verdict_of(failure);
}

}  // namespace

int run(int argc, char const* const* argv, catalog_installer const& catalog)
{
    auto loaded = server::config::load(argc, argv);
    if (auto const* exit = std::get_if<core::exit_now>(&loaded)) {
        (exit->code == 0 ? std::cout : std::cerr) << exit->text << std::endl;
        return exit->code;
    }
    auto const settings = std::get<server::config::settings>(std::move(loaded));
    core::log::set_threshold(settings.log_level);
    std::signal(SIGPIPE, SIG_IGN);

    bool const stdio = settings.transport == server::config::transport_kind::stdio;
    bool const has_credentials = !settings.justifi_client_id.empty() && !settings.justifi_client_secret.empty();
    if (stdio && catalog.needs_justifi_credentials && !has_credentials) {
        std::cerr << "justifi-mcp: JUSTIFI_CLIENT_ID and JUSTIFI_CLIENT_SECRET must be set for the stdio transport "
                     "(in the environment or a .env file); they are the API keys from the JustiFi dashboard"
                  << std::endl;
        return 2;
    }
    // The configured identity serves stdio, and HTTP only in the explicit local mode MCP_AUTH=none.
    auth::auth_context configured_identity;
    if (has_credentials) {
        configured_identity.credentials = auth::client_credentials{settings.justifi_client_id, settings.justifi_client_secret};
        configured_identity.path = auth::auth_path::configured_credentials;
    }

    unsigned const threads =
        stdio ? 1u : (settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency()));
    asio::io_context io(static_cast<int>(threads));

    client::client_settings client_settings;
    client_settings.base_url = settings.justifi_base_url;
    client_settings.call_timeout = settings.justifi_timeout;
    client_settings.ca_file = settings.justifi_ca_file;
    client_settings.tokens.max_entries = settings.token_cache_size;
    client_settings.tokens.fetches_per_second = settings.token_fetches_per_second;
    client_settings.tokens.fetch_burst = settings.token_fetch_burst;
    // Metrics are served over HTTP only; over stdio nobody could scrape them.
    core::metrics::registry metrics;
    core::metrics::declare_server_metrics(metrics);
    core::metrics::registry* const recorder = stdio || !settings.metrics_enabled ? nullptr : &metrics;
    client_settings.metrics = recorder;
    client::justifi_client justifi(io.get_executor(), client_settings);

    tools::tool_registry registry;
    if (auto installed = catalog.install(registry, justifi, settings); !installed) {
        std::cerr << "justifi-mcp: " << installed.error() << std::endl;
        return 2;
    }
    mcp::dispatcher dispatcher(identity(), registry, stdio ? 0 : settings.max_tool_calls, recorder);
    core::log::info("JustiFi API", {{"base_url", settings.justifi_base_url},
                              {"tools", registry.size()},
                              {"read_only", settings.read_only}});

    if (stdio) {
        stdio_transport transport(io, dispatcher, configured_identity, settings.max_body_bytes);
        transport.start();
        core::log::info("serving MCP over stdio", {{"version", core::server_version}});
        asio::co_spawn(io, supervise(io, transport, dispatcher, settings, [&] { return transport.finished(); }),
                       asio::detached);
        asio::co_spawn(io, release_memory_when_idle(dispatcher, justifi), asio::detached);
        io.run();
        return 0;
    }

    auto const secret = settings.session_secret.empty() ? core::encoding::random_bytes(32) : settings.session_secret;
    if (settings.session_secret.empty())
        core::log::info("MCP_SESSION_SECRET is unset: sessions are valid on this process only");
    session_codec sessions(secret, settings.session_ttl);

    if (settings.auth_none)
        core::log::warning("MCP_AUTH=none: HTTP requests without credentials are served with the configured JustiFi "
                     "credentials; for local development only");
    // Local validation: the issuer's keys, fetched now so the first caller does not wait for
    // them (a failure is logged and retried on demand: the issuer may come back).
    std::optional<auth::jwks_cache> issuer_keys;
    auth::verification_rules const token_rules{settings.oauth_issuer(), settings.accepted_audiences()};
    std::optional<auth::token_validation> validation;
    if (settings.validate_tokens) {
        auth::jwks_cache_settings key_settings;
        key_settings.source = {auth::key_source::kind::issuer, settings.oauth_issuer()};
        key_settings.ca_file = settings.justifi_ca_file;
        key_settings.user_agent = std::string("justifi-mcp/") + core::server_version;
        key_settings.min_refresh = std::chrono::duration_cast<std::chrono::seconds>(settings.jwks_min_refresh);
        key_settings.max_refresh = std::chrono::duration_cast<std::chrono::seconds>(settings.jwks_max_refresh);
        issuer_keys.emplace(io.get_executor(), std::move(key_settings));
        validation.emplace(auth::token_validation{*issuer_keys, token_rules});
        // Now, and again on a timer: keys the issuer removes stop being trusted within JUSTIFI_JWKS_MAX_REFRESH.
        asio::co_spawn(io, issuer_keys->keep_fresh(), asio::detached);
    } else {
        core::log::warning("JUSTIFI_OAUTH_VALIDATION=none: bearer tokens are passed to JustiFi unchecked and every tool is "
                     "listed whatever their scopes");
    }
    // Client credentials sent as headers are admitted only once JustiFi has issued a token for them.
    auth::credential_check const check_credentials = [&justifi](auth::client_credentials const& credentials) {
        return verdict_on(justifi, credentials);
    };
    http_transport transport(io, settings, dispatcher, sessions,
                             settings.auth_none ? std::optional<auth::auth_context>(configured_identity) : std::nullopt,
                             validation ? &*validation : nullptr, recorder, check_credentials);
    metrics.gauge("justifi_mcp_open_connections", "HTTP connections open now",
                  [&transport] { return static_cast<double>(transport.open_connections()); });
    metrics.gauge("justifi_mcp_sessions", "MCP sessions this process has seen recently (a bounded memory)",
                  [&transport] { return static_cast<double>(transport.session_count()); });
    metrics.gauge("justifi_mcp_token_cache_entries", "client-credentials tokens and remembered refusals held (bounded)",
                  [&justifi] { return static_cast<double>(justifi.cached_credentials()); });
    metrics.gauge("justifi_mcp_tool_calls_in_flight", "tool calls running now",
                  [&dispatcher] { return static_cast<double>(dispatcher.calls_in_flight()); });
    if (issuer_keys)
        metrics.gauge("justifi_mcp_jwks_loads", "loads of the issuer's JWKS since start (at start, on unknown kids)",
                      [&issuer_keys] { return static_cast<double>(issuer_keys->loads()); });
    // MCP_METRICS_PORT: a listener of their own, for a scraper the load balancer never reaches.
    std::optional<http_server> metrics_server;
    if (recorder && settings.metrics_port != 0) {
        metrics_server.emplace(io, http_server_settings{settings.header_timeout, settings.idle_timeout,
                                                        settings.write_timeout, 4096, 64},
                               [&metrics, &settings](http_exchange& ex) -> asio::awaitable<void> {
                                   auto const target = ex.request.target();
                                   if (target.substr(0, target.find('?')) == settings.metrics_path) {
                                       co_await answer_metrics(ex, metrics);
                                       co_return;
                                   }
                                   auto res = make_response(ex.request, http::status::not_found, "text/plain",
                                                            "Not Found: metrics are at " + settings.metrics_path);
                                   co_await ex.respond(std::move(res));
                               });
        auto const metrics_endpoint = metrics_server->listen(settings.host, settings.metrics_port);
        if (!metrics_endpoint) {
            std::cerr << "justifi-mcp: cannot listen on " << settings.host << ":" << settings.metrics_port
                      << " for metrics: " << metrics_endpoint.error().message() << std::endl;
            return 1;
        }
        metrics_server->start();
        core::log::info("metrics listening", {{"host", metrics_endpoint->address().to_string()},
                                        {"port", metrics_endpoint->port()},
                                        {"path", settings.metrics_path}});
    }
    auto const endpoint = transport.listen();
    if (!endpoint) {
        std::cerr << "justifi-mcp: cannot listen on " << settings.host << ":" << settings.port << ": "
                  << endpoint.error().message() << std::endl;
        return 1;
    }
    transport.start();
    core::log::info("listening", {{"transport", "http"},
                            {"host", endpoint->address().to_string()},
                            {"port", endpoint->port()},
                            {"version", core::server_version},
                            {"threads", threads}});
    asio::co_spawn(io,
                   supervise(io, transport, dispatcher, settings,
                             [&] {
                                 return transport.stopping() && transport.open_connections() == 0 &&
                                        dispatcher.calls_in_flight() == 0;
                             }),
                   asio::detached);
    asio::co_spawn(io, release_memory_when_idle(dispatcher, justifi), asio::detached);

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return 0;
}

}  // namespace justifi::server
