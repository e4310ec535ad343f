#include "fakes/bigquery/fake_bigquery.h"

#include <algorithm>

#include "fakes/bigquery/paging.h"
#include "fakes/bigquery/query_config.h"
#include "fakes/bigquery/wire.h"
#include "fakes/oauth/params.h"

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

constexpr std::string_view kApi = "/bigquery/v2/";
constexpr std::string_view kControl = "/_fake/bigquery/";
constexpr std::int64_t kDefaultTimeoutMs = 10000;  // Google's default for jobs.query

const ScopeList kReadScopes = {"https://www.googleapis.com/auth/bigquery",
                               "https://www.googleapis.com/auth/cloud-platform",
                               "https://www.googleapis.com/auth/bigquery.readonly",
                               "https://www.googleapis.com/auth/cloud-platform.read-only"};
const ScopeList kWriteScopes = {"https://www.googleapis.com/auth/bigquery",
                                "https://www.googleapis.com/auth/cloud-platform"};

FakeResponse api_error(int status, std::string reason, std::string message,
                       std::string location = {}) {
  return error_response(
      ScriptedError{status, std::move(reason), std::move(message), std::move(location)});
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

json job_reference(const Job& job) {
  return {{"projectId", job.project}, {"jobId", job.job_id}, {"location", job.location}};
}

/// @returns the REST call `path` names, or nullopt when it names none:
/// /bigquery/v2/projects/{p}/queries[/{job}], /bigquery/v2/projects/{p}/jobs[/{job}[/cancel]] or
/// /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}[/data].
std::optional<FakeBigQuery::Route> route_of(const std::string& path) {
  using Op = FakeBigQuery::Op;
  if (!path.starts_with(kApi)) return std::nullopt;
  const std::vector<std::string> parts = split_path(std::string_view(path).substr(kApi.size()));
  const bool shaped = parts.size() >= 3 && parts[0] == "projects" && !parts[1].empty();
  if (!shaped) return std::nullopt;
  Op op = Op::none;
  if (parts.size() == 3 && parts[2] == "queries") op = Op::query;
  if (parts.size() == 3 && parts[2] == "jobs") op = Op::insert;
  if (parts.size() == 4 && parts[2] == "queries" && !parts[3].empty()) op = Op::results;
  if (parts.size() == 4 && parts[2] == "jobs" && !parts[3].empty()) op = Op::get;
  if (parts.size() == 5 && parts[2] == "jobs" && parts[4] == "cancel") op = Op::cancel;
  const bool table = parts.size() >= 6 && parts[2] == "datasets" && !parts[3].empty() &&
                     parts[4] == "tables" && !parts[5].empty();
  if (table && parts.size() == 6) op = Op::table_get;
  if (table && parts.size() == 7 && parts[6] == "data") op = Op::table_data;
  if (op == Op::none) return std::nullopt;
  if (table) return FakeBigQuery::Route{op, parts[1], {}, TableName{parts[3], parts[5]}};
  return FakeBigQuery::Route{op, parts[1], parts.size() >= 4 ? parts[3] : std::string(), {}};
}

/// @returns jobs.query's body checked as Google checks it (JSON, a query, the fields'
/// types), or the 4xx refusing it. Copies what the tests look at into the query log's `entry`.
tl::expected<json, FakeResponse> parse_query_body(const FakeRequest& req, json& entry) {
  if (req.content_type.find("application/json") == std::string::npos) {
    return tl::unexpected(api_error(400, "invalid", "Content-Type must be application/json"));
  }
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return tl::unexpected(api_error(400, "parseError", "Invalid JSON payload received."));
  }
  for (const char* k :
       {"query", "requestId", "jobCreationMode", "useLegacySql", "parameterMode", "queryParameters",
        "formatOptions", "maxResults", "timeoutMs", "dryRun", "location", "labels",
        "maximumBytesBilled", "defaultDataset", "useQueryCache"}) {
    if (body.contains(k)) entry[k] = body[k];
  }
  auto q = body.find("query");
  if (q == body.end() || !q->is_string() || q->get_ref<const std::string&>().empty()) {
    return tl::unexpected(api_error(400, "required", "Required parameter is missing: query"));
  }
  if (auto bad = check_query_fields(body)) return tl::unexpected(error_response(*bad));
  return body;
}

