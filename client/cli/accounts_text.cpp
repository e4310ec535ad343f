#include "client/cli/accounts_text.h"

#include <algorithm>
#include <array>
#include <vector>

#include "client/cli/status_text.h"

namespace bqb::cli {
namespace {

constexpr std::size_t kColumns = 5;
using Row = std::array<std::string, kColumns>;

Row row_of(const api::AccountInfo& a, bool is_default) {
  std::string state = a.state;
  if (a.reason && !a.reason->empty()) state += " (" + *a.reason + ")";
  std::string scopes;
  for (const auto& s : a.scopes) {
    if (!scopes.empty()) scopes += ",";
    scopes += short_scope(s);
  }
  return {is_default ? "*" : "", a.email, state, a.project_id.value_or("-"),
          scopes.empty() ? "-" : scopes};
}

}  // namespace

std::string render_accounts(const api::AccountsResponse& r) {
  if (r.accounts.empty())
    return "No accounts. Sign in with: bqbroker login --client-secrets FILE\n";
  std::vector<Row> rows{{"", "EMAIL", "STATE", "PROJECT", "SCOPES"}};
  for (const auto& a : r.accounts) {
    rows.push_back(row_of(a, a.is_default || (r.default_email && *r.default_email == a.email)));
  }
  std::array<std::size_t, kColumns> width{};
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < kColumns; ++i) {
      line += row[i];
      if (i + 1 < kColumns) line.append(width[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string render_signed_out(const api::LogoutResponse& r) {
  return "Signed out " + r.email + (r.revoked ? " (token revoked)" : "") + "\n";
}

}  // namespace bqb::cli
