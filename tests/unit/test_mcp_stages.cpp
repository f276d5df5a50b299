// The MCP endpoint's stages, each on its own and without a socket: a request is a Beast
// message built here, time is a value, and what comes back is the next stage's input or the
// refusal that ends the request. Then the one place refusals become HTTP answers.
#include "server/http_answers.hpp"
#include "server/mcp_stages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace auth = justifi::auth;
namespace mcp = justifi::mcp;
using justifi::core::errc;
using justifi::server::endpoint_settings;
using justifi::server::mcp_stages;
using justifi::server::request_message;
using namespace std::chrono_literals;

namespace {

auto const t0 = std::chrono::system_clock::time_point{} + 24h * 20'000;  // a fixed day in 2024
auto const tick = justifi::core::rate_limiter::clock::time_point{};

endpoint_settings loopback_settings()
{
    endpoint_settings s;
    s.origin_policy = justifi::server::http_rules::default_policy("127.0.0.1", "", {}, {});
    s.oauth_scopes = {"payments:read", "payments:write"};
    s.rate_limit_per_second = 1;
    s.rate_limit_burst = 2;
    s.max_streams_per_caller = 3;
    return s;
}

struct fixture {
    mcp::session_codec sessions{"unit-test-session-secret-0123456789abcdef", std::chrono::hours(24)};
    mcp_stages stages{loopback_settings(), sessions};
};

request_message post(std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {})
{
    request_message req{http::verb::post, "/mcp", 11};
    req.set(http::field::host, "127.0.0.1:8080");
    for (auto const& [name, value] : headers) req.set(name, value);
    return req;
}

request_message well_formed_post()
{
    return post({{"Accept", "application/json, text/event-stream"}, {"Content-Type", "application/json"}});
}

auth::auth_context bearer(std::string token, auth::auth_path path = auth::auth_path::bearer_passthrough)
{
    auth::auth_context ctx;
    ctx.credentials = auth::bearer_token{std::move(token)};
    ctx.path = path;
    return ctx;
}

auth::auth_context client(std::string id)
{
    auth::auth_context ctx;
    ctx.credentials = auth::client_credentials{std::move(id), "secret"};
    ctx.path = auth::auth_path::client_credential_headers;
    return ctx;
}

justifi::server::stage<auth::auth_context> authenticate(mcp_stages const& stages, request_message const& req)
{
    asio::io_context io;
    auto outcome = asio::co_spawn(io, stages.authenticate(req), asio::use_future);
    io.run();
    return outcome.get();
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(mcp_stages_in_order)

BOOST_AUTO_TEST_CASE(origin_and_host_of_the_loopback_server_pass_and_a_rebinding_host_is_forbidden)
{
    fixture f;
    BOOST_TEST(f.stages.check_origin(post({{"Origin", "http://localhost:3000"}})).has_value());
    auto rebinding = post();
    rebinding.set(http::field::host, "attacker.example");
    auto const refused = f.stages.check_origin(rebinding);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == errc::origin_forbidden));
    BOOST_TEST(refused.error().message == "Host \"attacker.example\" is not allowed (see MCP_ALLOWED_HOSTS)");
    auto const page = f.stages.check_origin(post({{"Origin", "https://evil.example"}}));
    BOOST_REQUIRE(!page);
    BOOST_TEST(contains(page.error().message, "Origin \"https://evil.example\""));
}

BOOST_AUTO_TEST_CASE(a_request_without_credentials_is_told_where_to_start_oauth)
{
    fixture f;
    auto const outcome = authenticate(f.stages, post());
    BOOST_REQUIRE(!outcome);
    BOOST_TEST((outcome.error().code == errc::authentication_required));
    BOOST_TEST(contains(outcome.error().message,
                        "protected resource metadata at http://127.0.0.1:8080/.well-known/oauth-protected-resource"));
    BOOST_TEST(contains(outcome.error().message, "X-Client-Id"));  // the developer's way in, when allowed
}

BOOST_AUTO_TEST_CASE(credentials_that_cannot_be_read_are_malformed_and_never_quoted)
{
    fixture f;
    auto const outcome = authenticate(f.stages, post({{"Authorization", "Basic c2VjcmV0"}}));
    BOOST_REQUIRE(!outcome);
    BOOST_TEST((outcome.error().code == errc::malformed_credentials));
    BOOST_TEST(!contains(outcome.error().message, "c2VjcmV0"));
}

