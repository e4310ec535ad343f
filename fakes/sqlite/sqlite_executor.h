#pragma once
// The emulator's QueryExecutor: standard-SQL queries run on an in-memory SQLite database loaded
// from SQL scripts (the shipped sample, fakes/sqlite/sample/). Each dataset is a SQLite schema
// attached under its name (`ATTACH ':memory:' AS samples` in the script), so
// `project.dataset.table` resolves for any project (sql_rewrite.h). Once loaded the database is
// read-only: the connection is query_only and an authorizer refuses every action but reading and
// SELECT, and a statement SQLite does not call read-only is refused before it runs. Not thread-safe
// (one server thread).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "fakes/bigquery/executor.h"
#include "fakes/sqlite/bq_values.h"
#include "proto/error.h"

struct sqlite3;

namespace bqb::fakes::sqlite {

struct ExecutorLimits {
  std::size_t max_rows = 200000;              // more is an error, not a silent cut
  std::chrono::milliseconds max_time{30000};  // per query, then interrupted
};

class SqliteExecutor : public fakes::bigquery::QueryExecutor {
 public:
  /// @returns an executor whose database is what `script` (SQL, named `where` in errors) builds,
  /// with the named types of its __bq_types tables; invalid_config naming the statement's error.
  static Result<std::unique_ptr<SqliteExecutor>> open(std::string_view script,
                                                      std::string_view where,
                                                      ExecutorLimits limits = {});
  ~SqliteExecutor() override;
  SqliteExecutor(const SqliteExecutor&) = delete;
  SqliteExecutor& operator=(const SqliteExecutor&) = delete;

  tl::expected<fakes::bigquery::QueryOutput, fakes::bigquery::ScriptedError> execute(
      const fakes::bigquery::QueryRequest& request) override;

 private:
  SqliteExecutor(sqlite3* db, NamedTypes types, ExecutorLimits limits);

  sqlite3* db_;
  NamedTypes types_;
  ExecutorLimits limits_;
};

}  // namespace bqb::fakes::sqlite
