#include "server/app.hpp"

#include "auth/auth_stage.hpp"
#include "auth/dpop.hpp"
#include "auth/jwks_cache.hpp"
#include "server/config.hpp"
#include "core/encoding.hpp"
#include "server/http_transport.hpp"
#include "core/log.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/session_token.hpp"
#include "server/stdio_transport.hpp"
#include "server/supervisor.hpp"
#include "version.hpp"
#include "core/awaitable.hpp"
#include "core/cpu_budget.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <malloc.h>

#include <csignal>
#include <cmath>
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

using core::use_tuple;

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

client::client_settings client_settings_of(config::settings const& settings, core::metrics::registry* recorder)
{
    client::client_settings out;
    out.base_url = settings.justifi_base_url;
    out.call_timeout = settings.justifi_timeout;
    out.ca_file = settings.justifi_ca_file;
    out.tokens.max_entries = settings.token_cache_size;
    out.tokens.fetches_per_second = settings.token_fetches_per_second;
    out.tokens.fetch_burst = settings.token_fetch_burst;
    out.metrics = recorder;
    if (settings.exchanges_tokens())
        out.exchange = client::exchange_settings{
            .issuer = settings.oauth_issuer(),
            .client_id = settings.exchange_client_id,
            .client_secret = settings.exchange_client_secret,
            .audience = settings.auth0_audience,
            .subject_token_type = settings.exchange_subject_token_type,
            .fetch = {.ca_file = settings.justifi_ca_file,
                      .timeout = std::min<std::chrono::milliseconds>(settings.justifi_timeout, std::chrono::seconds(10)),
                      .body_limit = 64 * 1024,
                      .user_agent = std::string("justifi-mcp/") + core::server_version}};
    return out;
}

// JUSTIFI_SCOPE_IMPLICATIONS, or X:write implies X:read over the advertised scopes.
auth::scope_implications scope_implications_of(config::settings const& settings)
{
    if (!settings.scope_implications) return auth::default_scope_implications(settings.oauth_scopes);
    auth::scope_implications out;
    for (auto const& [broader, narrower] : *settings.scope_implications) out.push_back({broader, narrower});
    return out;
}

drain_settings drain_settings_of(config::settings const& settings) { return {.drain_timeout = settings.drain_timeout}; }

// The pipeline under either transport: the JustiFi client, the tools, the dispatcher.
struct pipeline {
    core::metrics::registry metrics;
    core::metrics::registry* recorder = nullptr;  // null: nothing is recorded (stdio, or metrics off)
    std::optional<client::justifi_client> justifi;
    tools::tool_registry registry;
    std::optional<mcp::dispatcher> dispatcher;
    // MCP_SESSION_SECRET, or a random key for this process: signs sessions and request states.
    std::string secret;
};

// Builds it; a refusal names what is wrong (an unknown tool in the allow-list).
core::outcome<void> build_pipeline(pipeline& p, asio::io_context& io, config::settings const& settings,
                                   catalog_installer const& catalog)
{
    bool const stdio = settings.transport == config::transport_kind::stdio;
    core::metrics::declare_server_metrics(p.metrics);
    // Metrics are served over HTTP only; over stdio nobody could scrape them.
    p.recorder = stdio || !settings.metrics_enabled ? nullptr : &p.metrics;
    p.justifi.emplace(io.get_executor(), client_settings_of(settings, p.recorder));
    if (auto installed = catalog.install(p.registry, *p.justifi, settings); !installed) return installed;
    p.secret = settings.session_secret.empty() ? core::encoding::random_bytes(32) : settings.session_secret;
    p.dispatcher.emplace(identity(), p.registry, stdio ? 0 : settings.max_tool_calls, p.recorder,
                         mcp::request_state_codec(p.secret, settings.request_state_ttl));
    core::log::info("JustiFi API", {{"base_url", settings.justifi_base_url},
                                    {"tools", p.registry.size()},
                                    {"read_only", settings.read_only},
                                    {"confirm_writes", tools::to_string(settings.confirm_writes)}});
    return {};
}

int serve_stdio(asio::io_context& io, pipeline& p, config::settings const& settings,
                auth::auth_context const& configured_identity)
{
    supervisor watcher(io, drain_settings_of(settings));
    stdio_transport transport(io, *p.dispatcher, configured_identity, settings.max_body_bytes,
                              settings.elicitation_timeout);
    transport.on_progress([&watcher] { watcher.notify(); });
    p.dispatcher->on_call_finished([&watcher] { watcher.notify(); });
    transport.start();
    core::log::info("serving MCP over stdio", {{"version", core::server_version}});
    watcher.start(transport, *p.dispatcher);
    asio::co_spawn(io, release_memory_when_idle(*p.dispatcher, *p.justifi), asio::detached);
    io.run();
    return 0;
}