BOOST_AUTO_TEST_CASE(a_host_that_names_no_url_is_refused_before_any_challenge_is_built)
{
    fixture f;
    auto req = post();
    req.set(http::field::host, "bad host");
    auto const outcome = authenticate(f.stages, req);
    BOOST_REQUIRE(!outcome);
    BOOST_TEST((outcome.error().code == errc::bad_public_base_url));
    BOOST_TEST(justifi::core::refusal_text(outcome.error()) ==
               "Bad Request: Host \"bad host\" is not a valid host[:port] (or set MCP_PUBLIC_URL)");
}

BOOST_AUTO_TEST_CASE(bearer_tokens_and_client_credentials_pass_with_their_path)
{
    fixture f;
    auto const passthrough = authenticate(f.stages, post({{"Authorization", "Bearer abc.def"}}));
    BOOST_REQUIRE(passthrough.has_value());
    BOOST_TEST((passthrough->path == auth::auth_path::bearer_passthrough));
    auto const developer = authenticate(f.stages, post({{"X-Client-Id", "test_abc"}, {"X-Client-Secret", "s3cr3t"}}));
    BOOST_REQUIRE(developer.has_value());
    BOOST_TEST(developer->principal() == "client:test_abc");
}

BOOST_AUTO_TEST_CASE(client_credential_headers_count_for_nothing_when_turned_off)
{
    mcp::session_codec sessions{"unit-test-session-secret-0123456789abcdef", std::chrono::hours(24)};
    auto settings = loopback_settings();
    settings.allow_client_credential_headers = false;
    mcp_stages stages(settings, sessions);
    auto const outcome = authenticate(stages, post({{"X-Client-Id", "test_abc"}, {"X-Client-Secret", "s3cr3t"}}));
    BOOST_REQUIRE(!outcome);
    BOOST_TEST((outcome.error().code == errc::authentication_required));
    BOOST_TEST(!contains(outcome.error().message, "X-Client-Id"));
}

BOOST_AUTO_TEST_CASE(the_development_identity_serves_callers_that_bring_none)
{
    mcp::session_codec sessions{"unit-test-session-secret-0123456789abcdef", std::chrono::hours(24)};
    auth::auth_context configured;
    configured.credentials = auth::client_credentials{"dev", "secret"};
    configured.path = auth::auth_path::configured_credentials;
    mcp_stages stages(loopback_settings(), sessions, configured);
    auto const outcome = authenticate(stages, post());
    BOOST_REQUIRE(outcome.has_value());
    BOOST_TEST(outcome->principal() == "client:dev");
}

BOOST_AUTO_TEST_CASE(a_caller_past_its_burst_is_rate_limited_with_the_wait_in_whole_seconds)
{
    fixture f;
    auto const alice = client("alice");
    BOOST_TEST(f.stages.admit_rate(alice, "10.0.0.1", tick).has_value());
    BOOST_TEST(f.stages.admit_rate(alice, "10.0.0.1", tick).has_value());
    auto const limited = f.stages.admit_rate(alice, "10.0.0.1", tick);
    BOOST_REQUIRE(!limited);
    BOOST_TEST((limited.error().code == errc::rate_limited));
    BOOST_TEST(limited.error().retry_after == 1s);
    BOOST_TEST(limited.error().message ==
               "more than 2 requests at once or 1 a second with these credentials; retry after 1 s");
    // Another caller has a bucket of its own; a second later alice has a token again.
    BOOST_TEST(f.stages.admit_rate(client("bob"), "10.0.0.1", tick).has_value());
    BOOST_TEST(f.stages.admit_rate(alice, "10.0.0.1", tick + 1s).has_value());
}

BOOST_AUTO_TEST_CASE(made_up_bearer_tokens_share_the_bucket_of_their_address)
{
    fixture f;
    BOOST_TEST(f.stages.admit_rate(bearer("one"), "10.0.0.9", tick).has_value());
    BOOST_TEST(f.stages.admit_rate(bearer("two"), "10.0.0.9", tick).has_value());
    auto const third = f.stages.admit_rate(bearer("three"), "10.0.0.9", tick);
    BOOST_REQUIRE(!third);
    BOOST_TEST(contains(third.error().message, "from this address with unverified tokens"));
    // A verified token is its subject's, wherever it comes from.
    auto verified = bearer("four", auth::auth_path::bearer_verified);
    verified.subject = "user-1";
    BOOST_TEST(f.stages.admit_rate(verified, "10.0.0.9", tick).has_value());
}

