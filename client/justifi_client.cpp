#include "client/justifi_client.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace justifi::client {
namespace {

struct client_category final : boost::system::error_category {
    char const* name() const noexcept override { return "justifi-client"; }
    std::string message(int ev) const override
    {
        switch (static_cast<client_error>(ev)) {
        case client_error::no_credentials: return "no JustiFi credentials for this call (a bearer token or client credentials)";
        case client_error::invalid_header_value: return "a header value contains a control character";
        case client_error::connect_failed: return "could not connect to the JustiFi API";
        case client_error::tls_failed: return "TLS handshake with the JustiFi API failed (certificate not trusted?)";
        case client_error::timed_out: return "the JustiFi API did not answer before the deadline";
        case client_error::connection_lost: return "the connection to the JustiFi API was lost";
        case client_error::bad_response: return "the JustiFi API answered with something that is not JSON";
        case client_error::token_request_failed: return "JustiFi did not issue an access token for these client credentials";
        }
        return "unknown JustiFi client error";
    }
};

using text_result = boost::system::result<std::string, std::string>;

text_result failure(std::string message) { return text_result(boost::system::in_place_error, std::move(message)); }
text_result success(std::string value) { return text_result(boost::system::in_place_value, std::move(value)); }

bool is_loopback_host(std::string_view host)
{
    return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

}  // namespace

boost::system::error_code make_error_code(client_error e) noexcept
{
    static client_category const category;
    return {static_cast<int>(e), category};
}

bool is_safe_header_value(std::string_view value)
{
    return std::none_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

boost::system::result<std::string, std::string> normalise_base_url(std::string_view text)
{
    auto const url = boost::urls::parse_absolute_uri(text);
    if (!url) return failure("JUSTIFI_BASE_URL must be an absolute URL such as https://api.justifi.ai");
    std::string scheme(url->scheme());
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string host(url->encoded_host());
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
    if (host.empty()) return failure("JUSTIFI_BASE_URL must name a host");
    std::string path(url->encoded_path());
    if (!path.empty() && path.front() != '/') return failure("JUSTIFI_BASE_URL has a host this parser cannot read");
    if (url->has_query() || url->has_fragment() || url->has_userinfo())
        return failure("JUSTIFI_BASE_URL must not carry user info, a query or a fragment");
    if (scheme == "http") {
        if (!is_loopback_host(host))
            return failure("JUSTIFI_BASE_URL may use plain http:// only for a loopback host (the simulator); use https://");
    } else if (scheme != "https") {
        return failure("JUSTIFI_BASE_URL must be an https:// URL");
    }
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.ends_with("/v1")) path.resize(path.size() - 3);
    while (!path.empty() && path.back() == '/') path.pop_back();
    return success(scheme + "://" + std::string(url->encoded_host_and_port()) + path);
}

boost::system::result<std::string, std::string> build_path(std::string_view path_template, json::object const& arguments)
{
    std::string out;
    for (std::size_t i = 0; i < path_template.size();) {
        auto const open = path_template.find('{', i);
        if (open == std::string_view::npos) {
            out.append(path_template.substr(i));
            break;
        }
        out.append(path_template.substr(i, open - i));
        auto const close = path_template.find('}', open);
        auto const name = path_template.substr(open + 1, close - open - 1);
        auto const* value = arguments.if_contains(name);
        if (!value || !value->is_string())
            return failure("argument \"" + std::string(name) + "\" is required (a JustiFi id string)");
        auto const& id = value->as_string();
        bool const valid = !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '_' || c == '-';
        });
        if (!valid)
            return failure("argument \"" + std::string(name) +
                           "\" must be a JustiFi id: 1-128 letters, digits, '_' or '-' (got a value with other characters)");
        out.append(id.data(), id.size());  // only unreserved characters: nothing to percent-encode
        i = close + 1;
    }
    return success(std::move(out));
}

}  // namespace justifi::client
