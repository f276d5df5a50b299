// The generic endpoint tool: validate the arguments, build the JustiFi call, make it, and
// turn the answer (or the failure) into a tool result that tells the model what to do next.
#include "tools/endpoint_tool.hpp"

#include "tools/schema.hpp"
#include "tools/schema_validator.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdint>
#include <variant>
#include <vector>

namespace justifi::tools {

namespace asio = boost::asio;

namespace {

namespace http = boost::beast::http;
using schema::sub_account_argument;

bool is_path_parameter(std::string_view path_template, std::string_view name)
{
    return path_template.find("{" + std::string(name) + "}") != std::string_view::npos;
}

std::string query_text(json::value const& v)
{
    switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::double_: {
        double const d = v.get_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15)
            return std::to_string(static_cast<std::int64_t>(d));
        return json::serialize(v);
    }
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::array: {
        // JustiFi's multi-value filters take comma separated values.
        std::string out;
        for (auto const& item : v.get_array()) {
            if (!out.empty()) out += ",";
            out += query_text(item);
        }
        return out;
    }
    default: return json::serialize(v);
    }
}

std::string string_member(json::object const& object, std::string_view name)
{
    auto const* v = object.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A success without a body (204): the text says what happened, structuredContent that it is done.
tool_result done_result(std::string_view text)
{
    auto r = tool_result::text(text);
    r.structured = json::object{{"status", "done"}};
    return r;
}

std::string_view status_hint(int status, std::string_view required_scope, std::string& scratch)
{
    switch (status) {
    case 400:
        return "Check the arguments against the tool's input schema; JustiFi also answers 400 when the Sub-Account is "
               "not enabled.";
    case 401:
        return "JustiFi rejected the credentials: check the bearer token (tokens last 24 hours) or the client id and "
               "secret.";
    case 402:
        return "The payment was declined: tell the user, and ask for another payment method unless the decline code "
               "says a retry may work.";
    case 403:
        scratch = "These credentials may not do this (or not for this Sub-Account)";
        if (!required_scope.empty()) scratch += "; this tool needs the " + std::string(required_scope) + " scope";
        scratch += ". Use credentials that have the permission, or another sub_account_id.";
        return scratch;
    case 404:
        return "Check the id, and the Sub-Account: the object may belong to another sub account (pass sub_account_id).";
    case 409:
        return "Idempotency conflict: the same request is still being processed. Wait a few seconds, then check its "
               "outcome or retry.";
    case 422: return "Fix the fields named in the message and call again.";
    case 429: return "Too many requests: slow down and retry after a short wait.";
    default: break;
    }
    if (status >= 500)
        return "JustiFi had a problem; retry later. For a payment, refund or other change, first check with a list or "
               "retrieve tool whether it went through.";
    return "Check the request and try again.";
}


json::object const* envelope_data(json::value const& body)
{
    auto const* envelope = body.if_object();
    auto const* data = envelope ? envelope->if_contains("data") : nullptr;
    return data ? data->if_object() : nullptr;
}

// What stands between a money-moving call and JustiFi: nothing (go ahead, with the key to
// use), or the answer to give instead (the question, a decline, or why it cannot go ahead).
struct confirmation_gate {
    std::optional<tool_result> instead;
    std::string idempotency_key;
};

tool_result declined(endpoint_tool const& tool, std::string_view question, confirmation_answer answer)
{
    tool_result r;
    r.content.push_back(json::object{{"type", "text"}, {"text", declined_text(question, answer)}});
    r.structured = declined_content(tool.name, question, answer);
    return r;
}

tool_result cannot_confirm(endpoint_tool const& tool, bool modern)
{
    auto r = tool_result::error(
        tool.name + " moves money, and this server moves money only when a person confirms it "
                    "(JUSTIFI_CONFIRM_WRITES=required). " +
        (modern ? std::string("This client did not declare the elicitation capability (form mode), so nobody can be "
                              "asked. Use a client that can show the person a confirmation form.")
                : std::string("This connection cannot ask the person: use a 2026-07-28 client that declares "
                              "elicitation, or a client that declares it over stdio.")) +
        " Nothing was sent to JustiFi.");
    r.failure = core::errc::missing_client_capability;
    r.required_capabilities = json::object{{"elicitation", json::object{}}};
    return r;
}

// Reads what the question needs, with the caller's own credentials, and words it; or the
// answer to give instead (JustiFi failing, or refusing what the call would do).
asio::awaitable<std::variant<std::string, tool_result>> ask_what(endpoint_tool const& tool, confirmation_spec const& spec,
                                                                 client::justifi_client& client,
                                                                 json::object const& arguments,
                                                                 std::string const& sub_account, tool_context& ctx)
{
    std::vector<json::object> read;
    for (;;) {
        auto next = spec.next_read(arguments, read);
        if (!next) co_return tool_result::refused(next.error());
        if (!*next) break;
        if (read.size() == max_confirmation_reads)
            co_return tool_result::error("Internal error: " + tool.name + "'s confirmation needs too many reads");
        client::call_request get;
        get.path = std::move(**next);
        get.sub_account = sub_account;
        if (auto const* trace = ctx.trace()) get.trace = *trace;
        auto answer = co_await client.call(std::move(get), ctx.auth());
        if (!answer) co_return result_from_failure(answer.error(), false);
        bool const success = answer->status >= 200 && answer->status < 300;
        if (!success) co_return result_from_upstream(answer->status, std::move(answer->body), tool.scope);
        auto const* data = envelope_data(answer->body);
        if (!data)
            co_return tool_result::error("JustiFi's answer to the read before the confirmation had no object in "
                                         "data; nothing was changed.");
        read.push_back(*data);
    }
    auto question = spec.question(arguments, read);
    if (!question) co_return tool_result::refused(question.error());
    co_return std::move(*question);
}

asio::awaitable<confirmation_gate> confirm_write(endpoint_tool const& tool, confirmation_spec const& spec,
                                                 client::justifi_client& client, json::object const& arguments,
                                                 std::string const& sub_account, tool_context& ctx, confirm_policy policy)
{
    // A 2026-07-28 request asks through its result (multi round-trip); a legacy one, where
    // the transport allows it, inside the call.
    bool const modern = ctx.may_ask_for_input();
    bool const can_ask = modern ? ctx.client_declares({"elicitation", "form"}) : ctx.can_elicit_in_call();
    if (!can_ask) {
        if (policy == confirm_policy::required) co_return confirmation_gate{cannot_confirm(tool, modern), {}};
        co_return confirmation_gate{};
    }
    if (auto const state = ctx.request_state(); modern && state) {
        auto const question = question_of_state(*state);
        if (!question)
            co_return confirmation_gate{tool_result::error("requestState does not continue a confirmation of " + tool.name +
                                                           "; call the tool again without it"),
                                        {}};
        auto const* responses = ctx.input_responses();
        auto const* answer = responses ? responses->if_contains(confirmation_input_key) : nullptr;
        switch (read_confirmation(answer)) {
        case confirmation_answer::confirmed:
            co_return confirmation_gate{std::nullopt, confirmed_idempotency_key(ctx.request_state_nonce())};
        case confirmation_answer::declined: co_return confirmation_gate{declined(tool, *question, confirmation_answer::declined), {}};
        case confirmation_answer::cancelled: co_return confirmation_gate{declined(tool, *question, confirmation_answer::cancelled), {}};
        case confirmation_answer::unanswered: break;  // asked again, with JustiFi's facts read afresh
        }
    }
    auto asked_or_not = co_await ask_what(tool, spec, client, arguments, sub_account, ctx);
    if (auto* instead = std::get_if<tool_result>(&asked_or_not)) co_return confirmation_gate{std::move(*instead), {}};
    auto const question = std::get<std::string>(std::move(asked_or_not));
    auto form = confirmation_form(question, spec.verb);
    if (modern) {
        json::object asked{{"method", "elicitation/create"}, {"params", std::move(form)}};
        co_return confirmation_gate{
            tool_result::needs_input(json::object{{confirmation_input_key, std::move(asked)}}, confirmation_state(question)),
            {}};
    }
    auto answer = co_await ctx.elicit_in_call(std::move(form));
    if (!answer)
        co_return confirmation_gate{
            tool_result::error("Could not ask the person to confirm: " + answer.error().message + ". Nothing was sent to JustiFi."),
            {}};
    json::value const result = std::move(*answer);
    switch (read_confirmation(&result)) {
    case confirmation_answer::confirmed: co_return confirmation_gate{};
    case confirmation_answer::declined: co_return confirmation_gate{declined(tool, question, confirmation_answer::declined), {}};
    case confirmation_answer::cancelled: co_return confirmation_gate{declined(tool, question, confirmation_answer::cancelled), {}};
    case confirmation_answer::unanswered: break;
    }
    co_return confirmation_gate{tool_result::error("The client's answer to the confirmation was neither yes nor no, so "
                                                   "nothing was sent to JustiFi."),
                                {}};
}

}  // namespace

