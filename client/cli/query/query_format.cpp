#include "client/cli/query/query_format.h"
#include "proto/json_text.h"

#include <ostream>

#include "client/cli/query/query_cell.h"

namespace bqb::cli {
namespace {

using nlohmann::ordered_json;

class CsvWriter final : public RowWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void begin(const std::vector<client::Column>& columns) override {
    if (columns.empty()) return;  // a statement without a result (DML, DDL)
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out_ << ',';
      out_ << csv_text(columns[i].name);
    }
    out_ << "\r\n";
  }
  void row(const ordered_json& row) override {
    bool first = true;
    for (const auto& [name, value] : row.items()) {
      if (!first) out_ << ',';
      first = false;
      out_ << csv_field(value);
    }
    out_ << "\r\n";
  }
  void end() override {}
  void abort() override {}

 private:
  std::ostream& out_;
};

class JsonWriter final : public RowWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void begin(const std::vector<client::Column>&) override { out_ << "[\n"; }
  void row(const ordered_json& row) override {
    if (rows_++ > 0) out_ << ",\n";
    out_ << row_json(row);
  }
  void end() override { out_ << (rows_ > 0 ? "\n]\n" : "]\n"); }
  void abort() override {
    if (rows_ > 0) out_ << '\n';
  }

 private:
  std::ostream& out_;
  std::size_t rows_ = 0;
};

class NdjsonWriter final : public RowWriter {
 public:
  explicit NdjsonWriter(std::ostream& out) : out_(out) {}
  void begin(const std::vector<client::Column>&) override {}
  void row(const ordered_json& row) override { out_ << row_json(row) << '\n'; }
  void end() override {}
  void abort() override {}

 private:
  std::ostream& out_;
};

}  // namespace

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "pretty") return OutputFormat::pretty;
  if (name == "csv") return OutputFormat::csv;
  if (name == "json") return OutputFormat::json;
  if (name == "ndjson") return OutputFormat::ndjson;
  return std::nullopt;
}

std::string row_json(const ordered_json& row) {
  return json_text(row);
}

std::unique_ptr<RowWriter> make_csv_writer(std::ostream& out) {
  return std::make_unique<CsvWriter>(out);
}
std::unique_ptr<RowWriter> make_json_writer(std::ostream& out) {
  return std::make_unique<JsonWriter>(out);
}
std::unique_ptr<RowWriter> make_ndjson_writer(std::ostream& out) {
  return std::make_unique<NdjsonWriter>(out);
}

}  // namespace bqb::cli