/// @returns jobs.query's dry-run answer: the schema and bytes, no job, no rows.
FakeResponse dry_run_query(const std::string& project, const std::string& location,
                           const ScriptedResult& script) {
  if (script.error) return error_response(*script.error);
  return json_response(200, {{"kind", "bigquery#queryResponse"},
                             {"schema", script.schema},
                             {"jobReference", {{"projectId", project}, {"location", location}}},
                             {"totalBytesProcessed", std::to_string(script.total_bytes_processed)},
                             {"jobComplete", true},
                             {"cacheHit", false}});
}

ScriptedError cancelled_error() {
  return {400, "stopped", "Job execution was cancelled: User requested cancellation", {}};
}

}  // namespace

FakeBigQuery::FakeBigQuery(TokenScopes token_scopes)
    : token_scopes_(std::move(token_scopes)), stats_(initial_stats()) {}

json FakeBigQuery::initial_stats() {
  return {{"requests",
           {{"query", 0},
            {"insert", 0},
            {"get_query_results", 0},
            {"get_job", 0},
            {"cancel", 0},
            {"tables_get", 0},
            {"tabledata_list", 0},
            {"unauthenticated", 0},
            {"insufficient_scope", 0}}},
          {"query_log", json::array()},
          {"results_log", json::array()},
          {"table_log", json::array()},
          {"cancelled", json::array()}};
}

bool FakeBigQuery::serves(std::string_view path) {
  return path.starts_with(kApi) || path.starts_with(kControl) || path == "/_fake/bigquery";
}

FakeResponse FakeBigQuery::handle(const FakeRequest& req, Clock::time_point now) {
  cut_answer_ = false;
  FakeResponse r = dispatch(req, now);
  if (cut_answer_) r.cut_mid_body = true;
  return r;
}

FakeResponse FakeBigQuery::dispatch(const FakeRequest& req, Clock::time_point now) {
  auto target = split_target(req.target);
  if (!target) return api_error(400, "invalid", target.error().description);
  const std::string& path = target->path;
  if (path.starts_with(kControl)) return control(req, path);
  const std::optional<Route> route = route_of(path);
  if (!route) return api_error(404, "notFound", "No such endpoint " + path);
  const bool post = route->op == Op::query || route->op == Op::insert || route->op == Op::cancel;
  const std::string_view want = post ? "POST" : "GET";
  if (req.method != want) {
    return api_error(
        405, "httpMethodNotAllowed",
        req.method + " is not allowed on " + path + " (use " + std::string(want) + ")");
  }
  // jobs.insert and jobs.cancel are not in the read-only scopes' methods (discovery document).
  const bool writes = route->op == Op::cancel || route->op == Op::insert;
  if (auto refused = refuse_unauthorized(req, writes, now)) return *refused;

  if (route->op == Op::query || route->op == Op::insert) {
    count(route->op == Op::query ? "query" : "insert");
    FakeResponse r =
        route->op == Op::query ? query(req, route->project) : insert_job(req, route->project);
    stats_["query_log"].back()["status"] = r.status;
    return r;
  }
  if (route->op == Op::table_get || route->op == Op::table_data) {
    return table_call(*route, target->query);
  }
  return job_call(*route, target->query);
}

