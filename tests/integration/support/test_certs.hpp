// Self-signed certificates generated at test time with OpenSSL's APIs (no files, no openssl CLI).
#ifndef KONGFLOW_ENDPOINTS_TESTS_SUPPORT_TEST_CERTS_HPP
#define KONGFLOW_ENDPOINTS_TESTS_SUPPORT_TEST_CERTS_HPP

#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kongflow::test {

struct pem_pair {
    std::string cert; ///< PEM certificate
    std::string key;  ///< PEM private key
};

/// A self-signed P-256 certificate valid for a day, with `subject_alt_names` in OpenSSL's
/// syntax (e.g. "DNS:localhost,IP:127.0.0.1").
inline pem_pair make_self_signed_cert(const std::string& common_name, const std::string& subject_alt_names) {
    auto fail = [](const char* what) { throw std::runtime_error(std::string("test cert: ") + what); };
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) fail("EVP_EC_gen");
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
    if (!x) fail("X509_new");
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 24 * 3600);
    X509_set_pubkey(x.get(), key.get());
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(x.get(), name);

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
    auto add_ext = [&](int nid, const std::string& value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (!ext) fail("extension");
        X509_add_ext(x.get(), ext, -1);
        X509_EXTENSION_free(ext);
    };
    add_ext(NID_basic_constraints, "critical,CA:TRUE");
    add_ext(NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(NID_ext_key_usage, "serverAuth");
    add_ext(NID_subject_alt_name, subject_alt_names);
    if (!X509_sign(x.get(), key.get(), EVP_sha256())) fail("X509_sign");

    auto to_pem = [&](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        if (!write(bio.get())) fail("PEM");
        char* data = nullptr;
        long n = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(n));
    };
    pem_pair out;
    out.cert = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, x.get()); });
    out.key =
        to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    return out;
}

} // namespace kongflow::test

#endif
