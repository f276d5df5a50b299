#include "mock/api_error.hpp"

#include <stdexcept>

namespace justifi::mock {

void throw_exception_from_error(api_error const& e, boost::source_location const&)
{
    throw std::logic_error("unexpected API error " + e.code + ": " + e.message);
}

api_error bad_request(std::string code, std::string message, std::string param)
{
    return {400, std::move(code), std::move(message), std::move(param), {}};
}

api_error unprocessable(std::string code, std::string message, std::string param)
{
    return {422, std::move(code), std::move(message), std::move(param), {}};
}

api_error not_found(std::string_view what, std::string_view id, std::string param)
{
    return {404, "not_found",
            "No " + std::string(what) + " with id \"" + std::string(id) +
                "\" exists on this account (with a Sub-Account header, only that sub account's objects are visible)",
            std::move(param), {}};
}

json::object error_body(api_error const& e)
{
    json::object error;
    error["code"] = e.code;
    error["message"] = e.message;
    if (!e.param.empty()) error["param"] = e.param;
    for (auto const& [key, value] : e.extra) error[key] = value;
    json::object body;
    body["error"] = std::move(error);
    return body;
}

}  // namespace justifi::mock