tool_result result_from_upstream(int status, json::value body, std::string_view required_scope)
{
    if (status >= 200 && status < 300) {
        if (body.is_null())
            return done_result("JustiFi accepted the request (HTTP " + std::to_string(status) + ", no content).");
        // structuredContent must be an object.
        if (body.is_object()) return tool_result::structured_json(std::move(body));
        json::object wrapped;
        wrapped["data"] = std::move(body);
        return tool_result::structured_json(std::move(wrapped));
    }
    if (status < 400) {
        auto result = tool_result::error("JustiFi answered with the unexpected HTTP status " + std::to_string(status) +
                                         ". Check that JUSTIFI_BASE_URL points at the JustiFi API.");
        result.upstream = tool_result::upstream_error{status, {}, "unexpected HTTP status"};
        return result;
    }

    std::string code, message, decline_code, param;
    if (auto const* object = body.if_object()) {
        auto const* error = object->if_contains("error");
        if (error && error->is_string()) {
            message = error->get_string();
        } else if (error && error->is_object()) {
            code = string_member(error->get_object(), "code");
            message = string_member(error->get_object(), "message");
            decline_code = string_member(error->get_object(), "decline_code");
            param = string_member(error->get_object(), "param");
        } else {
            message = string_member(*object, "message");
        }
    } else if (body.is_string()) {
        message = body.get_string();
    }

    std::string text = "JustiFi error (HTTP " + std::to_string(status);
    if (!code.empty()) text += ", code " + code;
    if (!decline_code.empty()) text += ", decline code " + decline_code;
    if (!param.empty()) text += ", field " + param;
    text += ")";
    if (message.empty()) {
        text += " with no message.";
    } else {
        text += ": " + message;
        if (!message.ends_with('.')) text += ".";
    }
    std::string scratch;
    text += " ";
    text += status_hint(status, required_scope, scratch);
    auto result = tool_result::error(text);
    if (status == 401) result.failure = core::errc::credentials_rejected;
    result.upstream = tool_result::upstream_error{status, std::move(code), std::move(message)};
    return result;
}