std::optional<FakeResponse> FakeBigQuery::refuse_unauthorized(const FakeRequest& req, bool writes,
                                                              Clock::time_point now) {
  // Authorization: Bearer <live token of the fake OAuth server> with a BigQuery scope.
  const std::string_view auth = header_value(req, "authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.empty()) {
    count("unauthenticated");
    return api_error(401, "required",
                     "Request is missing required authentication credential. Expected OAuth 2 "
                     "access token, login cookie or other valid authentication credential.",
                     "Authorization");
  }
  const auto scopes = auth.size() > kBearer.size() && auth.substr(0, kBearer.size()) == kBearer
                          ? token_scopes_(auth.substr(kBearer.size()), now)
                          : std::nullopt;
  if (!scopes) {
    count("unauthenticated");
    return api_error(401, "authError",
                     "Request had invalid authentication credentials. Expected OAuth 2 access "
                     "token, login cookie or other valid authentication credential.",
                     "Authorization");
  }
  const ScopeList& allowed = writes ? kWriteScopes : kReadScopes;
  const bool scoped = std::any_of(allowed.begin(), allowed.end(),
                                  [&](const std::string& s) { return has_scope(*scopes, s); });
  if (!scoped) {
    count("insufficient_scope");
    return api_error(403, "insufficientPermissions",
                     "Request had insufficient authentication scopes.");
  }
  return std::nullopt;
}

FakeResponse FakeBigQuery::job_call(const Route& route, const std::string& query_string) {
  const std::string& project = route.project;
  auto it = jobs_.find(project + ":" + route.job_id);
  count(route.op == Op::results ? "get_query_results" : route.op == Op::get ? "get_job" : "cancel");
  auto q = parse_params(query_string, "the query string");
  if (!q) return api_error(400, "invalid", q.error().description);
  const std::string_view location = param(*q, "location");
  if (it == jobs_.end() || (!location.empty() && location != it->second.location)) {
    return api_error(404, "notFound",
                     "Not found: Job " + project + ":" +
                         (location.empty() ? std::string() : std::string(location) + ".") +
                         route.job_id);
  }
  if (route.op == Op::results) return get_query_results(query_string, it->second);
  if (route.op == Op::get) return get_job(it->second);
  return cancel(it->second);
}

void FakeBigQuery::count(const char* name) {
  json& n = stats_["requests"][name];
  n = n.get<int>() + 1;
}

const ScriptedResult* FakeBigQuery::find_result(const std::string& query) const {
  auto it = results_.find(query);
  return it == results_.end() ? nullptr : &it->second;
}

std::optional<FakeResponse> FakeBigQuery::take_fault(const std::string& query) {
  auto it = faults_.find(query);
  if (it == faults_.end() || it->second.empty()) return std::nullopt;
  ScriptedFault& front = it->second.front();
  if (front.skip > 0) {
    --front.skip;
    return std::nullopt;
  }
  const ScriptedFault f = front;
  if (--front.delivery.count <= 0) it->second.erase(it->second.begin());
  if (!f.replaces_answer) {
    cut_answer_ = true;
    return std::nullopt;
  }
  FakeResponse r = error_response(f.error);  // its status is also a raw body's
  apply(f.delivery, r);
  return r;
}

FakeResponse FakeBigQuery::query(const FakeRequest& req, const std::string& project) {
  json log = {{"project", project},
              {"user_project", std::string(header_value(req, "x-goog-user-project"))}};
  stats_["query_log"].push_back(log);
  json& entry = stats_["query_log"].back();
  auto body = parse_query_body(req, entry);
  if (!body) return body.error();
  const std::string query_text = (*body)["query"].get<std::string>();
  if (auto fault = take_fault(query_text)) return *fault;

  // requestId makes jobs.query idempotent: a repeat gets the job of the first request.
  const std::string request_id = body->value("requestId", "");
  if (request_id.size() > 36)
    return api_error(400, "invalid", "requestId is longer than 36 characters");
  if (!request_id.empty()) {
    auto seen = request_ids_.find(project + ":" + request_id);
    if (seen != request_ids_.end()) {
      Job& job = jobs_.at(seen->second);
      entry["job_id"] = job.job_id;
      entry["deduplicated"] = true;
      return get_query_results("", job);
    }
  }

  auto resolved = resolve(project, query_text, *body);
  if (!resolved) return resolved.error();
  const std::string location = body->value("location", resolved->location);
  if (body->value("dryRun", false)) {
    entry["dry_run"] = true;
    return dry_run_query(project, location, *resolved);
  }
  return start_query(
      Job{project, "", location, *resolved, resolved->polls_before_complete, false, request_id, {}},
      *body, entry);
}

