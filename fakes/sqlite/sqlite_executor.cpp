#include "fakes/sqlite/sqlite_executor.h"

#include <cctype>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "fakes/sqlite/query_params.h"
#include "fakes/sqlite/sql_rewrite.h"

namespace bqb::fakes::sqlite {
namespace {

using fakes::bigquery::QueryOutput;
using fakes::bigquery::QueryRequest;
using fakes::bigquery::ScriptedError;
using nlohmann::json;
using Outcome = tl::expected<QueryOutput, ScriptedError>;

tl::unexpected<ScriptedError> invalid_query(std::string message) {
  return tl::unexpected(ScriptedError{400, "invalidQuery", std::move(message), "query"});
}

tl::unexpected<ScriptedError> invalid(std::string message) {
  return tl::unexpected(ScriptedError{400, "invalid", std::move(message), {}});
}

struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

/// What the authorizer refused last (SQLite reports only "not authorized").
thread_local const char* g_refused = nullptr;

/// Allows reading and SELECT (with functions and recursive CTEs), nothing else: no writes, no
/// ATTACH of files, no PRAGMA, no transactions.
int read_only_authorizer(void*, int action, const char* arg1, const char*, const char*,
                         const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (arg1 != nullptr && sqlite3_stricmp(arg1, "load_extension") == 0) break;
      return SQLITE_OK;
    case SQLITE_UPDATE:
      // SQLite itself asks this when a table-valued function (json_each) is first used in a
      // statement; a user's UPDATE of the schema is still refused by query_only and
      // sqlite3_stmt_readonly.
      if (arg1 != nullptr && sqlite3_stricmp(arg1, "sqlite_master") == 0) return SQLITE_OK;
      break;
    default:
      break;
  }
  g_refused = action == SQLITE_INSERT                                      ? "INSERT"
              : action == SQLITE_UPDATE                                    ? "UPDATE"
              : action == SQLITE_DELETE                                    ? "DELETE"
              : action == SQLITE_ATTACH || action == SQLITE_DETACH         ? "ATTACH/DETACH"
              : action == SQLITE_PRAGMA                                    ? "PRAGMA"
              : action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT ? "a transaction"
                                                                           : "this statement";
  return SQLITE_DENY;
}

/// Interrupts a query past its deadline (a runaway recursive CTE, a cross join).
int past_deadline(void* deadline) {
  return std::chrono::steady_clock::now() >
                 *static_cast<std::chrono::steady_clock::time_point*>(deadline)
             ? 1
             : 0;
}

/// @returns `name` when BigQuery would accept it as a column name, else "".
bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

Cell cell_of(sqlite3_stmt* s, int i) {
  Cell c;
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
      c.kind = Cell::Kind::integer;
      c.integer = sqlite3_column_int64(s, i);
      break;
    case SQLITE_FLOAT:
      c.kind = Cell::Kind::real;
      c.real = sqlite3_column_double(s, i);
      break;
    case SQLITE_TEXT:
      c.kind = Cell::Kind::text;
      c.bytes.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                     static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      break;
    case SQLITE_BLOB: {
      c.kind = Cell::Kind::blob;
      const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
      c.bytes.assign(p == nullptr ? "" : p, static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      break;
    }
    default:
      break;
  }
  return c;
}

int bind(sqlite3_stmt* s, int index, const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::null:
      return sqlite3_bind_null(s, index);
    case Cell::Kind::integer:
      return sqlite3_bind_int64(s, index, c.integer);
    case Cell::Kind::real:
      return sqlite3_bind_double(s, index, c.real);
    case Cell::Kind::text:
      return sqlite3_bind_text(s, index, c.bytes.data(), static_cast<int>(c.bytes.size()),
                               SQLITE_TRANSIENT);
    case Cell::Kind::blob:
      return sqlite3_bind_blob(s, index, c.bytes.data(), static_cast<int>(c.bytes.size()),
                               SQLITE_TRANSIENT);
  }
  return SQLITE_MISUSE;
}

