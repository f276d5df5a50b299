// Precompiled: the heavy Boost headers every translation unit of the core pulls in.
#pragma once
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
