#define BOOST_TEST_MODULE justifi_mcp_integration
#include <boost/test/unit_test.hpp>
