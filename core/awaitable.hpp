// The completion token of every await at an I/O edge: the error comes back as a value beside
// the result (as_tuple), never as an exception, so each caller decides what a failure means.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace justifi::core {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace justifi::core
