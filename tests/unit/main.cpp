#define BOOST_TEST_MODULE justifi_mcp_unit
#include <boost/test/unit_test.hpp>
