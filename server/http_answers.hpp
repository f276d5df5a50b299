// Where a refusal becomes an HTTP answer: the one place that maps the domain's error codes to
// statuses, challenges (RFC 6750, RFC 9728) and Retry-After. The body is the refusal's
// JSON-RPC error, with the request's id when it was read.
#pragma once

#include "core/errors.hpp"
#include "server/mcp_stages.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>

namespace justifi::server {

// The status a refusal is answered with.
http::status refusal_status(core::errc code);

// How an error's body is written: the MCP endpoint's JSON-RPC error, or the direct tool
// endpoint's error object (error_object below).
enum class error_format { jsonrpc, error_object };

// The whole answer. Challenges name the request's base URL; a request whose base URL cannot
// be derived is answered as such (400) instead.
http::response<http::string_body> refusal_response(request_message const& req, core::refusal const& refusal,
                                                   mcp_stages const& stages, error_format format = error_format::jsonrpc);

// {"error":{"code":"<code>","message":"<message>",...extra}}: the direct tool endpoint's errors.
std::string error_object(std::string_view code, std::string_view message, boost::json::object extra = {});
// A code's name in such a body: "authentication_required", "rate_limited", ...
std::string_view error_name(core::errc code);

}  // namespace justifi::server
