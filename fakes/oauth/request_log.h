#pragma once
// What tests observe about the requests the fake received: counters per endpoint and grant type,
// and the token requests' form fields with every secret replaced by a hash.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/oauth/params.h"

namespace bqb::fakes {

/// @returns "sha256:" + the first 16 hex digits of SHA-256(value): tests can compare it with the
/// hash of a value they know without the log holding the value.
std::string secret_fingerprint(std::string_view value);

/// @returns the form as a JSON object, with client_secret, code, code_verifier, refresh_token,
/// token, access_token, assertion and password replaced by their fingerprints.
nlohmann::json mask_form(const Params& form);

class RequestLog {
 public:
  /// Records one token request: `grant_type` as sent ("" when absent), the masked form, the
  /// status answered and the OAuth error ("" on success), and whether a fault answered it.
  void record_token(std::string grant_type, nlohmann::json masked_form, int status,
                    std::string error, bool faulted);
  /// Counts one request to another endpoint ("authorize", "revoke", "tokeninfo").
  void count(std::string_view endpoint);
  /// Records the parameters of the last authorization request (none of them is secret).
  void record_authorize(const Params& params);

  /// @returns {"token_requests": {"total", "by_grant_type": {…}, "faulted"}, "requests":
  /// {endpoint: n}, "token_log": [{grant_type, form, status, error, faulted}, …] (last 10000),
  /// "last_token_request": … or null, "last_authorize_request": … or null}.
  nlohmann::json to_json() const;
  void reset();

 private:
  static constexpr std::size_t kMaxLog = 10000;
  std::map<std::string, int, std::less<>> by_grant_type_;
  std::map<std::string, int, std::less<>> by_endpoint_;
  int token_total_ = 0;
  int faulted_ = 0;
  std::vector<nlohmann::json> token_log_;
  nlohmann::json last_authorize_;
};

}  // namespace bqb::fakes