FakeResponse FakeBigQuery::start_query(Job job, const json& body, json& entry) {
  const std::int64_t rows = static_cast<std::int64_t>(job.result.rows.size());
  const auto max_results = body.contains("maxResults") && body["maxResults"].is_number_integer()
                               ? std::optional<std::int64_t>(body["maxResults"].get<std::int64_t>())
                               : std::nullopt;
  const std::int64_t first_page =
      std::min(max_results.value_or(rows), job.result.page_size.value_or(rows));
  const bool optional_mode = body.value("jobCreationMode", "") == "JOB_CREATION_OPTIONAL";
  if (optional_mode && job.polls_left == 0 && !job.result.error && first_page >= rows) {
    // A short query run without creating a job: a queryId instead of a jobReference.
    json page_json = page(job, 0, max_results, true, true);
    page_json.erase("jobReference");
    page_json["queryId"] = "fake-query-" + std::to_string(next_job_++);
    page_json["location"] = job.location;
    entry["job_id"] = nullptr;
    entry["query_id"] = page_json["queryId"];
    return json_response(200, page_json);
  }
  job.job_id = "job_fake_" + std::to_string(next_job_++);
  const std::string key = job.project + ":" + job.job_id;
  entry["job_id"] = job.job_id;
  if (!job.request_id.empty()) request_ids_[job.project + ":" + job.request_id] = key;
  Job& j = jobs_.emplace(key, std::move(job)).first->second;
  assign_destination(key, j);

  const std::int64_t timeout = body.value("timeoutMs", kDefaultTimeoutMs);
  if (j.polls_left > 0) {
    --j.polls_left;
    FakeResponse r = json_response(200, {{"kind", "bigquery#queryResponse"},
                                         {"jobReference", job_reference(j)},
                                         {"jobComplete", false}});
    r.delay = std::min(j.result.poll_delay, std::chrono::milliseconds(timeout));
    return r;
  }
  if (j.result.error) return error_response(*j.result.error);
  const bool int64_ts = body.contains("formatOptions") && body["formatOptions"].is_object() &&
                        body["formatOptions"].value("useInt64Timestamp", false);
  FakeResponse r = json_response(200, page(j, 0, max_results, int64_ts, true));
  if (!j.result.rows.empty()) r.delay = j.result.page_delay;
  return r;
}

FakeResponse FakeBigQuery::get_query_results(const std::string& query_string, Job& job) {
  auto q = parse_params(query_string, "the getQueryResults query");
  if (!q) return api_error(400, "invalid", q.error().description);
  json log = {{"job_id", job.job_id}};
  for (const char* k : {"pageToken", "maxResults", "timeoutMs", "startIndex", "location",
                        "formatOptions.useInt64Timestamp"}) {
    if (q->contains(k)) log[k] = std::string(param(*q, k));
  }
  stats_["results_log"].push_back(log);
  json& entry = stats_["results_log"].back();
  FakeResponse r = [&]() -> FakeResponse {
    if (job.cancelled) return error_response(cancelled_error());
    if (auto fault = take_fault(job.result.query)) return *fault;
    if (job.polls_left > 0) {
      --job.polls_left;
      FakeResponse incomplete = json_response(200, {{"kind", "bigquery#getQueryResultsResponse"},
                                                    {"jobReference", job_reference(job)},
                                                    {"jobComplete", false}});
      const std::int64_t timeout = int_param(*q, "timeoutMs").value_or(kDefaultTimeoutMs);
      incomplete.delay = std::min(job.result.poll_delay, std::chrono::milliseconds(timeout));
      return incomplete;
    }
    if (job.result.error) return error_response(*job.result.error);
    const auto start = page_start(*q, job.result.rows.size());
    if (!start) return error_response(start.error());
    const std::size_t offset = *start;
    const bool int64_ts = param(*q, "formatOptions.useInt64Timestamp") == "true";
    FakeResponse ok =
        json_response(200, page(job, offset, int_param(*q, "maxResults"), int64_ts, false));
    if (offset < job.result.rows.size()) ok.delay = job.result.page_delay;
    return ok;
  }();
  entry["status"] = r.status;
  return r;
}