BOOST_AUTO_TEST_CASE(a_post_must_accept_both_answers_and_send_json)
{
    fixture f;
    auto const no_stream = f.stages.check_post_headers(post({{"Accept", "application/json"}, {"Content-Type", "application/json"}}));
    BOOST_REQUIRE(!no_stream);
    BOOST_TEST((no_stream.error().code == errc::not_acceptable));
    auto const form = f.stages.check_post_headers(
        post({{"Accept", "application/json, text/event-stream"}, {"Content-Type", "application/x-www-form-urlencoded"}}));
    BOOST_REQUIRE(!form);
    BOOST_TEST((form.error().code == errc::unsupported_media_type));
    BOOST_TEST(f.stages.check_post_headers(well_formed_post()).has_value());
}

BOOST_AUTO_TEST_CASE(an_unsupported_protocol_version_is_refused_naming_the_supported_ones)
{
    fixture f;
    auto req = well_formed_post();
    req.set("MCP-Protocol-Version", "1999-01-01");
    // Judged once the body says which era the request is in; the other headers pass before.
    BOOST_TEST(f.stages.check_post_headers(req).has_value());
    auto const refused = f.stages.check_legacy_version(req);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == errc::unsupported_protocol_version));
    BOOST_TEST(refused.error().message ==
               "unsupported MCP-Protocol-Version \"1999-01-01\"; supported: 2025-11-25, 2025-06-18, 2025-03-26, "
               "2024-11-05");
    req.set("MCP-Protocol-Version", "2025-06-18");
    BOOST_TEST(f.stages.check_legacy_version(req).has_value());
    req.set("MCP-Protocol-Version", "2026-07-28");  // the modern stage's to check
    BOOST_TEST(f.stages.check_legacy_version(req).has_value());
}

BOOST_AUTO_TEST_CASE(the_sub_account_header_is_held_to_the_shape_of_an_id)
{
    fixture f;
    auto req = well_formed_post();
    req.set("Sub-Account", "acc_../../v1/payouts");
    auto const refused = f.stages.check_post_headers(req);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == errc::bad_sub_account));
    req.set("Sub-Account", "acc_123");
    auto const accepted = f.stages.check_post_headers(req);
    BOOST_REQUIRE(accepted.has_value());
    BOOST_TEST(accepted->sub_account == "acc_123");
}

BOOST_AUTO_TEST_CASE(an_event_stream_request_must_accept_event_streams)
{
    fixture f;
    auto req = post({{"Accept", "application/json"}});
    req.method(http::verb::get);
    BOOST_TEST((f.stages.check_stream_headers(req).error().code == errc::not_acceptable));
    req.set("Accept", "text/event-stream");
    BOOST_TEST(f.stages.check_stream_headers(req).has_value());
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_rpc_is_refused_with_json_rpcs_own_codes)
{
    auto const not_json = mcp_stages::decode("{oops");
    BOOST_REQUIRE(!not_json);
    BOOST_TEST((not_json.error().code == errc::parse_error));
    BOOST_TEST(mcp::jsonrpc::make_error(not_json.error()).at("error").at("code").as_int64() == -32700);

    auto const wrong_version = mcp_stages::decode(R"({"jsonrpc":"1.0","id":7,"method":"ping"})");
    BOOST_REQUIRE(!wrong_version);
    BOOST_TEST((wrong_version.error().code == errc::invalid_message));
    auto const error = mcp::jsonrpc::make_error(wrong_version.error());
    BOOST_TEST(error.at("error").at("code").as_int64() == -32600);
    BOOST_TEST(error.at("id") == 7);  // echoed once it could be read

    auto const ping = mcp_stages::decode(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    BOOST_REQUIRE(ping.has_value());
    BOOST_TEST(std::holds_alternative<mcp::jsonrpc::request>(*ping));
}

BOOST_AUTO_TEST_CASE(a_session_is_resumed_only_by_the_principal_it_was_issued_to)
{
    fixture f;
    auto const missing = f.stages.resume_session(post(), "client:alice", t0);
    BOOST_REQUIRE(!missing);
    BOOST_TEST((missing.error().code == errc::session_missing));

    auto const id = f.sessions.issue("2025-11-25", "client:alice", t0);
    auto const resumed = f.stages.resume_session(post({{"Mcp-Session-Id", id}}), "client:alice", t0 + 1min);
    BOOST_REQUIRE(resumed.has_value());
    BOOST_TEST(*resumed == id);

    auto const stolen = f.stages.resume_session(post({{"Mcp-Session-Id", id}}), "client:mallory", t0 + 1min);
    BOOST_REQUIRE(!stolen);
    BOOST_TEST((stolen.error().code == errc::session_forged));
    BOOST_TEST(justifi::core::refusal_text(stolen.error()).starts_with("Session not found: "));

    auto const late = f.stages.resume_session(post({{"Mcp-Session-Id", id}}), "client:alice", t0 + 25h);
    BOOST_REQUIRE(!late);
    BOOST_TEST((late.error().code == errc::session_expired));
}

BOOST_AUTO_TEST_CASE(an_accepted_initialize_is_answered_with_a_session_for_its_caller)
{
    fixture f;
    mcp::reply const reply(mcp::jsonrpc::make_result(1, json::object{{"protocolVersion", "2025-06-18"}}));
    auto const res = f.stages.encode(well_formed_post(), reply, true, "client:alice", t0);
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res[http::field::content_type] == "application/json");
    auto const session = std::string(res["Mcp-Session-Id"]);
    auto const claims = f.sessions.verify(session, "client:alice", t0);
    BOOST_REQUIRE(claims.has_value());
    BOOST_TEST(claims->protocol_version == "2025-06-18");
    BOOST_TEST(json::parse(res.body()).at("id") == 1);

    auto const other = f.stages.encode(well_formed_post(), reply, false, "client:alice", t0);
    BOOST_TEST((other.find("Mcp-Session-Id") == other.end()));
}

