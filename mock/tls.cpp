#include "mock/tls.hpp"

#include "core/encoding.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace justifi::mock {
namespace {

namespace ssl = boost::asio::ssl;

constexpr long validity_seconds = 30L * 24 * 3600;
constexpr long clock_skew_seconds = 3600;  // notBefore in the past, for clients whose clock lags

struct openssl_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(BIO* p) const { BIO_free_all(p); }
};
template <class T>
using owned = std::unique_ptr<T, openssl_free>;

template <class T>
boost::system::result<T, std::string> failure(std::string message)
{
    return boost::system::result<T, std::string>(boost::system::in_place_error, std::move(message));
}

// `what`, with OpenSSL's reason when it queued one.
std::string openssl_error(std::string what)
{
    auto const code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return what;
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    return what + " (" + reason + ")";
}

struct extension {
    int nid;
    std::string value;  // openssl.cnf syntax, e.g. "critical,CA:TRUE"
};

// Signed by `issuer` with `issuer_key`, or self-signed when `issuer` is null.
owned<X509> make_certificate(EVP_PKEY* key, std::string const& common_name, X509* issuer, EVP_PKEY* issuer_key,
                             std::vector<extension> const& extensions)
{
    owned<X509> cert(X509_new());
    owned<BIGNUM> serial(BN_new());
    if (!cert || !serial) return nullptr;
    auto* const subject = X509_get_subject_name(cert.get());
    auto const* const cn = reinterpret_cast<unsigned char const*>(common_name.c_str());
    bool const filled = X509_set_version(cert.get(), X509_VERSION_3) &&
                        BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
                        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) &&
                        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -clock_skew_seconds) &&
                        X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds) &&
                        X509_set_pubkey(cert.get(), key) &&
                        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, -1, -1, 0) &&
                        X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
    if (!filled) return nullptr;
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto const& [nid, value] : extensions) {
        owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
        if (!ext || !X509_add_ext(cert.get(), ext.get(), -1)) return nullptr;
    }
    if (!X509_sign(cert.get(), issuer_key, EVP_sha256())) return nullptr;
    return cert;
}

template <class Write>
std::optional<std::string> to_pem(Write write)
{
    owned<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) return std::nullopt;
    char* data = nullptr;
    auto const size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

bool write_file(std::string const& path, std::string const& text, mode_t mode)
{
    int const fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return false;
    // fchmod: an existing file keeps its mode through O_CREAT, and a key must not stay readable.
    bool const written = ::fchmod(fd, mode) == 0 &&
                         ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    return ::close(fd) == 0 && written;
}

std::string subject_alt_names(std::vector<std::string> const& names)
{
    std::string out;
    for (auto const& name : names) {
        boost::system::error_code ec;
        boost::asio::ip::make_address(name, ec);
        out += (out.empty() ? "" : ",") + std::string(ec ? "DNS:" : "IP:") + name;
    }
    return out;
}

}  // namespace

boost::system::result<generated_certificate, std::string> generate_certificate(std::string const& dir,
                                                                               std::vector<std::string> const& names)
{
    using result_type = boost::system::result<generated_certificate, std::string>;
    if (names.empty()) return failure<generated_certificate>("the certificate needs at least one name");
    std::error_code dir_error;
    std::filesystem::create_directories(dir, dir_error);
    if (dir_error) return failure<generated_certificate>("cannot create the directory: " + dir_error.message());

    owned<EVP_PKEY> ca_key(EVP_EC_gen("P-256"));
    owned<EVP_PKEY> server_key(EVP_EC_gen("P-256"));
    if (!ca_key || !server_key) return failure<generated_certificate>(openssl_error("generating P-256 keys failed"));

    // A unique CA name per run, so several generated CAs in one trust store are told apart.
    auto const ca_name = "justifi-mock test CA " + core::encoding::hex_encode(core::encoding::random_bytes(4));
    auto const ca = make_certificate(ca_key.get(), ca_name, nullptr, ca_key.get(),
                                     {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                      {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                      {NID_subject_key_identifier, "hash"}});
    if (!ca) return failure<generated_certificate>(openssl_error("creating the CA certificate failed"));
    auto const server = make_certificate(server_key.get(), names.front(), ca.get(), ca_key.get(),
                                         {{NID_basic_constraints, "critical,CA:FALSE"},
                                          {NID_key_usage, "critical,digitalSignature"},
                                          {NID_ext_key_usage, "serverAuth"},
                                          {NID_subject_key_identifier, "hash"},
                                          {NID_authority_key_identifier, "keyid:always"},
                                          {NID_subject_alt_name, subject_alt_names(names)}});
    if (!server) return failure<generated_certificate>(openssl_error("creating the server certificate failed"));

    auto const ca_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca.get()); });
    auto const cert_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, server.get()); });
    auto const key_pem = to_pem([&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    if (!ca_pem || !cert_pem || !key_pem) return failure<generated_certificate>(openssl_error("encoding PEM failed"));

    auto const base = std::filesystem::path(dir);
    generated_certificate out{(base / "ca.pem").string(), (base / "cert.pem").string(), (base / "key.pem").string()};
    if (!write_file(out.key_file, *key_pem, 0600) || !write_file(out.cert_file, *cert_pem, 0644) ||
        !write_file(out.ca_file, *ca_pem, 0644))
        return failure<generated_certificate>("cannot write the PEM files: " + std::error_code(errno, std::generic_category()).message());
    return result_type(boost::system::in_place_value, std::move(out));
}

boost::system::result<std::shared_ptr<ssl::context>, std::string> make_server_context(std::string const& cert_file,
                                                                                      std::string const& key_file)
{
    using context_ptr = std::shared_ptr<ssl::context>;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    context->use_certificate_chain_file(cert_file, ec);
    if (ec) return failure<context_ptr>("cannot use the certificate chain " + cert_file + ": " + ec.message());
    context->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) return failure<context_ptr>("cannot use the private key " + key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1)
        return failure<context_ptr>(openssl_error(key_file + " is not the private key of " + cert_file));
    return boost::system::result<context_ptr, std::string>(boost::system::in_place_value, std::move(context));
}

}  // namespace justifi::mock
