#include "daemon/query/bq_request.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace bqb::bq {
namespace {

using nlohmann::json;

std::string enc(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

/// Appends "name=value" to `q` (encoded), with '&' between pairs.
void add(std::string& q, std::string_view name, std::string_view value) {
  q += q.empty() ? "?" : "&";
  q += name;
  q += '=';
  q += enc(value);
}

tl::unexpected<Error> bad_field(std::string_view field, std::string_view problem) {
  return fail(Errc::bad_request,
              "field '" + std::string(field) + "' of the query request " + std::string(problem));
}

}  // namespace

Result<DatasetRef> parse_dataset_ref(std::string_view text, std::string_view default_project) {
  const auto bad = [&] {
    return fail(Errc::bad_request, "dataset '" + std::string(text) +
                                       "' must be DATASET, PROJECT.DATASET or PROJECT:DATASET");
  };
  // The dataset is after the last separator; a domain-scoped project keeps its ':' and '.'.
  const std::size_t dot = text.rfind('.');
  const std::size_t colon = text.rfind(':');
  std::size_t cut = std::string_view::npos;
  if (dot != std::string_view::npos && (colon == std::string_view::npos || dot > colon)) cut = dot;
  if (colon != std::string_view::npos && (dot == std::string_view::npos || colon > dot)) {
    cut = colon;
  }
  DatasetRef out;
  if (cut == std::string_view::npos) {
    out.project_id = std::string(default_project);
    out.dataset_id = std::string(text);
  } else {
    out.project_id = std::string(text.substr(0, cut));
    out.dataset_id = std::string(text.substr(cut + 1));
    // "a.b.c" is not a dataset reference; "example.com:proj.ds" is.
    const std::string_view project = text.substr(0, cut);
    if (project.find('.') != std::string_view::npos &&
        project.find(':') == std::string_view::npos) {
      return bad();
    }
  }
  if (out.project_id.empty() || out.dataset_id.empty()) return bad();
  return out;
}

Result<json> query_request_body(const QueryRequest& r) {
  if (r.project.empty()) return bad_field("project", "is empty");
  if (r.query.empty()) return bad_field("query", "is empty");
  if (r.request_id.size() > kMaxRequestIdLength) {
    return bad_field("requestId", "is longer than 36 characters");
  }
  for (const auto& [name, v] :
       {std::pair<const char*, const std::optional<std::int64_t>&>{"page_size", r.page_size},
        {"timeout_ms", r.timeout_ms},
        {"maximum_bytes_billed", r.maximum_bytes_billed}}) {
    if (v && *v < 0) return bad_field(name, "is negative");
  }
  json body = {{"query", r.query},
               {"useLegacySql", r.use_legacy_sql},
               {"formatOptions", {{"useInt64Timestamp", true}}}};
  if (!r.parameters.empty()) {
    const bool named = !r.parameters.front().name.empty();
    if (r.use_legacy_sql) return bad_field("parameters", "need standard SQL (not legacy SQL)");
    json params = json::array();
    for (const auto& p : r.parameters) {
      if (p.name.empty() == named) {
        return bad_field("parameters", "mix named and positional parameters");
      }
      params.push_back(param_to_wire(p));
    }
    body["parameterMode"] = named ? "NAMED" : "POSITIONAL";
    body["queryParameters"] = std::move(params);
  }
  if (r.location) body["location"] = *r.location;
  if (r.default_dataset) {
    body["defaultDataset"] = {{"projectId", r.default_dataset->project_id},
                              {"datasetId", r.default_dataset->dataset_id}};
  }
  if (r.page_size) body["maxResults"] = *r.page_size;
  if (r.dry_run) body["dryRun"] = true;
  if (r.timeout_ms) body["timeoutMs"] = *r.timeout_ms;
  // int64 fields travel as strings in Google's JSON mapping.
  if (r.maximum_bytes_billed) body["maximumBytesBilled"] = std::to_string(*r.maximum_bytes_billed);
  if (!r.labels.empty()) body["labels"] = r.labels;
  if (r.use_query_cache) body["useQueryCache"] = *r.use_query_cache;
  if (!r.request_id.empty()) body["requestId"] = r.request_id;
  if (r.job_creation_optional) body["jobCreationMode"] = "JOB_CREATION_OPTIONAL";
  return body;
}

std::string queries_target(std::string_view project) {
  return "/projects/" + enc(project) + "/queries";
}

std::string get_query_results_target(const ResultsPageRequest& r) {
  std::string q;
  if (r.location) add(q, "location", *r.location);
  if (r.page_token) add(q, "pageToken", *r.page_token);
  if (r.max_results) add(q, "maxResults", std::to_string(*r.max_results));
  if (r.timeout_ms) add(q, "timeoutMs", std::to_string(*r.timeout_ms));
  if (r.start_index) add(q, "startIndex", std::to_string(*r.start_index));
  add(q, "formatOptions.useInt64Timestamp", "true");
  return "/projects/" + enc(r.project) + "/queries/" + enc(r.job_id) + q;
}

std::string cancel_target(std::string_view project, std::string_view job_id,
                          const std::optional<std::string>& location) {
  std::string q;
  if (location) add(q, "location", *location);
  return "/projects/" + enc(project) + "/jobs/" + enc(job_id) + "/cancel" + q;
}

}  // namespace bqb::bq
