#pragma once
// The TLS client configuration of outbound connections: system roots plus `[tls] ca_file`, peer
// verification on, and per-connection host-name checking with an explanation of failures.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"

typedef struct ssl_st SSL;

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace bqb {

/// @returns a tls_client context that verifies peers against the system roots and, when given,
/// the PEM certificates in `ca_file` (added, not replacing); config_invalid naming the file when
/// it cannot be read or holds no certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const std::optional<std::string>& ca_file);

/// Prepares a not-yet-handshaken connection to `host`: SNI for host names (never for IP
/// literals, as RFC 6066 requires), and OpenSSL's own host-name or IP check against the
/// certificate, which, unlike a verify callback, records the precise reason of a mismatch.
/// @returns tls_error when OpenSSL refuses the name.
Status prepare_tls_connection(SSL* ssl, std::string_view host, bool host_is_ip);

/// @returns the tls_error for a failed handshake with `host`: the certificate verification
/// reason when there is one (with the hint about `[tls] ca_file`), else `detail`.
Error tls_handshake_error(SSL* ssl, std::string_view host, std::string_view detail);

}  // namespace bqb
