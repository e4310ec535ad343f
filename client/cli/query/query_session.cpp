#include "client/cli/query/query_session.h"

#include <cerrno>
#include <cstring>
#include <ostream>
#include <type_traits>
#include <variant>

#include "client/cli/exit_codes.h"
#include "client/cli/query/query_text.h"

namespace bqb::cli {

using client::LineAction;

namespace {

std::unique_ptr<RowWriter> make_writer(const SessionSettings& s, std::ostream& out) {
  switch (s.format) {
    case OutputFormat::csv:
      return make_csv_writer(out);
    case OutputFormat::json:
      return make_json_writer(out);
    case OutputFormat::ndjson:
      return make_ndjson_writer(out);
    case OutputFormat::pretty:
      break;
  }
  return make_table_writer(out, s.table);
}

}  // namespace

QuerySession::QuerySession(SessionSettings settings, std::ostream& out, std::ostream& err,
                           Progress& progress)
    : settings_(settings),
      out_(out),
      err_(err),
      progress_(progress),
      writer_(make_writer(settings_, out)) {}

client::LineHandler QuerySession::handler() {
  return {[this](std::string_view line) { return on_line(line); }, [this] { return on_idle(); }};
}

bool QuerySession::output_ok() {
  if (out_.good()) return true;
  // The failed write set errno; nothing ran since that could have changed it.
  if (!output_errno_) output_errno_ = errno;
  return false;
}

void QuerySession::start() {
  progress_.stop();
  writer_->begin(columns_);
  started_ = true;
}

LineAction QuerySession::on_line(std::string_view line) {
  auto event = client::parse_query_line(line);
  if (!event) {
    protocol_error_ = std::move(event).error();
    return LineAction::stop;
  }
  return std::visit(
      [this](auto& e) -> LineAction {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, client::JobEvent>) {
          progress_.job(job_label(e));
        } else if constexpr (std::is_same_v<T, client::SchemaEvent>) {
          columns_ = std::move(e.columns);
          schema_fields_ = std::move(e.fields);
        } else if constexpr (std::is_same_v<T, client::RowEvent>) {
          if (!started_) {
            // A row before any schema (not what the daemon sends): name columns by the row.
            if (columns_.empty()) {
              for (const auto& [name, v] : e.row.items()) columns_.push_back({name, "", ""});
            }
            start();
          }
          writer_->row(e.row);
          if (!output_ok()) return LineAction::stop;
        } else if constexpr (std::is_same_v<T, client::EndEvent>) {
          end_ = e;
        } else if constexpr (std::is_same_v<T, client::ErrorEvent>) {
          failure_ = std::move(e);
        }
        // ProgressEvent: the progress line keeps its own clock. UnknownEvent: a newer daemon.
        return LineAction::next;
      },
      *event);
}

LineAction QuerySession::on_idle() {
  if (started_) out_.flush();
  return output_ok() ? LineAction::next : LineAction::stop;
}

int QuerySession::fail_with(const Error& e, std::optional<client::SqlPosition> pos,
                            std::string_view sql) {
  if (started_) {
    writer_->abort();
    out_.flush();
  }
  err_ << render_query_error(e, pos, sql);
  return exit_code_for(e.code);
}

void QuerySession::print_dry_run(const client::EndEvent& end) {
  if (settings_.format == OutputFormat::json || settings_.format == OutputFormat::ndjson) {
    nlohmann::ordered_json j = {
        {"dry_run", true},
        {"bytes_processed", end.bytes_processed},
        {"schema", schema_fields_.is_null() ? nlohmann::ordered_json::array() : schema_fields_}};
    out_ << row_json(j) << '\n';
  } else {
    out_ << dry_run_text(end);
  }
}

int QuerySession::finish(const Result<client::StreamEnd>& stream,
                         const nlohmann::json& error_object, std::string_view sql) {
  progress_.stop();
  if (output_errno_) {
    if (*output_errno_ == EPIPE) return kExitOk;  // the reader is gone: `| head` is done
    err_ << render_query_error(
        Error{Errc::io_error,
              std::string("cannot write the result: ") + std::strerror(*output_errno_), ""},
        std::nullopt, sql);
    return kExitFailed;
  }
  if (!stream) return fail_with(stream.error(), client::sql_position(error_object), sql);
  if (protocol_error_) return fail_with(*protocol_error_, std::nullopt, sql);
  if (failure_) return fail_with(failure_->error, client::sql_position(failure_->detail), sql);
  if (!end_) {
    return fail_with(Error{Errc::io_error, "the daemon's answer ended before its 'end' line",
                           "check the daemon's log: journalctl --user -u bqbroker.service"},
                     std::nullopt, sql);
  }
  if (end_->dry_run) {
    print_dry_run(*end_);
  } else {
    if (!started_) start();
    writer_->end();
    if (settings_.format == OutputFormat::pretty) out_ << result_footer(*end_);
  }
  out_.flush();
  if (!output_ok()) return finish(stream, error_object, sql);
  if (end_->truncated) err_ << truncation_notice(*end_);
  return kExitOk;
}

}  // namespace bqb::cli
