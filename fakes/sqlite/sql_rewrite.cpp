#include "fakes/sqlite/sql_rewrite.h"

#include <algorithm>
#include <cstddef>

namespace bqb::fakes::sqlite {
namespace {

std::string double_quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

/// `a.b.c` → "b"."c"; `a.b` → "a"."b"; `a` → "a".
std::string rewrite_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (true) {
    const std::size_t dot = path.find('.', i);
    parts.push_back(path.substr(i, dot == std::string_view::npos ? path.npos : dot - i));
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  if (parts.size() >= 3) parts.erase(parts.begin(), parts.end() - 2);
  std::string out;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '.';
    out += double_quoted(parts[k]);
  }
  return out;
}

/// @returns the end (one past the closing quote) of the quoted text at `begin`, where sql[begin]
/// is the quote `q`; a backslash escapes the next character (BigQuery); npos when unterminated.
std::size_t quoted_end(std::string_view sql, std::size_t begin, char q, bool backslash) {
  for (std::size_t i = begin + 1; i < sql.size(); ++i) {
    if (backslash && sql[i] == '\\') {
      ++i;
      continue;
    }
    if (sql[i] == q) {
      if (!backslash && i + 1 < sql.size() && sql[i + 1] == q) {  // '' inside '…'
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  return std::string_view::npos;
}

/// BigQuery's "…" string body as a SQLite '…' literal: \" and \\ unescaped, ' doubled.
std::string single_quoted(std::string_view body) {
  std::string out = "'";
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\' && i + 1 < body.size() && (body[i + 1] == '"' || body[i + 1] == '\\')) {
      c = body[++i];
    }
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

std::size_t RewrittenSql::original_offset(std::size_t offset) const {
  // The last anchor at or before `offset`; past it the texts run in step until the next one.
  auto it = std::upper_bound(anchors.begin(), anchors.end(), offset,
                             [](std::size_t o, const auto& a) { return o < a.first; });
  if (it == anchors.begin()) return offset;
  // Anchors come in pairs, (start, end) of each rewritten token: after a start the offset is
  // inside a token, whose lengths differ, so it maps to the token's start.
  const auto index = static_cast<std::size_t>(it - anchors.begin()) - 1;
  const auto& [rewritten, original] = anchors[index];
  if (index % 2 == 0 && offset < it->first) return original;
  return original + (offset - rewritten);
}

RewrittenSql rewrite_bigquery_sql(std::string_view sql) {
  RewrittenSql out;
  auto replace = [&](std::size_t begin, std::size_t end, std::string_view with) {
    out.anchors.emplace_back(out.sql.size(), begin);
    out.sql += with;
    out.anchors.emplace_back(out.sql.size(), end);
  };
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    std::size_t end = std::string_view::npos;
    if (c == '\'') {
      end = quoted_end(sql, i, '\'', false);
      end = end == std::string_view::npos ? sql.size() : end;
      out.sql += sql.substr(i, end - i);
    } else if (c == '-' && next == '-') {
      end = std::min(sql.find('\n', i), sql.size());
      out.sql += sql.substr(i, end - i);
    } else if (c == '/' && next == '*') {
      const std::size_t close = sql.find("*/", i + 2);
      end = close == std::string_view::npos ? sql.size() : close + 2;
      out.sql += sql.substr(i, end - i);
    } else if (c == '#') {
      end = std::min(sql.find('\n', i), sql.size());
      replace(i, i + 1, "--");
      out.sql += sql.substr(i + 1, end - i - 1);
    } else if (c == '`' && (end = quoted_end(sql, i, '`', false)) != std::string_view::npos) {
      replace(i, end, rewrite_path(sql.substr(i + 1, end - i - 2)));
    } else if (c == '"' && (end = quoted_end(sql, i, '"', true)) != std::string_view::npos) {
      replace(i, end, single_quoted(sql.substr(i + 1, end - i - 2)));
    } else {
      out.sql += c;
      end = i + 1;
    }
    i = end;
  }
  return out;
}

std::string position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // count UTF-8 lead bytes: characters, not bytes
    }
  }
  return "[" + std::to_string(line) + ":" + std::to_string(column) + "]";
}

}  // namespace bqb::fakes::sqlite
