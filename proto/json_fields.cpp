#include "proto/json_fields.h"

#include <charconv>

namespace bqb::json_fields {
namespace {

using nlohmann::json;

std::string describe(std::string_view name, std::string_view where, std::string_view problem) {
  std::string s = "field '";
  s.append(name).append("' in ").append(where).append(" ").append(problem);
  return s;
}

const json* find(const json& j, std::string_view name) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(name);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

Result<json> parse(std::string_view text, std::string_view where) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return fail(Errc::invalid_json, std::string(where) + " is not valid JSON");
  }
  return j;
}

Result<std::optional<std::string>> optional_string(const json& j, std::string_view name,
                                                   std::string_view where) {
  const json* v = find(j, name);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return fail(Errc::invalid_json, describe(name, where, "must be a string"));
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::string> required_string(const json& j, std::string_view name, std::string_view where) {
  auto v = optional_string(j, name, where);
  if (!v) return tl::unexpected(v.error());
  if (!*v) return fail(Errc::invalid_json, describe(name, where, "is missing"));
  return std::move(**v);
}

Result<std::optional<std::int64_t>> optional_int(const json& j, std::string_view name,
                                                 std::string_view where) {
  const json* v = find(j, name);
  if (v == nullptr) return std::optional<std::int64_t>{};
  if (v->is_number_integer()) return std::optional<std::int64_t>(v->get<std::int64_t>());
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) {
      return std::optional<std::int64_t>(out);
    }
  }
  return fail(Errc::invalid_json, describe(name, where, "must be an integer"));
}

Result<std::int64_t> required_int(const json& j, std::string_view name, std::string_view where) {
  auto v = optional_int(j, name, where);
  if (!v) return tl::unexpected(v.error());
  if (!*v) return fail(Errc::invalid_json, describe(name, where, "is missing"));
  return **v;
}

Result<std::optional<bool>> optional_bool(const json& j, std::string_view name,
                                          std::string_view where) {
  const json* v = find(j, name);
  if (v == nullptr) return std::optional<bool>{};
  if (!v->is_boolean()) return fail(Errc::invalid_json, describe(name, where, "must be true or false"));
  return std::optional<bool>(v->get<bool>());
}

Result<std::vector<std::string>> optional_string_list(const json& j, std::string_view name,
                                                      std::string_view where) {
  const json* v = find(j, name);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (!v->is_array()) return fail(Errc::invalid_json, describe(name, where, "must be a list of strings"));
  for (const auto& e : *v) {
    if (!e.is_string()) {
      return fail(Errc::invalid_json, describe(name, where, "must be a list of strings"));
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace bqb::json_fields
