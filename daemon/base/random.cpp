#include "daemon/base/random.h"

#include <openssl/rand.h>

#include <climits>
#include <string>

#include "daemon/base/base64.h"

namespace bqb {

Result<Secret> random_token(std::size_t bytes) {
  if (bytes == 0 || bytes > INT_MAX) {
    return fail(Errc::internal, "random_token: byte count out of range");
  }
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return fail(Errc::internal, "the system's random number generator failed (OpenSSL RAND_bytes)");
  }
  return Secret(base64url_encode(raw));
}

}  // namespace bqb