json FakeBigQuery::page(const Job& job, std::size_t offset, std::optional<std::int64_t> max_results,
                        bool int64_timestamps, bool first) const {
  const ScriptedResult& s = job.result;
  const std::size_t total = s.rows.size();
  const PageSpan span = page_span(total, offset, s.page_size, max_results);
  json rows = json::array();
  for (std::size_t i = span.offset; i < span.offset + span.count; ++i) rows.push_back(s.rows[i]);
  if (!int64_timestamps) rows = rows_with_float_timestamps(s.schema["fields"], rows);
  json out = {{"kind", first ? "bigquery#queryResponse" : "bigquery#getQueryResultsResponse"},
              {"schema", s.schema},
              {"jobReference", job_reference(job)},
              {"totalRows", std::to_string(total)},
              {"totalBytesProcessed", std::to_string(s.total_bytes_processed)},
              {"jobComplete", true},
              {"cacheHit", s.cache_hit}};
  if (!rows.empty()) out["rows"] = std::move(rows);
  if (span.next_token) out["pageToken"] = *span.next_token;
  if (first) out["totalBytesBilled"] = std::to_string(s.cache_hit ? 0 : s.total_bytes_billed);
  return out;
}

FakeResponse FakeBigQuery::get_job(const Job& job) {
  const bool done = job.cancelled || job.polls_left == 0;
  json status = {{"state", done ? "DONE" : "RUNNING"}};
  std::optional<ScriptedError> failure =
      job.cancelled ? std::optional<ScriptedError>(cancelled_error()) : job.result.error;
  if (done && failure) {
    json e = {{"reason", failure->reason}, {"message", failure->message}};
    if (!failure->location.empty()) e["location"] = failure->location;
    status["errorResult"] = e;
    status["errors"] = json::array({e});
  }
  return json_response(
      200, {{"kind", "bigquery#job"},
            {"id", job.project + ":" + job.location + "." + job.job_id},
            {"jobReference", job_reference(job)},
            {"configuration",
             {{"jobType", "QUERY"},
              {"query",
               {{"query", job.result.query},
                {"destinationTable",
                 {{"projectId", job.project},
                  {"datasetId", job.destination.dataset},
                  {"tableId", job.destination.table}}}}}}},
            {"status", status},
            {"statistics",
             {{"query",
               {{"totalBytesProcessed", std::to_string(job.result.total_bytes_processed)},
                {"totalBytesBilled", std::to_string(job.result.total_bytes_billed)},
                {"cacheHit", job.result.cache_hit}}}}}});
}

FakeResponse FakeBigQuery::cancel(Job& job) {
  stats_["cancelled"].push_back(job.job_id);
  // Cancelling a job that already finished changes nothing (as in BigQuery).
  if (job.polls_left > 0) job.cancelled = true;
  job.polls_left = 0;
  FakeResponse r = get_job(job);
  json body = {{"kind", "bigquery#jobCancelResponse"}, {"job", json::parse(r.body)}};
  return json_response(200, body);
}

}  // namespace bqb::fakes::bigquery