BOOST_AUTO_TEST_CASE(client_address_is_the_peer_unless_a_trusted_proxy_says_otherwise)
{
    fixture f;
    auto const req = post({{"X-Forwarded-For", "1.2.3.4, 5.6.7.8"}});
    BOOST_TEST(f.stages.client_address(req, "10.0.0.1") == "10.0.0.1");
    mcp::session_codec sessions{"unit-test-session-secret-0123456789abcdef", std::chrono::hours(24)};
    auto settings = loopback_settings();
    settings.trust_proxy = true;
    mcp_stages proxied(settings, sessions);
    BOOST_TEST(proxied.client_address(req, "10.0.0.1") == "5.6.7.8");  // what the proxy appended
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_answers)

namespace {

json::object body_of(http::response<http::string_body> const& res) { return json::parse(res.body()).as_object(); }

}  // namespace

BOOST_AUTO_TEST_CASE(every_refusal_has_its_status)
{
    using justifi::server::refusal_status;
    BOOST_TEST(refusal_status(errc::origin_forbidden) == http::status::forbidden);
    BOOST_TEST(refusal_status(errc::authentication_required) == http::status::unauthorized);
    BOOST_TEST(refusal_status(errc::malformed_credentials) == http::status::unauthorized);
    BOOST_TEST(refusal_status(errc::invalid_token) == http::status::unauthorized);
    BOOST_TEST(refusal_status(errc::credentials_rejected) == http::status::unauthorized);
    BOOST_TEST(refusal_status(errc::insufficient_scope) == http::status::forbidden);
    BOOST_TEST(refusal_status(errc::verification_busy) == http::status::service_unavailable);
    BOOST_TEST(refusal_status(errc::verification_unavailable) == http::status::service_unavailable);
    BOOST_TEST(refusal_status(errc::overloaded) == http::status::service_unavailable);
    BOOST_TEST(refusal_status(errc::rate_limited) == http::status::too_many_requests);
    BOOST_TEST(refusal_status(errc::too_many_streams) == http::status::too_many_requests);
    BOOST_TEST(refusal_status(errc::not_acceptable) == http::status::not_acceptable);
    BOOST_TEST(refusal_status(errc::unsupported_media_type) == http::status::unsupported_media_type);
    BOOST_TEST(refusal_status(errc::unsupported_protocol_version) == http::status::bad_request);
    BOOST_TEST(refusal_status(errc::bad_sub_account) == http::status::bad_request);
    BOOST_TEST(refusal_status(errc::session_missing) == http::status::bad_request);
    BOOST_TEST(refusal_status(errc::session_expired) == http::status::not_found);
    BOOST_TEST(refusal_status(errc::session_forged) == http::status::not_found);
    BOOST_TEST(refusal_status(errc::parse_error) == http::status::bad_request);
}

