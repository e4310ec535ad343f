#include "daemon/net/tls_context.h"

#include <filesystem>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/ssl/context.hpp>

namespace bqb {

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const std::optional<std::string>& ca_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (!ec) ctx->set_default_verify_paths(ec);
  if (ec) {
    return fail(Errc::internal, fmt::format("cannot set up the TLS client: {}", ec.message()));
  }
  if (ca_file) {
    std::error_code fec;
    if (!std::filesystem::is_regular_file(*ca_file, fec)) {
      return fail(Errc::config_invalid,
                  fmt::format("[tls] ca_file '{}' is not a readable file", *ca_file),
                  "point [tls] ca_file at a PEM file with the extra root certificates");
    }
    ctx->load_verify_file(*ca_file, ec);
    if (ec) {
      return fail(Errc::config_invalid,
                  fmt::format("[tls] ca_file '{}' holds no usable PEM certificate: {}", *ca_file,
                              ec.message()),
                  "point [tls] ca_file at a PEM file with the extra root certificates");
    }
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

Status prepare_tls_connection(SSL* ssl, std::string_view host, bool host_is_ip) {
  std::string h(host);
  bool ok = host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), h.c_str()) == 1
                       : SSL_set_tlsext_host_name(ssl, h.c_str()) == 1 &&
                             SSL_set1_host(ssl, h.c_str()) == 1;
  if (!ok) {
    return fail(Errc::tls_error, fmt::format("cannot set up TLS for host '{}'", host));
  }
  return {};
}

Error tls_handshake_error(SSL* ssl, std::string_view host, std::string_view detail) {
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return Error{Errc::tls_error,
                 fmt::format("TLS certificate verification failed for {}: {}", host,
                             X509_verify_cert_error_string(verify)),
                 fmt::format("if {} uses a private or corporate CA, add that CA's certificate "
                             "(PEM) with `ca_file` in the [tls] section of the config",
                             host)};
  }
  return Error{Errc::tls_error, fmt::format("TLS handshake with {} failed: {}", host, detail), {}};
}

}  // namespace bqb
