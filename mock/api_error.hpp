// JustiFi's error envelope as a value. Domain code returns an `api_error` inside an
// `outcome`; the HTTP edge (mock/api) renders it once as {"error": {...}} with its status.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace justifi::mock {

namespace json = boost::json;

struct api_error {
    int status = 400;
    std::string code;
    std::string message;
    std::string param;   // the field or header at fault, when there is one
    json::object extra;  // decline_code, network_error_code ...: merged into the error object
};

// Lets result<T, api_error>::value() throw; a handler that does so has a bug.
[[noreturn]] void throw_exception_from_error(api_error const& e, boost::source_location const& loc);

template <class T>
using outcome = boost::system::result<T, api_error>;

api_error bad_request(std::string code, std::string message, std::string param = {});
api_error unprocessable(std::string code, std::string message, std::string param = {});
// 404 not_found naming what was looked for, e.g. not_found("payment", "py_123").
api_error not_found(std::string_view what, std::string_view id, std::string param = {});

json::object error_body(api_error const& e);

}  // namespace justifi::mock
