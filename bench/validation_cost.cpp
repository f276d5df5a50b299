// What local token validation costs per request, with a warm JWKS: the same bearer token
// sent to two justifi-mcp processes that differ only in JUSTIFI_OAUTH_VALIDATION (jwks and
// none), in alternating rounds so machine noise falls on both alike. The method is `ping`,
// which makes no JustiFi call, so the difference is the auth stage. Also times verify_jwt
// alone (RS256, 2048-bit key) in this process.
// Usage: validation-cost BUILD_DIR [ROUNDS] [CALLS_PER_ROUND]
#include "auth/jwt.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/document_host.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/jwt_signer.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace justifi::test;
using clock_type = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

child_options product_options(std::string const& validation, std::string const& issuer)
{
    return {.args = {"--transport", "http", "--host", "127.0.0.1", "--port", "0"},
            .env = {{"JUSTIFI_OAUTH_VALIDATION", validation},
                    {"JUSTIFI_OAUTH_ISSUER", issuer},
                    {"JUSTIFI_AUTH0_AUDIENCE", "https://api.justifi.ai"},
                    {"LOG_LEVEL", "info"},
                    {"MCP_THREADS", "1"}},
            .unset_env = {"JUSTIFI_CLIENT_ID", "JUSTIFI_CLIENT_SECRET", "MCP_AUTH"}};
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: validation-cost BUILD_DIR [ROUNDS] [CALLS_PER_ROUND]\n";
        return 2;
    }
    // Absolute: each server starts in a fresh empty directory (no stray .env).
    std::string const build = std::filesystem::absolute(argv[1]).string();
    int const rounds = argc > 2 ? std::stoi(argv[2]) : 20;
    int const per_round = argc > 3 ? std::stoi(argv[3]) : 200;

    auto const key = test_signing_key::rsa("bench-key");
    test_issuer issuer(jwks_json({key.jwk()}));
    auto const now = std::chrono::system_clock::now();
    json::object const claims{{"iss", issuer.issuer()},
                              {"sub", "auth0|bench"},
                              {"aud", json::array{"https://api.justifi.ai", issuer.issuer() + "userinfo"}},
                              {"iat", numeric_date(now)},
                              {"exp", numeric_date(now + std::chrono::hours(2))},
                              {"scope", "openid payments:read payments:write refunds:write"}};
    auto const token = key.sign(claims);

    child_process validating(build + "/justifi-mcp", product_options("jwks", issuer.issuer()));
    child_process passthrough(build + "/justifi-mcp", product_options("none", issuer.issuer()));
    header_list const auth{{"Authorization", "Bearer " + token}};
    struct target {
        char const* name;
        mcp_session session;
        std::unique_ptr<http_connection> connection;
        header_list headers;
        std::vector<double> micros;
    };
    std::vector<target> targets;
    for (auto* p : {&validating, &passthrough}) {
        auto const port = p->wait_for_port();
        auto session = mcp_session::open(port, "2025-11-25", auth);
        auto headers = mcp_post_headers(session.session_id);
        headers.emplace_back("MCP-Protocol-Version", session.protocol_version);
        headers.insert(headers.end(), auth.begin(), auth.end());
        targets.push_back({p == &validating ? "jwks" : "none", session, std::make_unique<http_connection>(port), headers, {}});
    }
    std::string const ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";

    auto const call = [&](target& t) {
        auto const res = t.connection->request("POST", "/mcp", t.headers, ping);
        if (res.status != 200) {
            std::cerr << t.name << ": ping answered " << res.status << " " << res.body.substr(0, 300) << "\n";
            std::exit(1);
        }
    };
    for (auto& t : targets)
        for (int i = 0; i < 200; ++i) call(t);  // warm: JWKS, connections, caches

    for (int round = 0; round < rounds; ++round)
        for (auto& t : targets)
            for (int i = 0; i < per_round; ++i) {
                auto const start = clock_type::now();
                call(t);
                t.micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
            }

    // verify_jwt alone, in this process.
    auto const parsed = justifi::auth::parse_jwks(jwks_json({key.jwk()}));
    if (!parsed) {
        std::cerr << "parse_jwks failed: " << parsed.error() << "\n";
        return 1;
    }
    auto const& keys = *parsed;
    justifi::auth::verification_rules const rules{issuer.issuer(), {"https://api.justifi.ai"}};
    std::vector<double> verify_micros;
    for (int i = 0; i < 2000; ++i) {
        auto const start = clock_type::now();
        auto const verified = justifi::auth::verify_jwt(token, keys, rules, std::chrono::system_clock::now());
        verify_micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
        if (!verified) {
            std::cerr << "verify_jwt failed\n";
            return 1;
        }
    }

    auto const with = median(targets[0].micros);
    auto const without = median(targets[1].micros);
    std::printf("ping with a bearer token, %d rounds x %d calls per server, alternating, one keep-alive connection each\n",
                rounds, per_round);
    std::printf("median RTT: validation=jwks %.1f us, validation=none %.1f us, added %.1f us per request\n", with,
                without, with - without);
    std::printf("verify_jwt alone (RS256, 2048-bit key): median %.1f us over 2000 calls\n", median(verify_micros));
    return 0;
}
