#include "fakes/oauth/request_log.h"

#include <array>

#include "fakes/oauth/crypto.h"

namespace bqb::fakes {

std::string secret_fingerprint(std::string_view value) {
  return "sha256:" + sha256_hex(value).substr(0, 16);
}

nlohmann::json mask_form(const Params& form) {
  static constexpr std::array<std::string_view, 8> kSecretFields = {
      "client_secret", "code",         "code_verifier", "refresh_token",
      "token",         "access_token", "assertion",     "password"};
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : form) {
    bool secret = false;
    for (auto f : kSecretFields) secret = secret || key == f;
    out[key] = secret ? secret_fingerprint(value) : value;
  }
  return out;
}

void RequestLog::record_token(std::string grant_type, nlohmann::json masked_form, int status,
                              std::string error, bool faulted) {
  ++token_total_;
  ++by_grant_type_[grant_type.empty() ? "(none)" : grant_type];
  if (faulted) ++faulted_;
  if (token_log_.size() == kMaxLog) token_log_.erase(token_log_.begin());
  token_log_.push_back({{"grant_type", std::move(grant_type)},
                        {"form", std::move(masked_form)},
                        {"status", status},
                        {"error", std::move(error)},
                        {"faulted", faulted}});
}

void RequestLog::count(std::string_view endpoint) { ++by_endpoint_[std::string(endpoint)]; }

void RequestLog::record_authorize(const Params& params) {
  count("authorize");
  last_authorize_ = nlohmann::json::object();
  for (const auto& [k, v] : params) last_authorize_[k] = v;
}

nlohmann::json RequestLog::to_json() const {
  nlohmann::json by_grant = nlohmann::json::object();
  for (const auto& [k, n] : by_grant_type_) by_grant[k] = n;
  nlohmann::json requests = nlohmann::json::object();
  for (const auto& [k, n] : by_endpoint_) requests[k] = n;
  return {{"token_requests",
           {{"total", token_total_}, {"by_grant_type", by_grant}, {"faulted", faulted_}}},
          {"requests", requests},
          {"token_log", token_log_},
          {"last_token_request", token_log_.empty() ? nlohmann::json() : token_log_.back()},
          {"last_authorize_request", last_authorize_}};
}

void RequestLog::reset() { *this = RequestLog(); }

}  // namespace bqb::fakes
