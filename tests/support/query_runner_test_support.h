#pragma once
// The query runner's test bench: BigQuery scripted behind the HttpClient interface, a
// ResponseStream that records what the runner sends (and can hold writes or leave), page
// builders, and the fixture that runs one query to its end.

#include <strings.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "daemon/query/query_runner.h"
#include "tests/support/metadata_test_support.h"

namespace bqb::test {

namespace asio = boost::asio;
using asio::awaitable;
using nlohmann::json;
using namespace std::chrono_literals;

inline constexpr std::string_view kRoot = "http://127.0.0.1:9/bigquery/v2";

/// BigQuery behind the HttpClient interface: answers are scripted in order; every request is
/// recorded. `on_request` runs as a request arrives (to change the client's state mid-query).
class ScriptedBigQuery final : public HttpClient {
 public:
  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> requests;
  std::function<void(const HttpRequest&)> on_request;

  awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    requests.push_back(request);
    if (on_request) on_request(request);
    if (answers.empty()) {
      ADD_FAILURE() << "unscripted request " << request.method << " " << request.url;
      co_return HttpResponse{500, {}, "{}"};
    }
    auto a = std::move(answers.front());
    answers.pop_front();
    co_return a;
  }

  void ok(json body) { answers.push_back(HttpResponse{200, {}, body.dump()}); }
  void error(int status, std::string_view reason, std::string_view message = "boom") {
    json e = {{"error",
               {{"code", status},
                {"message", message},
                {"errors", json::array({{{"reason", reason}, {"message", message}}})}}}};
    answers.push_back(HttpResponse{status, {}, e.dump()});
  }

  std::size_t count(std::string_view method, std::string_view fragment) const {
    std::size_t n = 0;
    for (const auto& r : requests) {
      if (r.method == method && r.url.find(fragment) != std::string::npos) ++n;
    }
    return n;
  }
};

/// A ResponseStream that records what the runner sends. `hold` makes every write wait until
/// release(); `refuse_writes_from` makes the N-th write (1-based) and later ones fail as if the
/// client had left; `gone` is what cancelled() reports.
class RecordingStream final : public http::ResponseStream {
 public:
  explicit RecordingStream(asio::any_io_executor ex) : gate_(ex) {}

  std::optional<http::Response> responded;
  std::optional<int> begun_status;
  std::string content_type;
  std::vector<std::string> writes;
  bool gone = false;
  bool hold = false;
  int pending_writes = 0;
  std::optional<std::size_t> refuse_writes_from;

  awaitable<bool> respond(http::Response response) override {
    EXPECT_FALSE(begun_status) << "respond() after begin()";
    EXPECT_FALSE(responded) << "respond() twice";
    responded = std::move(response);
    co_return !gone;
  }
  awaitable<bool> begin(int status, std::string_view type) override {
    EXPECT_FALSE(responded) << "begin() after respond()";
    EXPECT_FALSE(begun_status) << "begin() twice";
    begun_status = status;
    content_type = std::string(type);
    co_return !gone;
  }
  awaitable<bool> write(std::string data) override {
    EXPECT_TRUE(begun_status) << "write() before begin()";
    EXPECT_FALSE(data.empty());
    if (hold) {
      ++pending_writes;
      gate_.expires_at(asio::steady_timer::time_point::max());
      co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));
      --pending_writes;
    }
    writes.push_back(std::move(data));
    if (refuse_writes_from && writes.size() >= *refuse_writes_from) gone = true;
    co_return !gone;
  }
  bool cancelled() const override { return gone; }

  void release() { gate_.cancel(); }

  /// @returns every line written, parsed.
  std::vector<json> lines() const {
    std::vector<json> out;
    for (const auto& w : writes) {
      EXPECT_EQ(w.back(), '\n') << "a write ends mid-line";
      std::size_t at = 0;
      while (at < w.size()) {
        const auto nl = w.find('\n', at);
        out.push_back(json::parse(w.substr(at, nl - at)));
        at = nl + 1;
      }
    }
    return out;
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& l : lines()) out.push_back(l["type"]);
    return out;
  }
  json error_body() const { return responded ? json::parse(responded->body()) : json(); }

 private:
  asio::steady_timer gate_;
};

inline json schema_xs() {
  return {{"fields",
           {{{"name", "x"}, {"type", "INTEGER"}, {"mode", "NULLABLE"}},
            {{"name", "s"}, {"type", "STRING"}, {"mode", "NULLABLE"}}}}};
}
inline json row(std::string x, json s) { return {{"f", {{{"v", x}}, {{"v", s}}}}}; }
inline json job_ref(std::string id = "job_1") {
  return {{"projectId", "proj"}, {"jobId", id}, {"location", "US"}};
}
/// A complete page of `rows` with `token` (empty: the last page).
inline json complete_page(json rows, std::string token = "", bool first = true) {
  json p = {{"jobComplete", true},   {"jobReference", job_ref()},
            {"schema", schema_xs()}, {"totalRows", "3"},
            {"rows", rows},          {"totalBytesProcessed", "100"},
            {"cacheHit", false}};
  if (first) p["totalBytesBilled"] = "200";
  if (!token.empty()) p["pageToken"] = token;
  return p;
}
inline json incomplete() { return {{"jobComplete", false}, {"jobReference", job_ref()}}; }

class QueryRunnerTest : public ::testing::Test {
 protected:
  QueryRunnerTest() {
    options_.bigquery.api_root = std::string(kRoot);
    options_.bigquery.backoff = BackoffPolicy{1ms, 4ms, 2.0, 4, 10s};
    options_.bigquery.random = [] { return 0.5; };
  }

  QueryJobSpec spec(std::string sql = "SELECT x, s FROM t") {
    QueryJobSpec s;
    s.request.project = "proj";
    s.request.query = std::move(sql);
    s.caller = TokenCaller{1000, 42, "/usr/bin/bqbroker", "query"};
    return s;
  }

  /// Runs one query to its end (10 s at most) with a fresh runner.
  void run(QueryJobSpec s) {
    QueryRunner runner(http_, tokens_, options_);
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(io_, runner.run(std::move(s), stream_), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    run_until([&] { return done; });
    ASSERT_TRUE(done) << "the query did not finish within 10 s";
    if (error) std::rethrow_exception(error);
  }

  bool run_until(const std::function<bool()>& cond) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!cond() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(20ms);
    return cond();
  }

  json body_of(std::size_t i) const { return json::parse(http_.requests.at(i).body); }
  std::optional<std::string> header(std::size_t i, std::string_view name) const {
    for (const auto& [k, v] : http_.requests.at(i).headers) {
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    }
    return std::nullopt;
  }

  asio::io_context io_;
  ScriptedBigQuery http_;
  FakeTokenSource tokens_;
  RecordingStream stream_{io_.get_executor()};
  QueryRunnerOptions options_;
};

}  // namespace bqb::test
