// justifi-mock: the JustiFi API simulator. Runs the generic HTTP server (server/http_server)
// with the simulator's handler on one thread per usable CPU until SIGTERM or SIGINT, then drains.
// Serves HTTPS with a given or generated certificate when asked, and loads the JWKS that
// bearer JWTs are checked against when one is configured.
#include "core/cpu_budget.hpp"
#include "mock/api.hpp"
#include "mock/options.hpp"
#include "mock/tls.hpp"
#include "net/http_server.hpp"
#include "core/log.hpp"
#include "net/web_address.hpp"
#include "version.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <csignal>
#include <future>
#include <iostream>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace mock = justifi::mock;
namespace log = justifi::core::log;
using namespace std::chrono_literals;

// Longest a drain waits for busy connections (a request may be sleeping out injected latency).
constexpr auto drain_limit = 10s;

asio::awaitable<void> supervise(asio::io_context& io, justifi::net::http_server& server)
{
    asio::signal_set signals(io, SIGTERM, SIGINT);
    auto [ec, signal] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    log::info("signal received, draining", {{"signal", signal}});
    server.begin_drain();
    // Polling keeps this free of cross-thread wakeups; 20 ms is invisible next to a drain.
    asio::steady_timer poll(io);
    auto const deadline = std::chrono::steady_clock::now() + drain_limit;
    while (server.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
        poll.expires_after(20ms);
        co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (server.open_connections() > 0) log::warning("connections still open after the drain, closing them");
    log::info("stopped");
    io.stop();
}

std::string joined(std::vector<std::string> const& names)
{
    std::string out;
    for (auto const& name : names) out += (out.empty() ? "" : ",") + name;
    return out;
}

}  // namespace

int main(int argc, char** argv)
{
    auto loaded = mock::load_settings(argc, argv);
    if (auto const* exit = std::get_if<justifi::core::exit_now>(&loaded)) {
        (exit->code == 0 ? std::cout : std::cerr) << exit->text << std::endl;
        return exit->code;
    }
    auto const settings = std::get<mock::mock_settings>(std::move(loaded));
    log::set_threshold(settings.log_level);
    std::signal(SIGPIPE, SIG_IGN);

    unsigned const threads = settings.threads ? settings.threads : justifi::core::cpu_budget::detect().threads;
    asio::io_context io(static_cast<int>(threads));
    mock::mock_api api(io.get_executor(), settings, justifi::net::is_loopback_host(settings.host));
    if (api.external_tokens().enabled()) {
        // Before serving, so no request meets a JWKS that is not there yet.
        auto loading = asio::co_spawn(io, api.external_tokens().load(), asio::use_future);
        while (loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready && io.run_one() > 0) {
        }
        io.restart();
        auto const loaded = loading.get();
        if (!loaded) {
            std::cerr << "justifi-mock: cannot use the JWKS: " << loaded.error().message << std::endl;
            return 1;
        }
    }

    justifi::net::http_server_settings server_settings;
    std::string cert_file = settings.tls_cert_file;
    std::string key_file = settings.tls_key_file;
    std::string ca_file;
    if (!settings.tls_generate_dir.empty()) {
        auto const generated = mock::generate_certificate(settings.tls_generate_dir, settings.tls_names);
        if (!generated) {
            std::cerr << "justifi-mock: cannot generate a TLS certificate in " << settings.tls_generate_dir << ": "
                      << generated.error() << std::endl;
            return 1;
        }
        cert_file = generated->cert_file;
        key_file = generated->key_file;
        ca_file = generated->ca_file;
        log::info("generated a TLS certificate; trust its CA with JUSTIFI_CA_FILE",
                  {{"ca_file", ca_file}, {"cert_file", cert_file}, {"names", joined(settings.tls_names)}});
    }
    if (!cert_file.empty()) {
        auto context = mock::make_server_context(cert_file, key_file);
        if (!context) {
            std::cerr << "justifi-mock: cannot serve HTTPS: " << context.error() << std::endl;
            return 1;
        }
        server_settings.tls = std::move(*context);
    }
    // The simulator judges every request on its body too: it reads it first, whatever it is.
    justifi::net::http_server server(
        io, server_settings, [&api](justifi::net::http_exchange& ex) -> asio::awaitable<justifi::net::http_answer> {
            if (auto const failed = co_await ex.read_body()) co_return justifi::net::already_answered{};  // 413, 503
            auto answer = co_await api.handle(ex);
            co_return answer;
        });
    auto const endpoint = server.listen(settings.host, settings.port);
    if (!endpoint) {
        std::cerr << "justifi-mock: cannot listen on " << settings.host << ":" << settings.port << ": "
                  << endpoint.error().message() << std::endl;
        return 1;
    }
    server.start();
    log::info("listening", {{"service", "justifi-mock"},
                            {"scheme", server_settings.tls ? "https" : "http"},
                            {"host", endpoint->address().to_string()},
                            {"port", endpoint->port()},
                            {"ca_file", ca_file},
                            {"version", justifi::core::server_version},
                            {"seed", settings.seed},
                            {"threads", threads},
                            {"faults", mock::fault_plan::to_json(settings.faults)}});
    asio::co_spawn(io, supervise(io, server), asio::detached);

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return 0;
}
