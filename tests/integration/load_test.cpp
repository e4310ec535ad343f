// The daemon under load: 500 concurrent keep-alive clients each asking GET /v1/token 200 times
// over the Unix socket while 20 streaming queries run against the fake BigQuery. Every answer
// must be a 200 that parses, exactly as many as were asked, and afterwards the daemon must hold
// what it held before: the same file descriptors and threads, and about the same memory.
// Prints one `LOAD:` line that scripts/ parse for the figures.

#include <poll.h>

#include <atomic>
#include <cstdio>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

using nlohmann::json;

constexpr std::string_view kAlice = "alice@example.com";
constexpr int kClients = 500;
constexpr int kRequestsPerClient = 200;
constexpr int kQueries = 20;
constexpr int kRowsPerPage = 100;
constexpr int kPages = 20;
// After a warm-up with the same shape, the allocator already holds what this load needs; what it
// keeps beyond that is retained free memory (glibc arenas trim lazily), bounded by the buffers of
// the ~520 connections open at once (tens of KiB each, about 20 MiB in all).
constexpr long kRssSlackKib = 20 * 1024;

/// {"f":[{"v":…}]} rows of one INTEGER column, 0..n-1.
json int_rows(int n) {
  json rows = json::array();
  for (int i = 0; i < n; ++i) rows.push_back({{"f", {{{"v", std::to_string(i)}}}}});
  return rows;
}

/// Errors seen by the client threads: counted, and the first few kept for the failure message.
class Errors {
 public:
  void add(std::string what) {
    ++count_;
    std::lock_guard lock(mu_);
    if (first_.size() < 5) first_.push_back(std::move(what));
  }
  long count() const { return count_; }
  std::string first() const {
    std::lock_guard lock(mu_);
    return fmt::format("{}", fmt::join(first_, "\n"));
  }

 private:
  std::atomic<long> count_{0};
  mutable std::mutex mu_;
  std::vector<std::string> first_;
};

class Load : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = fmt::format(
        "store = \"memory\"\nlog_level = \"info\"\n\n[oauth]\nrevoke_uri = \"{0}/revoke\"\n\n"
        "[bigquery]\nendpoint = \"{0}\"\n",
        fake_.base_url());
    // [server] max_connections defaults to 4096, above the 520 connections open at once.
    daemon_.emplace(sandbox_, DaemonOptions().with_config(config).with_memory_measured());
    ASSERT_TRUE(daemon_->wait_ready());
    auto login = login_through_browser(*daemon_, fake_, std::string(kAlice));
    ASSERT_TRUE(login) << login.error();
    fake_.control("POST", "/bigquery/results",
                  {{"query", "SELECT load"},
                   {"schema", {{"fields", {{{"name", "i"}, {"type", "INTEGER"}}}}}},
                   {"rows", int_rows(kRowsPerPage * kPages)},
                   {"page_size", kRowsPerPage},
                   {"page_delay_ms", 100}});
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(log_free_of(daemon_->log(), fake_.issued_secrets()));
    }
  }

  /// One client: a keep-alive connection asking for `n` tokens in a row.
  void tokens(int n, Errors& errors, std::atomic<long>& ok) {
    auto conn = RawHttp::connect(daemon_->socket_path());
    if (!conn) return errors.add(conn.error());
    const std::string request = http_request("GET", "/v1/token");
    for (int i = 0; i < n; ++i) {
      auto r = conn->roundtrip(request, 60s);
      if (!r) return errors.add(r.error());
      const json j = r->json();
      if (r->status != 200 || !j.is_object() || !j.value("access_token", "").size()) {
        return errors.add(fmt::format("HTTP {}: {}", r->status, r->body.substr(0, 200)));
      }
      ++ok;
    }
  }

  /// One streaming query, read to its end line.
  void query(Errors& errors, std::atomic<long>& ok) {
    const json body = {{"query", "SELECT load"}, {"project", "proj-1"}};
    auto r = http_once(
        daemon_->socket_path(),
        http_request("POST", "/v1/query", body.dump(), {"Content-Type: application/json"}), 120s);
    if (!r) return errors.add("query: " + r.error());
    long rows = 0;
    json last;
    std::size_t start = 0;
    while (start < r->body.size()) {
      const auto end = r->body.find('\n', start);
      if (end == std::string::npos) break;
      last = json::parse(r->body.substr(start, end - start), nullptr, false);
      if (last.value("type", "") == "row") ++rows;
      start = end + 1;
    }
    if (r->status != 200 || last.value("type", "") != "end" || rows != kRowsPerPage * kPages) {
      return errors.add(
          fmt::format("query: HTTP {}, {} rows, last line {}", r->status, rows, last.dump()));
    }
    ++ok;
  }

  /// Runs `clients` × `per_client` token requests and `queries` queries, all started together.
  void round(int clients, int per_client, int queries, Errors& errors, std::atomic<long>& tokens_ok,
             std::atomic<long>& queries_ok) {
    std::latch go(clients + queries);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(clients + queries));
    for (int i = 0; i < queries; ++i) {
      threads.emplace_back([&] {
        go.arrive_and_wait();
        query(errors, queries_ok);
      });
    }
    for (int i = 0; i < clients; ++i) {
      threads.emplace_back([&] {
        go.arrive_and_wait();
        tokens(per_client, errors, tokens_ok);
      });
    }
    for (auto& t : threads) t.join();
  }

  /// Waits until the daemon has closed every socket API connection (the clients closed theirs
  /// first; the daemon learns of it asynchronously), then @returns its usage.
  Expected<ProcUsage> settled_usage() {
    const auto deadline = Clock::now() + 20s;
    while (unix_connections(daemon_->socket_path()) > 0 && Clock::now() < deadline) {
      ::poll(nullptr, 0, 20);
    }
    if (auto n = unix_connections(daemon_->socket_path()); n > 0) {
      return tl::unexpected(fmt::format("{} socket API connections still open after 20 s", n));
    }
    return proc_usage(daemon_->pid());
  }

  Sandbox sandbox_;
  FakeGoogle fake_{sandbox_};
  std::optional<DaemonProcess> daemon_;
};

