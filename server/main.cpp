#include "server/app.hpp"

int main(int argc, char** argv)
{
    // The JustiFi catalog joins here with the JustiFi client (issue 3).
    return justifi::run(argc, argv, [](justifi::tools::tool_registry&) {});
}
