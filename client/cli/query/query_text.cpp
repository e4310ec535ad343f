#include "client/cli/query/query_text.h"

#include <cinttypes>
#include <cstdio>

#include "client/cli/error_text.h"
#include "proto/byte_size.h"

namespace bqb::cli {
namespace {

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string result_footer(const client::EndEvent& end) {
  std::string out;
  if (end.dml_affected_rows) {
    out = plural(*end.dml_affected_rows, "row", "rows") + " affected";
  } else if (end.truncated) {
    out = plural(end.rows, "row", "rows") + " shown of " + std::to_string(end.total_rows);
  } else {
    out = plural(end.rows, "row", "rows");
  }
  out += ", " + byte_size_text(end.bytes_processed) + " processed";
  if (end.cache_hit) out += " (cached)";
  return out + "\n";
}

std::string truncation_notice(const client::EndEvent& end) {
  return render_warning("showing the first " + plural(end.rows, "row", "rows") + " of " +
                        std::to_string(end.total_rows) + "; --max-rows to change");
}

std::string dry_run_text(const client::EndEvent& end) {
  return "dry run: the query is valid and would process " + byte_size_text(end.bytes_processed) +
         " (" + plural(end.bytes_processed, "byte", "bytes") + ")\n";
}

std::string sql_excerpt(std::string_view sql, client::SqlPosition pos) {
  std::string_view rest = sql;
  for (int l = 1; l < pos.line; ++l) {
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return "";
    rest.remove_prefix(nl + 1);
  }
  std::string_view line = rest.substr(0, rest.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string pad;
  int column = 1;
  std::size_t i = 0;
  while (column < pos.column && i < line.size()) {
    const auto c = static_cast<unsigned char>(line[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    pad += c == '\t' ? '\t' : ' ';
    i += len;
    ++column;
  }
  // One past the end is where "unexpected end of input" points; further is not this line.
  if (column < pos.column) return "";
  return "  " + std::string(line) + "\n  " + pad + "^\n";
}

std::string render_query_error(const Error& e, std::optional<client::SqlPosition> pos,
                               std::string_view sql) {
  std::string message = e.message;
  std::string excerpt;
  if (pos) {
    const std::string at =
        "[" + std::to_string(pos->line) + ":" + std::to_string(pos->column) + "]";
    if (message.find(at) == std::string::npos) message += " at " + at;
    excerpt = sql_excerpt(sql, *pos);
  }
  std::string out = "bqbroker: " + message + "\n" + excerpt;
  if (!e.hint.empty()) out += "hint: " + e.hint + "\n";
  return out;
}

std::string progress_line(std::size_t frame, std::chrono::milliseconds elapsed,
                          std::string_view job) {
  static constexpr std::array<std::string_view, 10> kFrames{"⠋", "⠙", "⠹", "⠸", "⠼",
                                                            "⠴", "⠦", "⠧", "⠇", "⠏"};
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", static_cast<double>(elapsed.count()) / 1000.0);
  std::string out = std::string(kFrames[frame % kFrames.size()]) + " running " + seconds;
  if (!job.empty()) out += " · job " + std::string(job);
  return out;
}

std::string job_label(const client::JobEvent& e) {
  const std::string& id = e.job_id.empty() ? e.query_id : e.job_id;
  std::string out = e.project;
  if (!e.location.empty()) out += (out.empty() ? "" : ":") + e.location;
  if (!id.empty()) out += (out.empty() ? "" : ".") + id;
  return out;
}

}  // namespace bqb::cli
