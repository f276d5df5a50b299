// HTTPS for the simulator: the server's TLS context from a PEM certificate chain and key, and
// a throwaway CA with a server certificate it signs, so a client can verify the simulator
// end to end by trusting the CA (JUSTIFI_CA_FILE) instead of turning verification off.
#pragma once

#include <boost/system/result.hpp>

#include <memory>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace justifi::mock {

struct generated_certificate {
    std::string ca_file;    // the CA to trust; its private key is never written
    std::string cert_file;  // the server certificate, signed by the CA
    std::string key_file;   // the server certificate's private key (mode 0600)
};

// Creates `dir` if needed and writes ca.pem, cert.pem and key.pem there (P-256 keys, valid
// 30 days); `names` are DNS names or IP addresses, the certificate's subjectAltName.
boost::system::result<generated_certificate, std::string> generate_certificate(std::string const& dir,
                                                                               std::vector<std::string> const& names);

// A TLS 1.2+ server context; the error says which file could not be used and why.
boost::system::result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_server_context(
    std::string const& cert_file, std::string const& key_file);

}  // namespace justifi::mock