/// Binds `params` to the statement's parameters: in NAMED form each @name (case-insensitive, as in
/// BigQuery) must be given; positional ? take the parameters in order and must match in number.
tl::expected<void, ScriptedError> bind_parameters(sqlite3_stmt* s,
                                                  const std::vector<BoundParameter>& params,
                                                  const RewrittenSql& sql,
                                                  std::string_view original) {
  const int count = sqlite3_bind_parameter_count(s);
  int positional = 0;
  for (int i = 1; i <= count; ++i) {
    const char* raw = sqlite3_bind_parameter_name(s, i);
    const std::string name = raw == nullptr ? "" : raw;
    if (name.empty()) {  // "?"
      if (positional >= static_cast<int>(params.size()) || !params[positional].name.empty()) {
        return invalid_query("Positional parameter " + std::to_string(positional + 1) +
                             " of the query is not in queryParameters (positional parameters "
                             "need parameterMode POSITIONAL and one unnamed value each)");
      }
      bind(s, i, params[positional++].value);
      continue;
    }
    if (name[0] != '@') {
      return invalid_query("Query parameters are written @name or ?, not " + name);
    }
    const BoundParameter* found = nullptr;
    for (const auto& p : params) {
      if (!p.name.empty() && sqlite3_stricmp(p.name.c_str(), name.c_str() + 1) == 0) found = &p;
    }
    if (found == nullptr) {
      const std::size_t at = sql.sql.find(name);
      return invalid_query(
          "Query parameter '" + name.substr(1) + "' not found" +
          (at == std::string::npos ? "" : " at " + position_of(original, sql.original_offset(at))));
    }
    bind(s, i, found->value);
  }
  std::size_t unnamed = 0;
  for (const auto& p : params) unnamed += p.name.empty() ? 1 : 0;
  if (positional != static_cast<int>(unnamed)) {
    return invalid_query("The query has " + std::to_string(positional) +
                         " positional parameters but queryParameters holds " +
                         std::to_string(unnamed));
  }
  return {};
}

using Rows = std::vector<std::vector<Cell>>;

/// @returns SQLite's last error on `db` as invalidQuery, at the position in `original` that
/// SQLite's offset into the rewritten `sql` comes from.
tl::unexpected<ScriptedError> sqlite_error(sqlite3* db, const RewrittenSql& sql,
                                           const std::string& original) {
  std::string message(sqlite3_errmsg(db));
  const int offset = sqlite3_error_offset(db);
  if (offset >= 0) {
    message +=
        " at " + position_of(original, sql.original_offset(static_cast<std::size_t>(offset)));
  }
  return invalid_query(std::move(message));
}

/// @returns the one statement of `sql`, prepared; invalidQuery when it is refused by the
/// authorizer, broken, empty, followed by another statement, or not read-only.
tl::expected<Stmt, ScriptedError> prepare_one_select(sqlite3* db, const RewrittenSql& sql,
                                                     const std::string& original) {
  g_refused = nullptr;
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v2(db, sql.sql.c_str(), static_cast<int>(sql.sql.size()), &raw, &tail);
  Stmt stmt(raw);
  if (rc == SQLITE_AUTH || (rc != SQLITE_OK && g_refused != nullptr)) {
    return invalid_query(std::string("The emulator runs SELECT queries only: ") +
                         (g_refused != nullptr ? g_refused : "this statement") + " is refused");
  }
  if (rc != SQLITE_OK) return sqlite_error(db, sql, original);
  if (!stmt) return invalid_query("The query is empty at [1:1]");
  // Whatever follows must be nothing but blanks, comments and semicolons: preparing it yields
  // no statement then (a refused or broken one counts as a statement).
  sqlite3_stmt* next = nullptr;
  const int next_rc = sqlite3_prepare_v2(db, tail, -1, &next, nullptr);
  const bool more = next_rc != SQLITE_OK || next != nullptr;
  sqlite3_finalize(next);
  if (more) {
    const auto at = static_cast<std::size_t>(tail - sql.sql.c_str());
    return invalid_query("The emulator runs one statement per query; another one starts at " +
                         position_of(original, sql.original_offset(at)));
  }
  if (sqlite3_stmt_readonly(stmt.get()) == 0) {
    return invalid_query("The emulator runs SELECT queries only");
  }
  return stmt;
}

/// @returns every row `stmt` yields; an error past `limits` (rows or time) or when SQLite fails.
tl::expected<Rows, ScriptedError> read_rows(sqlite3* db, sqlite3_stmt* stmt,
                                            const ExecutorLimits& limits, const RewrittenSql& sql,
                                            const std::string& original) {
  auto deadline = std::chrono::steady_clock::now() + limits.max_time;
  sqlite3_progress_handler(db, 10000, past_deadline, &deadline);
  const int columns = sqlite3_column_count(stmt);
  Rows rows;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (rows.size() >= limits.max_rows) {
      sqlite3_progress_handler(db, 0, nullptr, nullptr);
      return invalid_query("The result has more than " + std::to_string(limits.max_rows) +
                           " rows, the emulator's limit: add a LIMIT");
    }
    std::vector<Cell> row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i) row.push_back(cell_of(stmt, i));
    rows.push_back(std::move(row));
  }
  sqlite3_progress_handler(db, 0, nullptr, nullptr);
  if (step == SQLITE_INTERRUPT) {
    return tl::unexpected(ScriptedError{400,
                                        "timeout",
                                        "Query exceeded the emulator's time limit of " +
                                            std::to_string(limits.max_time.count()) + " ms",
                                        {}});
  }
  if (step != SQLITE_DONE) return sqlite_error(db, sql, original);
  return rows;
}