TEST_F(Load, FiveHundredClientsAndTwentyQueriesLeaveNothingBehind) {
  // Warm-up of the same shape, so that the baseline includes what a first load leaves for good:
  // the outbound connection pool filled, the token cached, the allocator's arenas grown.
  {
    Errors errors;
    std::atomic<long> tokens_ok{0}, queries_ok{0};
    round(kClients, 2, kQueries, errors, tokens_ok, queries_ok);
    ASSERT_EQ(errors.count(), 0) << errors.first();
  }
  auto before = settled_usage();
  ASSERT_TRUE(before) << before.error();

  Errors errors;
  std::atomic<long> tokens_ok{0}, queries_ok{0};
  const auto start = Clock::now();
  round(kClients, kRequestsPerClient, kQueries, errors, tokens_ok, queries_ok);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  EXPECT_EQ(errors.count(), 0) << errors.first();
  EXPECT_EQ(tokens_ok.load(), long{kClients} * kRequestsPerClient);
  EXPECT_EQ(queries_ok.load(), kQueries);

  // Descriptors and threads come back exactly; connections close asynchronously, so poll.
  auto after = settled_usage();
  ASSERT_TRUE(after) << after.error();
  const auto deadline = Clock::now() + 20s;
  while ((after->fds != before->fds || after->threads != before->threads) &&
         Clock::now() < deadline) {
    ::poll(nullptr, 0, 50);
    after = proc_usage(daemon_->pid());
    ASSERT_TRUE(after) << after.error();
  }
  std::printf(
      "LOAD: clients=%d requests=%ld queries=%d errors=%ld seconds=%.1f fds=%ld->%ld "
      "threads=%ld->%ld rss_kb=%ld->%ld\n",
      kClients, long{kClients} * kRequestsPerClient, kQueries, errors.count(), seconds, before->fds,
      after->fds, before->threads, after->threads, before->rss_kb, after->rss_kb);
  std::fflush(stdout);
  EXPECT_EQ(after->fds, before->fds) << "before: " << *before << "\nafter: " << *after;
  EXPECT_EQ(after->threads, before->threads) << "before: " << *before << "\nafter: " << *after;
  EXPECT_LE(after->rss_kb, before->rss_kb + kRssSlackKib)
      << "before: " << *before << "\nafter: " << *after;
  EXPECT_TRUE(daemon_->serves_status());
}

}  // namespace
}  // namespace bqb::itest
