// A test-side JWT issuer: RSA-2048 and P-256 keys made with OpenSSL in the test, their
// public JWKs, and compact JWS tokens signed with them (RS256, ES256 as raw r||s).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace justifi::test {

class test_signing_key {
public:
    static test_signing_key rsa(std::string kid);  // RS256, 2048 bits
    static test_signing_key p256(std::string kid);  // ES256

    std::string const& kid() const { return kid_; }
    std::string const& alg() const { return alg_; }

    // The public key as a JWK with kid, alg and "use": "sig".
    boost::json::object jwk() const;

    // A token with the header {"alg", "typ": "JWT", "kid"}.
    std::string sign(boost::json::object const& payload) const;
    // A token with exactly this header (its alg is not looked at: any header can be signed).
    std::string sign(boost::json::object const& header, boost::json::object const& payload) const;
    // The base64url JWS signature over "header.payload".
    std::string signature(std::string_view signing_input) const;

private:
    test_signing_key(std::shared_ptr<EVP_PKEY> key, std::string kid, std::string alg);
    std::shared_ptr<EVP_PKEY> key_;
    std::string kid_;
    std::string alg_;
};

// {"keys": [...]} serialised.
std::string jwks_json(boost::json::array keys);

// base64url(JSON) of a header or payload, for hand-built tokens.
std::string encoded_part(boost::json::object const& part);

// Seconds since the epoch, as JWT NumericDates are.
std::int64_t numeric_date(std::chrono::system_clock::time_point t);

}  // namespace justifi::test
