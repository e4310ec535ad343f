// jobs.insert for query jobs (POST /bigquery/v2/projects/{p}/jobs), the way Node's
// @google-cloud/bigquery starts queries: the body is a Job resource whose configuration.query
// carries the same fields jobs.query takes, and the answer is the Job resource (jobs.get's form).
// The results are then read with getQueryResults. A query that fails still creates a job, which
// is DONE with status.errorResult (as at Google); malformed requests are 4xx without a job.

#include <algorithm>
#include <cctype>

#include "fakes/bigquery/fake_bigquery.h"
#include "fakes/bigquery/query_config.h"
#include "fakes/bigquery/wire.h"

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

FakeResponse bad(int status, std::string reason, std::string message) {
  return error_response(ScriptedError{status, std::move(reason), std::move(message), {}});
}

/// BigQuery's job id alphabet: letters, digits, '_' and '-', at most 1024 characters.
bool valid_job_id(const std::string& id) {
  return !id.empty() && id.size() <= 1024 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

/// jobs.insert's request, checked.
struct InsertRequest {
  json configuration;  // the Job resource's configuration
  json config;         // configuration.query
  json reference;      // jobReference ({} when absent)
  std::string query_text;
};

/// @returns the 4xx refusing `reference` (jobReference), or nullopt when it fits `project`.
std::optional<FakeResponse> check_reference(const json& reference, const std::string& project) {
  if (!reference.is_object()) return bad(400, "invalid", "jobReference must be an object");
  for (const char* k : {"projectId", "jobId", "location"}) {
    if (reference.contains(k) && !reference[k].is_string()) {
      return bad(400, "invalid", std::string("jobReference.") + k + " must be a string");
    }
  }
  if (reference.value("projectId", project) != project) {
    return bad(400, "invalid", "jobReference.projectId does not match the project in the path");
  }
  return std::nullopt;
}

/// @returns `req`'s Job resource checked as Google checks it, or the 4xx refusing it. Copies
/// what the tests look at into the query log's `entry`.
tl::expected<InsertRequest, FakeResponse> parse_insert(const FakeRequest& req,
                                                       const std::string& project, json& entry) {
  if (req.content_type.find("application/json") == std::string::npos) {
    return tl::unexpected(bad(400, "invalid", "Content-Type must be application/json"));
  }
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return tl::unexpected(bad(400, "parseError", "Invalid JSON payload received."));
  }
  InsertRequest r;
  r.configuration = body.value("configuration", json());
  if (!r.configuration.is_object() || !r.configuration.contains("query")) {
    return tl::unexpected(bad(400, "invalid",
                              "Required parameter is missing: configuration.query (the fake "
                              "BigQuery runs query jobs only)"));
  }
  r.config = r.configuration["query"];
  if (!r.config.is_object()) {
    return tl::unexpected(bad(400, "invalid", "configuration.query must be an object"));
  }
  for (const char* k : {"query", "useLegacySql", "parameterMode", "queryParameters",
                        "defaultDataset", "useQueryCache", "maximumBytesBilled"}) {
    if (r.config.contains(k)) entry[k] = r.config[k];
  }
  for (const char* k : {"dryRun", "labels"}) {
    if (r.configuration.contains(k)) entry[k] = r.configuration[k];
  }
  auto q = r.config.find("query");
  if (q == r.config.end() || !q->is_string() || q->get_ref<const std::string&>().empty()) {
    return tl::unexpected(
        bad(400, "required", "Required parameter is missing: configuration.query.query"));
  }
  r.query_text = q->get<std::string>();
  if (auto problem = check_query_fields(r.config)) {
    return tl::unexpected(error_response(*problem));
  }
  if (r.configuration.contains("dryRun") && !r.configuration["dryRun"].is_boolean()) {
    return tl::unexpected(bad(400, "invalid", "Invalid value for dryRun: not a boolean"));
  }
  r.reference = body.value("jobReference", json::object());
  if (auto refused = check_reference(r.reference, project)) return tl::unexpected(*refused);
  return r;
}

/// @returns the dry run's answer: the Job resource with statistics and no job created.
FakeResponse dry_run_job(const std::string& project, const std::string& location,
                         const json& config, const ScriptedResult& resolved) {
  if (resolved.error) return error_response(*resolved.error);
  const std::string bytes = std::to_string(resolved.total_bytes_processed);
  return json_response(
      200, {{"kind", "bigquery#job"},
            {"jobReference", {{"projectId", project}, {"location", location}}},
            {"configuration", {{"jobType", "QUERY"}, {"dryRun", true}, {"query", config}}},
            {"status", {{"state", "DONE"}}},
            {"statistics",
             {{"totalBytesProcessed", bytes},
              {"query", {{"totalBytesProcessed", bytes}, {"schema", resolved.schema}}}}}});
}

}  // namespace

FakeResponse FakeBigQuery::insert_job(const FakeRequest& req, const std::string& project) {
  stats_["query_log"].push_back(
      {{"project", project},
       {"method", "jobs.insert"},
       {"user_project", std::string(header_value(req, "x-goog-user-project"))}});
  json& entry = stats_["query_log"].back();
  auto request = parse_insert(req, project, entry);
  if (!request) return request.error();
  if (auto fault = take_fault(request->query_text)) return *fault;

  auto resolved = resolve(project, request->query_text, request->config);
  if (!resolved) return resolved.error();
  const std::string location = request->reference.value("location", resolved->location);
  if (request->configuration.value("dryRun", false)) {
    entry["dry_run"] = true;
    return dry_run_job(project, location, request->config, *resolved);
  }

  std::string job_id = request->reference.value("jobId", "");
  if (job_id.empty()) job_id = "job_fake_" + std::to_string(next_job_++);
  if (!valid_job_id(job_id)) {
    return bad(400, "invalid",
               "Invalid job ID \"" + job_id +
                   "\": letters, digits, underscores and dashes only, at most 1024");
  }
  const std::string key = project + ":" + job_id;
  if (jobs_.contains(key)) {
    return bad(409, "duplicate", "Already Exists: Job " + project + ":" + location + "." + job_id);
  }
  entry["job_id"] = job_id;
  const int polls = resolved->polls_before_complete;
  Job job{project, job_id, location, std::move(*resolved), polls, false, {}, {}};
  auto [it, _] = jobs_.emplace(key, std::move(job));
  assign_destination(key, it->second);
  return get_job(it->second);
}

}  // namespace bqb::fakes::bigquery