BOOST_AUTO_TEST_CASE(no_credentials_get_the_rfc_9728_challenge)
{
    fixture f;
    auto const req = post();
    auto const res = justifi::server::refusal_response(
        req, {.code = errc::authentication_required, .message = "authentication is required"}, f.stages);
    BOOST_TEST(res.result_int() == 401);
    BOOST_TEST(std::string(res[http::field::www_authenticate]) ==
               R"(Bearer resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource", )"
               R"(scope="payments:read payments:write")");
    auto const body = body_of(res);
    BOOST_TEST(body.at("error").at("code").as_int64() == -32000);
    BOOST_TEST(body.at("error").at("message") == "Unauthorized: authentication is required");
    BOOST_TEST(body.at("id").is_null());
}

BOOST_AUTO_TEST_CASE(a_missing_scope_gets_a_step_up_challenge_and_keeps_the_request_id)
{
    fixture f;
    auto const res = justifi::server::refusal_response(post(),
                                                       {.code = errc::insufficient_scope,
                                                        .message = "x needs the payments:write scope; sign in again",
                                                        .description = "x needs the payments:write scope",
                                                        .scope = "payments:write",
                                                        .id = 42},
                                                       f.stages);
    BOOST_TEST(res.result_int() == 403);
    auto const challenge = std::string(res[http::field::www_authenticate]);
    BOOST_TEST(contains(challenge, R"(error="insufficient_scope")"));
    BOOST_TEST(contains(challenge, R"(scope="payments:write")"));
    BOOST_TEST(contains(challenge, R"(error_description="x needs the payments:write scope")"));
    BOOST_TEST(body_of(res).at("id") == 42);
    BOOST_TEST(body_of(res).at("error").at("message") == "Forbidden: x needs the payments:write scope; sign in again");
}

BOOST_AUTO_TEST_CASE(a_token_justifi_refused_gets_the_invalid_token_challenge)
{
    fixture f;
    auto const res = justifi::server::refusal_response(
        post(), {.code = errc::credentials_rejected, .message = "JustiFi rejected the access token"}, f.stages);
    BOOST_TEST(res.result_int() == 401);
    BOOST_TEST(contains(std::string(res[http::field::www_authenticate]), R"(error="invalid_token")"));
}

BOOST_AUTO_TEST_CASE(busy_answers_say_when_to_come_back)
{
    fixture f;
    auto const busy = justifi::server::refusal_response(post(), {.code = errc::verification_busy, .message = "m"}, f.stages);
    BOOST_TEST(busy.result_int() == 503);
    BOOST_TEST(busy[http::field::retry_after] == "1");
    auto const down =
        justifi::server::refusal_response(post(), {.code = errc::verification_unavailable, .message = "m"}, f.stages);
    BOOST_TEST(down[http::field::retry_after] == "5");
    BOOST_TEST((down.find(http::field::www_authenticate) == down.end()));  // not the client's fault: no sign-in
    auto const limited = justifi::server::refusal_response(
        post(), {.code = errc::rate_limited, .message = "m", .retry_after = 7s}, f.stages);
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "7");
    auto const streams = justifi::server::refusal_response(post(), f.stages.too_many_streams(), f.stages);
    BOOST_TEST(streams.result_int() == 429);
    BOOST_TEST(streams[http::field::retry_after] == "5");
    BOOST_TEST(contains(body_of(streams).at("error").at("message").as_string(), "at most 3 event streams"));
}

BOOST_AUTO_TEST_CASE(a_challenge_that_cannot_name_a_url_becomes_a_bad_request)
{
    fixture f;
    auto req = post();
    req.set(http::field::host, "bad host");
    auto const res =
        justifi::server::refusal_response(req, {.code = errc::invalid_token, .message = "expired"}, f.stages);
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST(res[http::field::content_type] == "text/plain");
    BOOST_TEST((res.find(http::field::www_authenticate) == res.end()));
}

BOOST_AUTO_TEST_CASE(messages_that_could_not_be_read_keep_json_rpcs_codes)
{
    fixture f;
    auto const decoded = mcp_stages::decode("[]");
    BOOST_REQUIRE(!decoded);
    auto const res = justifi::server::refusal_response(post(), decoded.error(), f.stages);
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST(body_of(res).at("error").at("code").as_int64() == -32600);
    BOOST_TEST(body_of(res).at("error").at("message").as_string().starts_with("Invalid Request:"));
}

BOOST_AUTO_TEST_SUITE_END()
