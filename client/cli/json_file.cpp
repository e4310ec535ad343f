#include "client/cli/json_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "proto/json_fields.h"

namespace bqb::cli {

Result<nlohmann::json> read_json_object_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::io_error, "cannot read " + name + ": " + ec.message());
  if (size > kMaxJsonFileBytes) {
    return fail(Errc::payload_too_large,
                name + " is " + std::to_string(size) +
                    " bytes; a JSON credentials file is at most " +
                    std::to_string(kMaxJsonFileBytes),
                "check that the path names the right file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::io_error, "cannot open " + name + ": " + std::strerror(errno));
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) return fail(Errc::io_error, "cannot read " + name);
  BQB_TRY(doc, json_fields::parse(text, name));
  if (!doc.is_object()) return fail(Errc::invalid_json, name + " does not hold a JSON object");
  return doc;
}

}  // namespace bqb::cli
