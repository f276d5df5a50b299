// Where a refusal becomes an HTTP answer: the one place that maps the domain's error codes to
// statuses, challenges (RFC 6750, RFC 9728) and Retry-After. The body is the refusal's
// JSON-RPC error, with the request's id when it was read.
#pragma once

#include "core/errors.hpp"
#include "server/mcp_stages.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

namespace justifi::server {

// The status a refusal is answered with.
http::status refusal_status(core::errc code);

// The whole answer. Challenges name the request's base URL; a request whose base URL cannot
// be derived is answered as such (400) instead.
http::response<http::string_body> refusal_response(request_message const& req, core::refusal const& refusal,
                                                   mcp_stages const& stages);

}  // namespace justifi::server
