#include "mock/jwt_bearer.hpp"

#include "version.hpp"

namespace justifi::mock {
namespace {

auth::jwks_cache_settings cache_settings(mock_settings const& settings)
{
    auth::jwks_cache_settings out;
    out.source = settings.jwks_file.empty() ? auth::key_source{auth::key_source::kind::url, settings.jwks_url}
                                            : auth::key_source{auth::key_source::kind::file, settings.jwks_file};
    out.ca_file = settings.jwks_ca_file;
    out.refresh_interval = settings.jwks_refresh_interval;
    out.retry_interval = settings.jwks_refresh_interval;
    out.user_agent = std::string("justifi-mock/") + core::server_version;
    return out;
}

}  // namespace

jwt_bearer::jwt_bearer(asio::any_io_executor executor, mock_settings const& settings)
    : enabled_(!settings.jwks_file.empty() || !settings.jwks_url.empty()),
      rules_{settings.jwt_issuer, {settings.jwt_audience}},
      keys_(std::move(executor), cache_settings(settings))
{
}

}  // namespace justifi::mock