/// @returns the schema's fields: each column's declared type (a table column's), else the type
/// its values' storage classes suggest; unaliased expressions named as BigQuery names them.
json schema_fields(sqlite3_stmt* stmt, const Rows& rows, const NamedTypes& types) {
  json fields = json::array();
  int anonymous = 0;
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    const char* decl = sqlite3_column_decltype(stmt, i);
    std::optional<json> field =
        decl != nullptr ? field_for_declared_type(decl, types) : std::nullopt;
    if (!field) {
      std::vector<const Cell*> column;
      column.reserve(rows.size());
      for (const auto& r : rows) column.push_back(&r[static_cast<std::size_t>(i)]);
      field = infer_field(column);
    }
    const char* name = sqlite3_column_name(stmt, i);
    // BigQuery names an unaliased expression f0_, f1_, … by its place among those.
    (*field)["name"] = name != nullptr && is_identifier(name)
                           ? std::string(name)
                           : "f" + std::to_string(anonymous++) + "_";
    fields.push_back(std::move(*field));
  }
  return fields;
}

/// @returns `rows` in BigQuery's wire form under `fields`; invalidQuery naming the column whose
/// value its type cannot hold.
Outcome render_rows(json fields, const Rows& rows) {
  QueryOutput out;
  out.rows = json::array();
  for (const auto& r : rows) {
    json f = json::array();
    for (std::size_t i = 0; i < r.size(); ++i) {
      auto v = render_cell(fields[i], r[i]);
      if (!v) {
        return invalid_query("Column " + fields[i].value("name", "") + " of type " +
                             fields[i].value("type", "") + ": " + v.error());
      }
      out.total_bytes_processed += static_cast<std::int64_t>(r[i].bytes.size() + 8);
      f.push_back({{"v", std::move(*v)}});
    }
    out.rows.push_back({{"f", std::move(f)}});
  }
  out.schema = {{"fields", std::move(fields)}};
  return out;
}

}  // namespace

SqliteExecutor::SqliteExecutor(sqlite3* db, NamedTypes types, ExecutorLimits limits)
    : db_(db), types_(std::move(types)), limits_(limits) {}

SqliteExecutor::~SqliteExecutor() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<SqliteExecutor>> SqliteExecutor::open(std::string_view script,
                                                             std::string_view where,
                                                             ExecutorLimits limits) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
  std::unique_ptr<SqliteExecutor> out(new SqliteExecutor(db, {}, limits));
  if (rc != SQLITE_OK) {
    return fail(Errc::internal,
                std::string("cannot open an in-memory SQLite database: ") + sqlite3_errstr(rc));
  }
  char* err = nullptr;
  const std::string text(script);
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return fail(Errc::config_invalid, "the SQL of " + std::string(where) + " failed: " + message);
  }

  // Named types: every attached schema's __bq_types(name, field).
  std::vector<std::string> schemas;
  {
    sqlite3_stmt* raw = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM pragma_database_list", -1, &raw, nullptr);
    Stmt s(raw);
    while (s && sqlite3_step(s.get()) == SQLITE_ROW) {
      schemas.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
    }
  }
  for (const auto& schema : schemas) {
    const std::string sql = "SELECT name, field FROM \"" + schema + "\".__bq_types";
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) continue;  // none
    Stmt s(raw);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
      const auto* field = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
      json f = json::parse(field == nullptr ? "" : field, nullptr, false);
      if (name == nullptr || !f.is_object() || !f.contains("type")) {
        return fail(Errc::config_invalid, "a row of " + schema + ".__bq_types in " +
                                              std::string(where) +
                                              " is not (name, TableFieldSchema JSON)");
      }
      std::string key(name);
      for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out->types_[key] = std::move(f);
    }
  }

  // From here on, read only.
  sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_set_authorizer(db, read_only_authorizer, nullptr);
  return out;
}

Outcome SqliteExecutor::execute(const QueryRequest& request) {
  const std::string& original = request.query;
  const RewrittenSql sql = rewrite_bigquery_sql(original);
  auto params = parse_parameters(request.query_parameters, request.parameter_mode);
  if (!params) return invalid(params.error());
  auto stmt = prepare_one_select(db_, sql, original);
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto bound = bind_parameters(stmt->get(), *params, sql, original); !bound) {
    return tl::unexpected(bound.error());
  }
  auto rows = read_rows(db_, stmt->get(), limits_, sql, original);
  if (!rows) return tl::unexpected(rows.error());
  return render_rows(schema_fields(stmt->get(), *rows, types_), *rows);
}

}  // namespace bqb::fakes::sqlite