tool_result result_from_failure(boost::system::error_code const& failure, bool may_have_run)
{
    using client::client_error;
    // JustiFi was reached when it refused to issue a token: say so, not "could not reach".
    bool const exchange = failure == client_error::exchange_refused || failure == client_error::exchange_scope_refused ||
                          failure == client_error::exchange_unavailable;
    std::string text = failure == client_error::credentials_refused      ? "JustiFi rejected the credentials: "
                       : failure == client_error::token_request_failed   ? "JustiFi did not issue a token: "
                       : failure == client_error::token_budget_exhausted ? "Server busy: "
                       : exchange                                        ? "JustiFi was not called: "
                                                                         : "Could not reach JustiFi: ";
    text += failure.message() + ". ";
    if (failure == client_error::no_credentials)
        text +=
            "Connect with a JustiFi bearer token (Authorization header) or client credentials (X-Client-Id and "
            "X-Client-Secret headers), or start the server with JUSTIFI_CLIENT_ID and JUSTIFI_CLIENT_SECRET.";
    else if (failure == client_error::invalid_header_value)
        text += "Remove control characters from sub_account_id and the credentials.";
    else if (failure == client_error::credentials_refused)
        text += "Check the client id and secret (test_ or live_ keys) and try again.";
    else if (failure == client_error::token_budget_exhausted)
        text += "Nothing was sent to JustiFi; call the tool again in a second.";
    else if (failure == client_error::exchange_refused || failure == client_error::exchange_scope_refused)
        text += "Sign in again (granting the scopes the tool needs), then call the tool again.";
    else if (failure == client_error::exchange_unavailable)
        text += "Nothing was sent to JustiFi; call the tool again in a moment.";
    else if (failure == client_error::tls_failed)
        text += "Check JUSTIFI_CA_FILE or the system certificate store, then try again.";
    else if (may_have_run && (failure == client_error::timed_out || failure == client_error::connection_lost ||
                              failure == client_error::bad_response))
        text += "The request may still have taken effect: check with a list or retrieve tool before calling again.";
    else
        text += "Check JUSTIFI_BASE_URL and the network, then try again in a moment.";
    auto result = tool_result::error(text);
    result.failure = failure;  // a client_error: the direct tool endpoint answers it as JustiFi failing
    return result;
}

