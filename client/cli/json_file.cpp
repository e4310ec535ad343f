#include "client/cli/json_file.h"

#include "proto/json_fields.h"
#include "proto/trusted_file.h"

namespace bqb::cli {

Result<nlohmann::json> read_json_object_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  BQB_TRY(text, read_trusted_file(path, name, kMaxJsonFileBytes));
  BQB_TRY(doc, json_fields::parse(text, name));
  if (!doc.is_object()) return fail(Errc::invalid_json, name + " does not hold a JSON object");
  return doc;
}

}  // namespace bqb::cli
