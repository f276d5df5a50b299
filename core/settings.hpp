// What the server's and the simulator's option tables share: each setting has a flag and an
// environment variable, and loading ends either in settings or in something to print and exit.
#pragma once

#include "core/errors.hpp"
#include "core/log.hpp"

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace justifi::core {

// What main() should do instead of serving.
struct exit_now {
    int code;
    std::string text;  // to stdout for help/version (code 0), to stderr otherwise
};

// Each setting comes from its flag, else its environment variable, and is applied by its spec
// (`apply(value, target)` returns outcome<void>). The first invalid value ends it with an
// invalid_config refusal whose message is the one line to print (a secret's value is never echoed).
// `flag_value(name)` answers the flag.
template <class Spec, class Settings, class FlagLookup>
outcome<void> apply_settings(std::vector<Spec> const& specs, FlagLookup const& flag_value,
                                          Settings& target, std::string_view program)
{
    for (auto const& spec : specs) {
        std::string value;
        std::string source;
        if (auto flag = flag_value(spec.flag)) {
            value = std::move(*flag);
            source = std::string("--") + spec.flag;
        } else if (char const* env = std::getenv(spec.env); env && *env) {
            value = env;
            source = spec.env;
        } else {
            continue;
        }
        if (auto applied = spec.apply(value, target); !applied) {
            bool const secret = core::log::is_sensitive_field_name(spec.flag);
            return refuse(errc::invalid_config, std::string(program) + ": invalid " + source +
                                                    (secret ? "" : " \"" + value + "\"") + ": " + applied.error().message);
        }
    }
    return {};
}

}  // namespace justifi::core
