#include "tests/support/jwt_signer.hpp"

#include "core/encoding.hpp"

#include <boost/json/serialize.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace justifi::test {
namespace {

namespace json = boost::json;

std::shared_ptr<EVP_PKEY> owned(EVP_PKEY* key)
{
    if (!key) throw std::runtime_error("OpenSSL could not generate a test key");
    return {key, EVP_PKEY_free};
}

// A big-endian, unpadded (or padded to `width`) base64url number from a key parameter.
std::string bignum_param(EVP_PKEY const* key, char const* name, int width = 0)
{
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(std::string("no key parameter ") + name);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> guard(bn, BN_free);
    std::string bytes(static_cast<std::size_t>(width ? width : BN_num_bytes(bn)), '\0');
    auto* out = reinterpret_cast<unsigned char*>(bytes.data());
    if (width ? BN_bn2binpad(bn, out, width) != width : BN_bn2bin(bn, out) != static_cast<int>(bytes.size()))
        throw std::runtime_error("could not export a key parameter");
    return core::encoding::base64url_encode(bytes);
}

}  // namespace

test_signing_key::test_signing_key(std::shared_ptr<EVP_PKEY> key, std::string kid, std::string alg)
    : key_(std::move(key)), kid_(std::move(kid)), alg_(std::move(alg))
{
}

test_signing_key test_signing_key::rsa(std::string kid)
{
    return {owned(EVP_RSA_gen(2048)), std::move(kid), "RS256"};
}

test_signing_key test_signing_key::p256(std::string kid)
{
    return {owned(EVP_EC_gen("P-256")), std::move(kid), "ES256"};
}

json::object test_signing_key::jwk() const
{
    if (alg_ == "RS256")
        return {{"kty", "RSA"},
                {"use", "sig"},
                {"alg", alg_},
                {"kid", kid_},
                {"n", bignum_param(key_.get(), OSSL_PKEY_PARAM_RSA_N)},
                {"e", bignum_param(key_.get(), OSSL_PKEY_PARAM_RSA_E)}};
    return {{"kty", "EC"},
            {"use", "sig"},
            {"alg", alg_},
            {"kid", kid_},
            {"crv", "P-256"},
            {"x", bignum_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)},
            {"y", bignum_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
}

std::string test_signing_key::sign(json::object const& payload) const
{
    return sign({{"alg", alg_}, {"typ", "JWT"}, {"kid", kid_}}, payload);
}

std::string test_signing_key::sign(json::object const& header, json::object const& payload) const
{
    auto const input = encoded_part(header) + "." + encoded_part(payload);
    return input + "." + signature(input);
}

std::string test_signing_key::signature(std::string_view signing_input) const
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t length = 0;
    auto const* data = reinterpret_cast<unsigned char const*>(signing_input.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, data, signing_input.size()) != 1)
        throw std::runtime_error("OpenSSL could not start a signature");
    std::string der(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length, data, signing_input.size()) != 1)
        throw std::runtime_error("OpenSSL could not sign");
    der.resize(length);
    if (alg_ == "RS256") return core::encoding::base64url_encode(der);

    // ES256 in JWS is r||s, 32 bytes each, not DER.
    auto const* p = reinterpret_cast<unsigned char const*>(der.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())),
                                                              ECDSA_SIG_free);
    if (!sig) throw std::runtime_error("could not decode an ECDSA signature");
    std::string raw(64, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) != 32)
        throw std::runtime_error("could not encode an ECDSA signature");
    return core::encoding::base64url_encode(raw);
}

std::string jwks_json(json::array keys)
{
    return json::serialize(json::object{{"keys", std::move(keys)}});
}

std::string encoded_part(json::object const& part)
{
    return core::encoding::base64url_encode(json::serialize(part));
}

std::int64_t numeric_date(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace justifi::test
