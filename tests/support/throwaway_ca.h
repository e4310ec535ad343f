#pragma once
// A certificate authority made at test time (OpenSSL API, P-256 keys: milliseconds), to serve
// HTTPS that only a client trusting this CA accepts. Nothing touches the system trust store.

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace bqb::test {

class ThrowawayCa {
 public:
  struct Issued {
    std::string cert_pem;
    std::string key_pem;
  };

  ThrowawayCa()
      : key_(make_key()), cert_(make_cert(key_.get(), "bqbroker test CA", nullptr, nullptr, "")) {}

  /// @returns a server certificate for `subject_alt_names` ("DNS:localhost,IP:127.0.0.1").
  Issued issue(const std::string& subject_alt_names) const {
    Key key = make_key();
    Cert cert =
        make_cert(key.get(), "bqbroker test server", cert_.get(), key_.get(), subject_alt_names);
    return Issued{to_pem(cert.get()), to_pem(key.get())};
  }

  std::string cert_pem() const { return to_pem(cert_.get()); }

  /// Writes the CA certificate to a new file in `dir`. @returns its path.
  std::string write_cert_file(const std::string& dir) const {
    std::string path = dir + "/bqbroker-test-ca-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    std::string pem = cert_pem();
    FILE* f = ::fdopen(fd, "w");
    std::fwrite(pem.data(), 1, pem.size(), f);
    std::fclose(f);
    return path;
  }

 private:
  using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

  static void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
  }

  static Key make_key() {
    Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    check(key != nullptr, "EVP_EC_gen");
    return key;
  }

  static void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }

  // A CA certificate when `issuer` is null (self-signed), else a server certificate.
  static Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
                        const std::string& san) {
    static long serial = 1;
    Cert cert(X509_new(), &X509_free);
    X509* x = cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (issuer == nullptr) {
      add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
      add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
      add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
      add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
      add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
      add_ext(x, &ctx, NID_ext_key_usage, "serverAuth");
      add_ext(x, &ctx, NID_subject_alt_name, san);
    }
    check(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
  }

  static std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
  }
  static std::string to_pem(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    return bio_text(bio);
  }
  static std::string to_pem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    return bio_text(bio);
  }

  Key key_;
  Cert cert_;
};

}  // namespace bqb::test
