// The sentences around a query result: sizes, footer, --max-rows notice, dry run, the SQL
// excerpt with a caret, the progress line.

#include <gtest/gtest.h>

#include "client/cli/query/query_text.h"

namespace bqb::cli {
namespace {

using namespace std::chrono_literals;

TEST(QueryText, FooterNoticeAndDryRun) {
  client::EndEvent e;
  e.rows = 3;
  e.total_rows = 3;
  e.bytes_processed = 1536;
  EXPECT_EQ(result_footer(e), "3 rows, 1.5 KiB processed\n");
  e.rows = 1;
  e.total_rows = 1;
  e.cache_hit = true;
  e.bytes_processed = 0;
  EXPECT_EQ(result_footer(e), "1 row, 0 B processed (cached)\n");
  client::EndEvent cut;
  cut.rows = 100;
  cut.total_rows = 12345;
  cut.truncated = true;
  EXPECT_EQ(result_footer(cut), "100 rows shown of 12345, 0 B processed\n");
  EXPECT_EQ(truncation_notice(cut),
            "bqbroker: warning: showing the first 100 rows of 12345; --max-rows to change\n");
  client::EndEvent dml;
  dml.dml_affected_rows = 7;
  dml.bytes_processed = 2048;
  EXPECT_EQ(result_footer(dml), "7 rows affected, 2.0 KiB processed\n");
  client::EndEvent dry;
  dry.dry_run = true;
  dry.bytes_processed = 1536;
  EXPECT_EQ(dry_run_text(dry),
            "dry run: the query is valid and would process 1.5 KiB (1536 bytes)\n");
}

TEST(QueryText, SqlExcerptPutsTheCaretUnderTheColumn) {
  EXPECT_EQ(sql_excerpt("SELECT x\nFROM t WHER y", {2, 8}), "  FROM t WHER y\n         ^\n");
  EXPECT_EQ(sql_excerpt("SELECT 'é', foo", {1, 13}), "  SELECT 'é', foo\n              ^\n")
      << "columns count code points";
  EXPECT_EQ(sql_excerpt("\tSELECT", {1, 2}), "  \tSELECT\n  \t^\n") << "tabs kept for alignment";
  EXPECT_EQ(sql_excerpt("SELECT", {1, 7}), "  SELECT\n        ^\n") << "one past the end";
  EXPECT_EQ(sql_excerpt("SELECT", {2, 1}), "");
  EXPECT_EQ(sql_excerpt("SELECT", {1, 9}), "");
  EXPECT_EQ(sql_excerpt("a\r\nb", {1, 1}), "  a\n  ^\n");
}

TEST(QueryText, QueryErrorWithPosition) {
  const Error e{Errc::invalid_query, "Syntax error: Unexpected identifier \"WHER\" at [2:8]",
                "fix the SQL"};
  EXPECT_EQ(render_query_error(e, client::SqlPosition{2, 8}, "SELECT x\nFROM t WHER y"),
            "bqbroker: Syntax error: Unexpected identifier \"WHER\" at [2:8]\n"
            "  FROM t WHER y\n"
            "         ^\n"
            "hint: fix the SQL\n");
  EXPECT_EQ(render_query_error(Error{Errc::invalid_query, "Unrecognized name: y", ""},
                               client::SqlPosition{1, 8}, "SELECT y"),
            "bqbroker: Unrecognized name: y at [1:8]\n  SELECT y\n         ^\n");
  EXPECT_EQ(render_query_error(Error{Errc::needs_login, "a@b.c needs login", "bqbroker login"},
                               std::nullopt, "SELECT 1"),
            "bqbroker: a@b.c needs login\nhint: bqbroker login\n");
}

TEST(QueryText, ProgressLine) {
  EXPECT_EQ(progress_line(0, 1234ms, ""), "⠋ running 1.2 s");
  EXPECT_EQ(progress_line(12, 60000ms, "p:US.job_1"), "⠹ running 60.0 s · job p:US.job_1");
  EXPECT_EQ(job_label(client::JobEvent{"p", "job_1", "", "US"}), "p:US.job_1");
  EXPECT_EQ(job_label(client::JobEvent{"p", "", "q_9", "EU"}), "p:EU.q_9");
  EXPECT_EQ(job_label(client::JobEvent{"p", "j", "", ""}), "p.j");
}

}  // namespace
}  // namespace bqb::cli