// MCP_METRICS_PORT: a listener of their own, for a scraper the load balancer never reaches.
void make_metrics_listener(std::optional<http_server>& server, asio::io_context& io, config::settings const& settings,
                           core::metrics::registry& metrics)
{
    server.emplace(io, http_server_settings{settings.header_timeout, settings.idle_timeout, settings.write_timeout, 4096, 64},
                   [&metrics, path = settings.metrics_path](http_exchange& ex) -> asio::awaitable<net::http_answer> {
                       auto const target = ex.request.target();
                       if (target.substr(0, target.find('?')) == path) co_return answer_metrics(ex, metrics);
                       co_return make_response(ex.request, http::status::not_found, "text/plain",
                                               "Not Found: metrics are at " + path);
                   });
}

int serve_http(asio::io_context& io, pipeline& p, config::settings const& settings,
               auth::auth_context const& configured_identity, unsigned threads)
{
    auto& justifi = *p.justifi;
    auto& dispatcher = *p.dispatcher;
    if (settings.session_secret.empty())
        core::log::info("MCP_SESSION_SECRET is unset: sessions and request states are valid on this process only");
    session_codec sessions(p.secret, settings.session_ttl);

    if (settings.auth_none)
        core::log::warning("MCP_AUTH=none: HTTP requests without credentials are served with the configured JustiFi "
                           "credentials; for local development only");
    // Local validation: the issuer's keys, fetched now so the first caller does not wait for
    // them (a failure is logged and retried on demand: the issuer may come back).
    std::optional<auth::jwks_cache> issuer_keys;
    auth::verification_rules const token_rules{settings.oauth_issuer(), settings.accepted_audiences()};
    std::optional<auth::token_validation> validation;
    auto const implications = scope_implications_of(settings);
    // Proofs are remembered for two windows: at most this many within them (a proof costs about
    // 100 bytes here, so the cap is a few megabytes).
    auth::dpop::replay_cache dpop_replays(200'000, std::chrono::seconds(60));
    auth::dpop_policy const dpop{.replays = dpop_replays, .required = settings.require_dpop};
    if (settings.exchanges_tokens())
        core::log::info("JUSTIFI_UPSTREAM_AUTH=exchange: tokens must be issued for this server and are exchanged "
                        "for JustiFi tokens", {{"resource", settings.public_url + "/mcp"},
                                               {"dpop", settings.require_dpop ? "required" : "accepted"}});
    if (settings.validate_tokens) {
        auth::jwks_cache_settings key_settings;
        key_settings.source = {auth::key_source::kind::issuer, settings.oauth_issuer()};
        key_settings.ca_file = settings.justifi_ca_file;
        key_settings.user_agent = std::string("justifi-mcp/") + core::server_version;
        key_settings.min_refresh = std::chrono::duration_cast<std::chrono::seconds>(settings.jwks_min_refresh);
        key_settings.max_refresh = std::chrono::duration_cast<std::chrono::seconds>(settings.jwks_max_refresh);
        issuer_keys.emplace(io.get_executor(), std::move(key_settings));
        validation.emplace(auth::token_validation{*issuer_keys, token_rules, &implications,
                                                  settings.accepts_dpop() ? &dpop : nullptr});
        // Now, and again on a timer: keys the issuer removes stop being trusted within JUSTIFI_JWKS_MAX_REFRESH.
        asio::co_spawn(io, issuer_keys->keep_fresh(), asio::detached);
    } else {
        core::log::warning("JUSTIFI_OAUTH_VALIDATION=none: bearer tokens are passed to JustiFi unchecked and every tool "
                           "is listed whatever their scopes");
    }
    // Client credentials sent as headers are admitted only once JustiFi has issued a token for them.
    auth::credential_check const check_credentials = [&justifi](auth::client_credentials const& credentials) {
        return verdict_on(justifi, credentials);
    };

    supervisor watcher(io, drain_settings_of(settings));
    auto transport_settings = http_transport_settings_of(settings);
    transport_settings.server.connection_closed = [&watcher] { watcher.notify(); };
    dispatcher.on_call_finished([&watcher] { watcher.notify(); });
    http_transport transport(io, std::move(transport_settings), dispatcher, sessions,
                             settings.auth_none ? std::optional<auth::auth_context>(configured_identity) : std::nullopt,
                             validation ? &*validation : nullptr, p.recorder, check_credentials);
    auto& metrics = p.metrics;
    metrics.gauge("justifi_mcp_open_connections", "HTTP connections open now",
                  [&transport] { return static_cast<double>(transport.open_connections()); });
    metrics.gauge("justifi_mcp_request_body_bytes_in_flight", "request body bytes being read now (bounded by MCP_MAX_BODY_BYTES_IN_FLIGHT)",
                  [&transport] { return static_cast<double>(transport.body_bytes_in_flight()); });
    metrics.gauge("justifi_mcp_sessions", "MCP sessions this process has seen recently (a bounded memory)",
                  [&transport] { return static_cast<double>(transport.session_count()); });
    metrics.gauge("justifi_mcp_token_cache_entries", "client-credentials tokens and remembered refusals held (bounded)",
                  [&justifi] { return static_cast<double>(justifi.cached_credentials()); });
    if (settings.exchanges_tokens()) {
        metrics.gauge("justifi_mcp_exchanged_token_cache_entries",
                      "exchanged JustiFi tokens and remembered exchange refusals held (bounded)",
                      [&justifi] { return static_cast<double>(justifi.cached_exchanges()); });
        metrics.gauge("justifi_mcp_dpop_proofs_remembered", "DPoP proof ids remembered against replay (bounded)",
                      [&dpop_replays] { return static_cast<double>(dpop_replays.size()); });
    }
    metrics.gauge("justifi_mcp_tool_calls_in_flight", "tool calls running now",
                  [&dispatcher] { return static_cast<double>(dispatcher.calls_in_flight()); });
    if (issuer_keys)
        metrics.gauge("justifi_mcp_jwks_loads", "loads of the issuer's JWKS since start (at start, on unknown kids)",
                      [&issuer_keys] { return static_cast<double>(issuer_keys->loads()); });
    std::optional<http_server> metrics_server;
    if (p.recorder && settings.metrics_port != 0) {
        make_metrics_listener(metrics_server, io, settings, metrics);
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
    watcher.start(transport, dispatcher);
    asio::co_spawn(io, release_memory_when_idle(dispatcher, justifi), asio::detached);

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return 0;
}

}  // namespace

// Load the settings, build the pipeline, pick the transport, run it.
int run(int argc, char const* const* argv, catalog_installer const& catalog)
{
    auto loaded = config::load(argc, argv);
    if (auto const* exit = std::get_if<core::exit_now>(&loaded)) {
        (exit->code == 0 ? std::cout : std::cerr) << exit->text << std::endl;
        return exit->code;
    }
    auto const settings = std::get<config::settings>(std::move(loaded));
    core::log::set_threshold(settings.log_level);
    std::signal(SIGPIPE, SIG_IGN);
    // Every call allocates and frees answers of tens of kilobytes. With glibc's defaults the
    // heap's top was handed back and faulted in again on every call (about six page faults
    // each). release_memory_when_idle trims once the calls stop, so under load the heap keeps
    // its top, and buffers below 4 MiB never flip between the heap and mmap. One arena: the
    // idle trim (malloc_trim) shrinks only the main arena's top. Several I/O threads do contend
    // for it, one reason the default is one thread per CPU the process may really use.
    ::mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
    ::mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    ::mallopt(M_ARENA_MAX, 1);

    bool const stdio = settings.transport == config::transport_kind::stdio;
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

    unsigned threads = stdio ? 1u : settings.threads;
    if (threads == 0) {
        auto const budget = core::cpu_budget::detect();
        threads = budget.threads;
        core::log::info("I/O threads from the CPUs this process may use",
                        {{"threads", threads},
                         {"cpus", budget.cpus},
                         {"cpu_quota_millicpus",
                          budget.quota ? boost::json::value(std::llround(*budget.quota * 1000)) : boost::json::value(nullptr)}});
    }
    asio::io_context io(static_cast<int>(threads));
    pipeline p;
    if (auto built = build_pipeline(p, io, settings, catalog); !built) {
        std::cerr << "justifi-mcp: " << built.error().message << std::endl;
        return 2;
    }
    if (stdio) return serve_stdio(io, p, settings, configured_identity);
    return serve_http(io, p, settings, configured_identity, threads);
}

}  // namespace justifi::server
