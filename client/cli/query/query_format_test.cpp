// The output formats of `bqbroker query` on one fixed result, byte for byte: CSV quoting of
// commas, quotes and newlines, NULL against the empty string, unicode, a nested RECORD, a
// REPEATED column, NaN and -Infinity, INT64 at both edges and 38-digit NUMERICs.

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/query/query_cell.h"
#include "client/cli/query/query_format.h"
#include "client/cli/query/query_table.h"
#include "client/lib/query_events.h"

namespace bqb::cli {
namespace {

// The rows exactly as the daemon writes them (nlohmann's compact form, column order).
const std::vector<std::string> kRows = {
    R"({"id":"9223372036854775807","name":"a,b","note":"say \"hi\"","score":"NaN",)"
    R"("big":"12345678901234567890123456789.123456789","rec":{"x":"1","y":"Zoë"},)"
    R"("tags":["a","b"]})",
    R"({"id":"-9223372036854775808","name":"line1\nline2","note":"","score":1.5,)"
    R"("big":"-99999999999999999999999999999.999999999","rec":null,"tags":[]})",
    R"({"id":null,"name":"日本語","note":null,"score":"-Infinity","big":"0",)"
    R"("rec":{"x":null,"y":""},"tags":["c,d"]})",
};

const std::vector<client::Column> kColumns = {
    {"id", "INTEGER", "NULLABLE"},  {"name", "STRING", "NULLABLE"}, {"note", "STRING", "NULLABLE"},
    {"score", "FLOAT", "NULLABLE"}, {"big", "NUMERIC", "NULLABLE"}, {"rec", "RECORD", "NULLABLE"},
    {"tags", "STRING", "REPEATED"},
};

/// @returns the rows as the session hands them to a writer: parsed from row lines.
std::vector<nlohmann::ordered_json> rows() {
  std::vector<nlohmann::ordered_json> out;
  for (const auto& r : kRows) {
    auto e = client::parse_query_line(R"({"type":"row","row":)" + r + "}");
    EXPECT_TRUE(e) << e.error().message;
    out.push_back(std::get<client::RowEvent>(*e).row);
  }
  return out;
}

std::string write_all(RowWriter& w, std::ostringstream& out) {
  w.begin(kColumns);
  for (const auto& r : rows()) w.row(r);
  w.end();
  return out.str();
}

TEST(QueryFormat, Csv) {
  std::ostringstream out;
  auto w = make_csv_writer(out);
  EXPECT_EQ(
      write_all(*w, out),
      "id,name,note,score,big,rec,tags\r\n"
      "9223372036854775807,\"a,b\",\"say \"\"hi\"\"\",NaN,"
      "12345678901234567890123456789.123456789,\"{\"\"x\"\":\"\"1\"\",\"\"y\"\":\"\"Zoë\"\"}\","
      "\"[\"\"a\"\",\"\"b\"\"]\"\r\n"
      "-9223372036854775808,\"line1\nline2\",\"\",1.5,"
      "-99999999999999999999999999999.999999999,,[]\r\n"
      ",日本語,,-Infinity,0,\"{\"\"x\"\":null,\"\"y\"\":\"\"\"\"}\",\"[\"\"c,d\"\"]\"\r\n");
}

TEST(QueryFormat, CsvQuotesHeaderNamesAndWritesNoHeaderWithoutColumns) {
  std::ostringstream out;
  auto w = make_csv_writer(out);
  w->begin({{"a,b", "STRING", ""}});
  w->end();
  EXPECT_EQ(out.str(), "\"a,b\"\r\n");
  std::ostringstream none;
  auto dml = make_csv_writer(none);
  dml->begin({});
  dml->end();
  EXPECT_EQ(none.str(), "");
}

TEST(QueryFormat, NdjsonIsTheRowsAsReceived) {
  std::ostringstream out;
  auto w = make_ndjson_writer(out);
  EXPECT_EQ(write_all(*w, out), kRows[0] + "\n" + kRows[1] + "\n" + kRows[2] + "\n");
}

TEST(QueryFormat, JsonIsOneArrayStreamedRowByRow) {
  std::ostringstream out;
  auto w = make_json_writer(out);
  w->begin(kColumns);
  EXPECT_EQ(out.str(), "[\n") << "the array opens before the first row";
  const auto r = rows();
  w->row(r[0]);
  EXPECT_EQ(out.str(), "[\n" + kRows[0]) << "a row is written when it arrives";
  w->row(r[1]);
  w->row(r[2]);
  w->end();
  EXPECT_EQ(out.str(), "[\n" + kRows[0] + ",\n" + kRows[1] + ",\n" + kRows[2] + "\n]\n");
  const auto parsed = nlohmann::json::parse(out.str(), nullptr, false);
  ASSERT_TRUE(parsed.is_array());
  EXPECT_EQ(parsed.size(), 3u);
}

TEST(QueryFormat, JsonEmptyAndAborted) {
  std::ostringstream empty;
  auto w = make_json_writer(empty);
  w->begin(kColumns);
  w->end();
  EXPECT_EQ(empty.str(), "[\n]\n");
  std::ostringstream failed;
  auto f = make_json_writer(failed);
  f->begin(kColumns);
  f->row(rows()[0]);
  f->abort();
  EXPECT_EQ(failed.str(), "[\n" + kRows[0] + "\n") << "a failed result is not a valid array";
}

TEST(QueryFormat, PrettyTable) {
  std::ostringstream out;
  auto w = make_table_writer(out, TableStyle{});
  EXPECT_EQ(
      write_all(*w, out),
      "                  id | name         | note     |     score |"
      "                                      big | rec                 | tags\n"
      "---------------------+--------------+----------+-----------+-"
      "-----------------------------------------+---------------------+----------\n"
      " 9223372036854775807 | a,b          | say \"hi\" |       NaN |"
      "  12345678901234567890123456789.123456789 | {\"x\":\"1\",\"y\":\"Zoë\"} | [\"a\",\"b\"]\n"
      "-9223372036854775808 | line1\\nline2 |          |       1.5 |"
      " -99999999999999999999999999999.999999999 | NULL                | []\n"
      "                NULL | 日本語       | NULL     | -Infinity |"
      "                                        0 | {\"x\":null,\"y\":\"\"}   | [\"c,d\"]\n");
}

TEST(QueryFormat, PrettyFitsTheTerminalDimsNullAndCutsLaterRowsToTheSampleWidths) {
  std::ostringstream out;
  auto w = make_table_writer(out, TableStyle{24, true, 1});
  w->begin({{"n", "INTEGER", "NULLABLE"}, {"text", "STRING", "NULLABLE"}});
  w->row(nlohmann::ordered_json::parse(R"({"n":"10","text":"a rather long value here"})"));
  const std::string rule = std::string(2, '-') + "-+-" + std::string(19, '-') + "\n";
  EXPECT_EQ(out.str(), " n | text\n" + rule + "10 | a rather long valu…\n")
      << "one sample row: laid out at once, the wide column cut to fit 24 columns";
  w->row(nlohmann::ordered_json::parse(R"({"n":"12345","text":null})"));
  w->end();
  EXPECT_EQ(out.str(),
            " n | text\n" + rule + "10 | a rather long valu…\n1… | \x1b[2mNULL\x1b[0m\n");
}

TEST(QueryFormat, PrettyEscapesControlCharacters) {
  std::ostringstream out;
  auto w = make_table_writer(out, TableStyle{});
  w->begin({{"s", "STRING", "NULLABLE"}});
  w->row(nlohmann::ordered_json::parse(R"({"s":"a\tb\u001b[31mred"})"));
  w->end();
  EXPECT_EQ(out.str(), "s\n" + std::string(15, '-') + "\na\\tb\\x1b[31mred\n");
}

TEST(QueryCell, TextAndWidths) {
  EXPECT_EQ(cell_text(nullptr), std::nullopt);
  EXPECT_EQ(cell_text(""), "");
  EXPECT_EQ(cell_text(nlohmann::ordered_json::parse("1e+300")), "1e+300");
  EXPECT_EQ(cell_text(true), "true");
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("Zoë"), 3u);
  EXPECT_EQ(display_width("e\u0301"), 1u) << "a combining accent takes no column";
  EXPECT_EQ(display_width("日本"), 4u);
  EXPECT_EQ(display_width("\xff"), 1u) << "invalid UTF-8 counts one per byte";
  EXPECT_EQ(fit_width("日本語", 5), "日本…");
  EXPECT_EQ(fit_width("日本語", 4), "日…");
  EXPECT_EQ(fit_width("abc", 3), "abc");
  EXPECT_EQ(fit_width("abcd", 1), "…");
  EXPECT_EQ(fit_width("abcd", 0), "");
}

}  // namespace
}  // namespace bqb::cli
