// The control API of FakeBigQuery, under /_fake/bigquery/ (JSON in, JSON out):
//   POST   /_fake/bigquery/results   a ScriptedResult (script.h; README) → {"registered": query}
//   GET    /_fake/bigquery/results   {"queries": [...]}     DELETE: forget them all
//   GET    /_fake/bigquery/stats     request counters and logs   DELETE: reset them
//   GET    /_fake/bigquery/jobs      every job: {job_id, project, location, query, state, …}

#include "fakes/bigquery/fake_bigquery.h"

namespace bqb::fakes::bigquery {
namespace {

using nlohmann::json;

FakeResponse control_error(int status, std::string message) {
  return json_response(status, {{"error", status == 404 ? "not_found" : "bad_request"},
                                {"error_description", std::move(message)}});
}

}  // namespace

FakeResponse FakeBigQuery::control(const FakeRequest& req, const std::string& path) {
  const std::string& m = req.method;
  const std::string where = "the body of " + m + " " + path;
  if (path == "/_fake/bigquery/results") {
    if (m == "POST") {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_discarded()) return control_error(400, where + " is not valid JSON");
      auto r = parse_scripted_result(body, where);
      if (!r) return control_error(400, r.error().message);
      const std::string query = r->query;
      faults_[query] = r->faults;
      results_[query] = std::move(*r);
      return json_response(200, {{"registered", query}});
    }
    if (m == "GET") {
      json queries = json::array();
      for (const auto& [q, _] : results_) queries.push_back(q);
      return json_response(200, {{"queries", queries}});
    }
    if (m == "DELETE") {
      results_.clear();
      faults_.clear();
      return json_response(200, json::object());
    }
  }
  if (path == "/_fake/bigquery/stats") {
    if (m == "GET") return json_response(200, stats_);
    if (m == "DELETE") {
      stats_ = initial_stats();  // the logs only: jobs and registered results stay
      return json_response(200, json::object());
    }
  }
  if (path == "/_fake/bigquery/jobs" && m == "GET") {
    json jobs = json::array();
    for (const auto& [_, j] : jobs_) {
      jobs.push_back({{"project", j.project},
                      {"job_id", j.job_id},
                      {"location", j.location},
                      {"query", j.result.query},
                      {"request_id", j.request_id},
                      {"state", j.cancelled        ? "CANCELLED"
                                : j.polls_left > 0 ? "RUNNING"
                                                   : "DONE"},
                      {"polls_left", j.polls_left}});
    }
    return json_response(200, {{"jobs", jobs}});
  }
  return control_error(404, "no control endpoint " + m + " " + path);
}

}  // namespace bqb::fakes::bigquery
