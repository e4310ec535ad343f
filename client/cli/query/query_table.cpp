#include "client/cli/query/query_table.h"

#include <algorithm>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include "client/cli/query/query_cell.h"

namespace bqb::cli {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kSeparator = " | ";
constexpr std::string_view kNull = "NULL";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";
// Narrowing for the terminal stops here: a column of a few columns still shows something.
constexpr std::size_t kMinWidth = 4;

bool is_numeric(const client::Column& c) {
  if (c.mode == "REPEATED") return false;
  return c.type == "INTEGER" || c.type == "INT64" || c.type == "FLOAT" || c.type == "FLOAT64" ||
         c.type == "NUMERIC" || c.type == "BIGNUMERIC" || c.type == "DECIMAL" ||
         c.type == "BIGDECIMAL";
}

/// A cell as shown: its text (controls escaped) and whether it is NULL.
struct Cell {
  std::string text;
  bool null = false;
};

Cell to_cell(const ordered_json& v) {
  auto text = cell_text(v);
  if (!text) return {std::string(kNull), true};
  return {escape_controls(*text), false};
}

class TableWriter final : public RowWriter {
 public:
  TableWriter(std::ostream& out, TableStyle style) : out_(out), style_(style) {}

  void begin(const std::vector<client::Column>& columns) override {
    columns_ = columns;
    widths_.assign(columns.size(), 0);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      widths_[i] = display_width(escape_controls(columns[i].name));
    }
  }

  void row(const ordered_json& row) override {
    std::vector<Cell> cells;
    cells.reserve(columns_.size());
    for (const auto& [name, value] : row.items()) cells.push_back(to_cell(value));
    cells.resize(columns_.size());  // a short row (protocol error) shows blanks
    if (laid_out_) {
      print_row(cells);
      return;
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      widths_[i] = std::max(widths_[i], display_width(cells[i].text));
    }
    sample_.push_back(std::move(cells));
    if (sample_.size() >= style_.sample_rows) lay_out();
  }

  void end() override {
    if (!laid_out_) lay_out();
  }
  void abort() override { end(); }

 private:
  /// Fits the widths to the terminal, prints the header and the held-back rows.
  void lay_out() {
    laid_out_ = true;
    if (columns_.empty()) return;
    fit_to_terminal();
    std::vector<Cell> header;
    for (const client::Column& c : columns_) header.push_back({escape_controls(c.name), false});
    print_row(header);
    std::string rule;
    for (std::size_t i = 0; i < widths_.size(); ++i) {
      if (i > 0) rule += "-+-";
      rule.append(widths_[i], '-');
    }
    out_ << rule << '\n';
    for (const auto& cells : sample_) print_row(cells);
    sample_.clear();
    sample_.shrink_to_fit();
  }

  /// Caps every column at the largest width that lets the table fit the terminal.
  void fit_to_terminal() {
    if (!style_.terminal_width) return;
    const std::size_t seps = kSeparator.size() * (widths_.size() - 1);
    auto total = [&](std::size_t cap) {
      return std::accumulate(
          widths_.begin(), widths_.end(), seps,
          [cap](std::size_t sum, std::size_t w) { return sum + std::min(w, cap); });
    };
    const std::size_t limit = *style_.terminal_width;
    if (total(SIZE_MAX) <= limit) return;
    std::size_t lo = kMinWidth, hi = *std::max_element(widths_.begin(), widths_.end());
    if (lo >= hi) return;
    while (lo < hi) {  // the largest cap in [lo, hi] that fits, or lo
      const std::size_t mid = lo + (hi - lo + 1) / 2;
      if (total(mid) <= limit) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    for (auto& w : widths_) w = std::min(w, lo);
  }

  void print_row(const std::vector<Cell>& cells) {
    std::string line;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) line += kSeparator;
      const std::string text = fit_width(cells[i].text, widths_[i]);
      const std::size_t pad = widths_[i] - display_width(text);
      const bool right = is_numeric(columns_[i]);
      const bool last = i + 1 == columns_.size();
      if (right) line.append(pad, ' ');
      if (cells[i].null && style_.color) {
        line.append(kDim).append(text).append(kReset);
      } else {
        line += text;
      }
      if (!right && !last) line.append(pad, ' ');
    }
    out_ << line << '\n';
  }

  std::ostream& out_;
  TableStyle style_;
  std::vector<client::Column> columns_;
  std::vector<std::size_t> widths_;
  std::vector<std::vector<Cell>> sample_;
  bool laid_out_ = false;
};

}  // namespace

std::unique_ptr<RowWriter> make_table_writer(std::ostream& out, TableStyle style) {
  return std::make_unique<TableWriter>(out, style);
}

}  // namespace bqb::cli
