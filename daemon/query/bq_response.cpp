#include "daemon/query/bq_response.h"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "daemon/base/foreign_text.h"

namespace bqb::bq {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxMessage = 2000;  // SQL errors quote the statement: keep enough of it

tl::unexpected<Error> bad(std::string_view field, std::string_view where,
                          std::string_view problem) {
  return fail(Errc::upstream_error, fmt::format("field '{}' in {} {}", field, where, problem));
}

std::optional<std::int64_t> to_int(const json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return n;
}

/// Reads an int64 field (string or number, as Google's JSON mapping allows) if present.
Result<std::optional<std::int64_t>> int_field(const json& j, std::string_view name,
                                              std::string_view where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::optional<std::int64_t>{};
  auto n = to_int(*it);
  if (!n) return bad(name, where, "is not an integer");
  return n;
}

Result<std::string> string_field(const json& j, std::string_view name, std::string_view where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return bad(name, where, "is not a string");
  return it->get<std::string>();
}

/// The fields of BigQuery's ErrorProto that classification reads.
struct ErrorProto {
  std::string reason;    // "invalidQuery", "backendError", …
  std::string message;   // sanitized (controls removed, token shapes redacted, length capped)
  std::string location;  // e.g. "query"; often empty
};

ErrorProto error_proto(const json& e) {
  ErrorProto out;
  if (!e.is_object()) return out;
  auto str = [&](const char* name) {
    auto it = e.find(name);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.reason = str("reason");
  out.message = sanitize_foreign_text(str("message"), kMaxMessage);
  out.location = str("location");
  return out;
}

struct ReasonRule {
  std::string_view reason;
  Errc code;
  RetryAction action;
};

constexpr std::array kReasons{
    ReasonRule{"invalidQuery", Errc::invalid_query, RetryAction::fail},
    ReasonRule{"invalid", Errc::bad_request, RetryAction::fail},
    ReasonRule{"accessDenied", Errc::access_denied, RetryAction::fail},
    ReasonRule{"insufficientPermissions", Errc::scope_not_granted, RetryAction::fail},
    ReasonRule{"ACCESS_TOKEN_SCOPE_INSUFFICIENT", Errc::scope_not_granted, RetryAction::fail},
    ReasonRule{"notFound", Errc::not_found, RetryAction::fail},
    ReasonRule{"duplicate", Errc::conflict, RetryAction::fail},
    ReasonRule{"quotaExceeded", Errc::quota_exceeded, RetryAction::fail},
    ReasonRule{"rateLimitExceeded", Errc::rate_limited, RetryAction::retry},
    ReasonRule{"jobRateLimitExceeded", Errc::rate_limited, RetryAction::retry},
    ReasonRule{"backendError", Errc::backend_error, RetryAction::retry},
    ReasonRule{"internalError", Errc::backend_error, RetryAction::retry},
    ReasonRule{"badGateway", Errc::backend_error, RetryAction::retry},
    ReasonRule{"jobBackendError", Errc::backend_error, RetryAction::retry},
    ReasonRule{"jobInternalError", Errc::backend_error, RetryAction::retry},
};

void apply_reason(BqError& e) {
  for (const auto& r : kReasons) {
    if (r.reason == e.reason) {
      e.code = r.code;
      e.action = r.action;
      return;
    }
  }
  e.code = Errc::upstream_error;
  e.action = RetryAction::fail;
}

bool known_reason(std::string_view reason) {
  for (const auto& r : kReasons) {
    if (r.reason == reason) return true;
  }
  return false;
}

void apply_status(BqError& e) {
  switch (e.http_status) {
    case 429:
      e.code = Errc::rate_limited;
      e.action = RetryAction::retry;
      return;
    case 408:
    case 500:
    case 502:
    case 503:
    case 504:
      e.code = Errc::backend_error;
      e.action = RetryAction::retry;
      return;
    case 404:
      e.code = Errc::not_found;
      return;
    default:
      e.code = Errc::upstream_error;
  }
}

void add_hint_and_position(BqError& e) {
  if (auto pos = sql_position(e.message)) {
    e.line = pos->first;
    e.column = pos->second;
  }
  switch (e.code) {
    case Errc::needs_login:
      e.hint = "run: bqbroker login";
      break;
    case Errc::scope_not_granted:
      e.hint = "the account's token lacks a BigQuery scope; run: bqbroker login --scope bigquery";
      break;
    case Errc::access_denied:
      e.hint =
          "the account needs BigQuery roles on the project (e.g. roles/bigquery.jobUser) and "
          "access to the data";
      break;
    case Errc::not_found:
      e.hint = "check the project, dataset and table names, and the location";
      break;
    case Errc::quota_exceeded:
      e.hint = "a BigQuery quota of the project is used up; wait or raise it";
      break;
    default:
      break;
  }
}

}  // namespace

std::optional<std::pair<int, int>> sql_position(std::string_view message) {
  // The last "[L:C]" in the message; BigQuery puts the position at the end.
  const std::size_t open = message.rfind('[');
  if (open == std::string_view::npos) return std::nullopt;
  const std::size_t colon = message.find(':', open);
  const std::size_t close = message.find(']', open);
  if (colon == std::string_view::npos || close == std::string_view::npos || colon > close) {
    return std::nullopt;
  }
  int line = 0;
  int column = 0;
  const char* b = message.data();
  auto [e1, ec1] = std::from_chars(b + open + 1, b + colon, line);
  auto [e2, ec2] = std::from_chars(b + colon + 1, b + close, column);
  if (ec1 != std::errc{} || e1 != b + colon || ec2 != std::errc{} || e2 != b + close || line < 1 ||
      column < 1) {
    return std::nullopt;
  }
  return std::pair{line, column};
}

Result<QueryPage> parse_query_page(std::string_view body, std::string_view where) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(Errc::upstream_error, fmt::format("{} is not a JSON object", where));
  }
  QueryPage p;
  if (auto it = j.find("jobComplete"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return bad("jobComplete", where, "is not a boolean");
    p.job_complete = it->get<bool>();
  }
  if (auto it = j.find("jobReference"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return bad("jobReference", where, "is not an object");
    JobReference ref;
    BQB_TRY(project, string_field(*it, "projectId", where));
    BQB_TRY(job, string_field(*it, "jobId", where));
    BQB_TRY(location, string_field(*it, "location", where));
    // A dry run answers a jobReference without jobId: there is no job then.
    if (!job.empty()) p.job = JobReference{std::move(project), std::move(job), location};
    if (p.location.empty()) p.location = std::move(location);
  }
  BQB_TRY(query_id, string_field(j, "queryId", where));
  BQB_TRY(location, string_field(j, "location", where));
  BQB_TRY(page_token, string_field(j, "pageToken", where));
  p.query_id = std::move(query_id);
  if (!location.empty()) p.location = std::move(location);
  p.page_token = std::move(page_token);
  if (auto it = j.find("schema"); it != j.end() && !it->is_null()) {
    BQB_TRY(schema, parse_schema(*it, where));
    p.schema = std::move(schema);
  }
  if (auto it = j.find("rows"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return bad("rows", where, "is not an array");
    if (!p.schema) return bad("schema", where, "is missing while rows are present");
    p.rows = std::move(*it);
  }
  BQB_TRY(total_rows, int_field(j, "totalRows", where));
  if (total_rows && *total_rows < 0) return bad("totalRows", where, "is negative");
  if (total_rows) p.total_rows = static_cast<std::uint64_t>(*total_rows);
  BQB_TRY(processed, int_field(j, "totalBytesProcessed", where));
  BQB_TRY(billed, int_field(j, "totalBytesBilled", where));
  BQB_TRY(dml, int_field(j, "numDmlAffectedRows", where));
  p.total_bytes_processed = processed;
  p.total_bytes_billed = billed;
  p.num_dml_affected_rows = dml;
  if (auto it = j.find("cacheHit"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return bad("cacheHit", where, "is not a boolean");
    p.cache_hit = it->get<bool>();
  }
  return p;
}

BqError classify_error(int http_status, std::string_view body) {
  BqError e;
  e.http_status = http_status;
  json j = json::parse(body, nullptr, false);
  const json* err = nullptr;
  if (!j.is_discarded() && j.is_object()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_object()) err = &*it;
  }
  if (err != nullptr) {
    if (auto m = err->find("message"); m != err->end() && m->is_string()) {
      e.message = sanitize_foreign_text(m->get<std::string>(), kMaxMessage);
    }
    if (auto s = err->find("status"); s != err->end() && s->is_string())
      e.status = s->get<std::string>();
    if (auto list = err->find("errors"); list != err->end() && list->is_array() && !list->empty()) {
      const ErrorProto first = error_proto(list->front());
      e.reason = first.reason;
      e.location = first.location;
      if (e.message.empty()) e.message = first.message;
    }
    // google.rpc.ErrorInfo in details names scope problems more precisely than errors[].
    if (auto details = err->find("details"); details != err->end() && details->is_array()) {
      for (const auto& d : *details) {
        if (!d.is_object()) continue;
        auto r = d.find("reason");
        if (r != d.end() && r->is_string() &&
            r->get<std::string>() == "ACCESS_TOKEN_SCOPE_INSUFFICIENT") {
          e.reason = "ACCESS_TOKEN_SCOPE_INSUFFICIENT";
        }
      }
    }
  } else {
    e.message = sanitize_foreign_text(body, 300);
  }
  if (http_status == 401) {
    e.code = Errc::needs_login;
    e.action = RetryAction::refresh;
  } else if (known_reason(e.reason)) {
    apply_reason(e);
  } else {
    apply_status(e);
  }
  add_hint_and_position(e);
  return e;
}

Error bq_error_to_error(const BqError& e, std::string_view where) {
  std::string message = fmt::format("{} answered HTTP {}", where, e.http_status);
  if (!e.reason.empty()) message += " (" + e.reason + ")";
  if (!e.message.empty()) message += ": " + e.message;
  return Error{e.code, std::move(message), e.hint};
}

}  // namespace bqb::bq
