// The domain's own error codes. Mapped once, at the transport edge, to an HTTP
// status or a JSON-RPC error; inside the pipeline they travel as error_code values.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <type_traits>

namespace justifi::core {

enum class errc {
    session_missing = 1,
    session_malformed,
    session_forged,
    session_expired,
    unsupported_protocol_version,
    invalid_config,
    shutting_down,
    // HTTP framing and request bodies, answered by the HTTP server itself.
    missing_host,
    duplicate_host,
    unsupported_transfer_coding,
    transfer_coding_in_http10,
    request_body_too_large,
    request_bodies_over_budget,
    request_body_malformed,
    request_body_incomplete,
};

boost::system::error_category const& justifi_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), justifi_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace justifi::core

template <>
struct boost::system::is_error_code_enum<justifi::core::errc> : std::true_type {};