core::outcome<client::call_request> prepare_call(endpoint_tool const& tool, json::object const& arguments,
                                                auth::auth_context const& auth)
{
    if (auto checked = validate_arguments(arguments, tool.input_schema); !checked)
        return core::refuse(core::errc::invalid_arguments,
                            "Invalid arguments for " + tool.name + ": " + checked.error().message + ".");
    auto path = client::build_path(tool.path_template, arguments);
    if (!path) return path.error();

    client::call_request request;
    request.method = tool.method;
    request.path = std::move(*path);
    // A tool about a sub account names it in the path; the OpenAPI gives those endpoints no
    // Sub-Account header, so neither the argument nor the connection's default is sent.
    if (!is_path_parameter(tool.path_template, sub_account_argument)) {
        request.sub_account = auth.sub_account;
        if (auto const* s = arguments.if_contains(sub_account_argument); s && s->is_string())
            request.sub_account = s->get_string();
    }
    if (!client::is_safe_header_value(request.sub_account))
        return core::refuse(core::errc::bad_sub_account,
                            "The Sub-Account contains control characters; pass a plain sub_account_id (acc_...).");
    if (tool.needs_sub_account && request.sub_account.empty())
        return core::refuse(core::errc::invalid_arguments,
                            tool.name +
                                " needs a Sub-Account: pass sub_account_id (acc_..., see list_sub_accounts) or "
                                "connect with a Sub-Account header.");

    json::object fields;
    for (auto const& [name, value] : arguments)
        if (name != sub_account_argument && !is_path_parameter(tool.path_template, name)) fields[name] = value;
    // Defaults are sent, not assumed: get_recent_payouts relies on its limit of 5.
    if (auto const* properties = tool.input_schema.if_contains("properties"); properties && properties->is_object())
        for (auto const& [name, property] : properties->get_object())
            if (auto const* fallback = property.is_object() ? property.get_object().if_contains("default") : nullptr;
                fallback && !arguments.contains(name) && name != sub_account_argument)
                fields[name] = *fallback;

    if (tool.method == http::verb::get) {
        for (auto const& [name, value] : fields) request.query.emplace_back(std::string(name), query_text(value));
    } else if (!fields.empty()) {
        request.body = json::value(std::move(fields));
    }
    return request;
}

asio::awaitable<tool_result> run_endpoint_tool(endpoint_tool const& tool, client::justifi_client& client,
                                               json::object const& arguments, tool_context& ctx, confirm_policy policy)
{
    auto request = prepare_call(tool, arguments, ctx.auth());
    if (!request) co_return tool_result::refused(request.error());
    if (tool.confirmation && policy != confirm_policy::off) {
        auto gate = co_await confirm_write(tool, *tool.confirmation, client, arguments, request->sub_account, ctx, policy);
        if (gate.instead) co_return std::move(*gate.instead);
        request->idempotency_key = std::move(gate.idempotency_key);
    }
    // An answer the tool does not reshape is passed on as JustiFi wrote it.
    request->object_as_text = !tool.shape;
    if (auto const* trace = ctx.trace()) request->trace = *trace;
    auto answer = co_await client.call(std::move(*request), ctx.auth());
    if (!answer) co_return result_from_failure(answer.error(), tool.method != http::verb::get);
    if (!answer->body_text.empty()) co_return tool_result::structured_json_text(std::move(answer->body_text));
    bool const success = answer->status >= 200 && answer->status < 300;
    if (success && answer->body.is_null() && !tool.done_text.empty()) co_return done_result(tool.done_text);
    if (success && tool.shape) {
        auto shaped = tool.shape(answer->body, arguments);
        co_return result_from_upstream(answer->status, std::move(shaped), tool.scope);
    }
    co_return result_from_upstream(answer->status, std::move(answer->body), tool.scope);
}

tool_definition describe(endpoint_tool const& tool)
{
    // The model should know that the person is asked, and what a decline looks like.
    constexpr std::string_view asks_note =
        " When the client supports elicitation, the server itself asks the person to confirm, showing what JustiFi "
        "says about the payment; if they decline, nothing is sent and the result is {confirmed: false, answer}.";
    return {.name = tool.name,
            .title = tool.title,
            .description = tool.confirmation ? tool.description + std::string(asks_note) : tool.description,
            .input_schema = tool.input_schema,
            // A person may decline: the answer then says so instead of JustiFi's object.
            .output_schema = tool.confirmation
                                 ? schema::object_any_of({json::parse(tool.output_schema_text).as_object(), declined_schema()})
                                 : json::parse(tool.output_schema_text).as_object(),
            .annotations = tool.annotations,
            .required_scope = tool.scope,
            .confirmation_scopes = tool.confirmation ? split_scopes(tool.confirmation->read_scopes)
                                                     : std::vector<std::string>{},
            .asks_confirmation = tool.confirmation != nullptr};
}

}  // namespace justifi::tools
