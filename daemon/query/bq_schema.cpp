#include "daemon/query/bq_schema.h"

#include <array>
#include <utility>

#include "daemon/base/ascii.h"

namespace bqb::bq {
namespace {

using nlohmann::json;

struct TypeName {
  std::string_view name;
  FieldType type;
};

// Every spelling of each type: the legacy name the REST schema uses and the Standard SQL one.
constexpr std::array kTypeNames{
    TypeName{"STRING", FieldType::string},
    TypeName{"BYTES", FieldType::bytes},
    TypeName{"INTEGER", FieldType::integer},
    TypeName{"INT64", FieldType::integer},
    TypeName{"FLOAT", FieldType::float64},
    TypeName{"FLOAT64", FieldType::float64},
    TypeName{"NUMERIC", FieldType::numeric},
    TypeName{"DECIMAL", FieldType::numeric},
    TypeName{"BIGNUMERIC", FieldType::bignumeric},
    TypeName{"BIGDECIMAL", FieldType::bignumeric},
    TypeName{"BOOLEAN", FieldType::boolean},
    TypeName{"BOOL", FieldType::boolean},
    TypeName{"TIMESTAMP", FieldType::timestamp},
    TypeName{"DATE", FieldType::date},
    TypeName{"TIME", FieldType::time},
    TypeName{"DATETIME", FieldType::datetime},
    TypeName{"GEOGRAPHY", FieldType::geography},
    TypeName{"JSON", FieldType::json},
    TypeName{"INTERVAL", FieldType::interval},
    TypeName{"RANGE", FieldType::range},
    TypeName{"RECORD", FieldType::record},
    TypeName{"STRUCT", FieldType::record},
};

Error bad(std::string_view path, std::string_view where, std::string_view problem) {
  return Error{Errc::upstream_error,
               "schema field '" + std::string(path) + "' in " + std::string(where) + " " +
                   std::string(problem),
               {}};
}

Result<std::vector<Field>> parse_fields(const json& list, const std::string& parent,
                                        std::string_view where, std::size_t depth) {
  if (depth > kMaxNesting) {
    return tl::unexpected(
        bad(parent, where, "nests records deeper than " + std::to_string(kMaxNesting) + " levels"));
  }
  std::vector<Field> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& f = list[i];
    std::string path = (parent.empty() ? "" : parent + ".") + "#" + std::to_string(i);
    if (!f.is_object()) return tl::unexpected(bad(path, where, "is not an object"));
    auto name = f.find("name");
    if (name == f.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      return tl::unexpected(bad(path, where, "has no name"));
    }
    Field field;
    field.name = name->get<std::string>();
    path = (parent.empty() ? "" : parent + ".") + field.name;
    auto type = f.find("type");
    if (type == f.end() || !type->is_string()) {
      return tl::unexpected(bad(path, where, "has no type"));
    }
    field.type_name = type->get<std::string>();
    field.type = field_type_from_name(field.type_name);
    auto mode = f.find("mode");
    if (mode != f.end() && !mode->is_null()) {
      if (!mode->is_string()) return tl::unexpected(bad(path, where, "has a non-string mode"));
      const std::string& m = mode->get_ref<const std::string&>();
      if (ascii_iequals(m, "REPEATED")) {
        field.mode = FieldMode::repeated;
      } else if (ascii_iequals(m, "REQUIRED")) {
        field.mode = FieldMode::required;
      } else if (ascii_iequals(m, "NULLABLE") || m.empty()) {
        field.mode = FieldMode::nullable;
      } else {
        return tl::unexpected(bad(path, where, "has an unknown mode"));
      }
    }
    if (field.type == FieldType::record) {
      auto sub = f.find("fields");
      if (sub == f.end() || !sub->is_array() || sub->empty()) {
        return tl::unexpected(bad(path, where, "is a RECORD without sub-fields"));
      }
      BQB_TRY(fields, parse_fields(*sub, path, where, depth + 1));
      field.fields = std::move(fields);
    }
    out.push_back(std::move(field));
  }
  return out;
}

std::string_view mode_name(FieldMode m) {
  switch (m) {
    case FieldMode::required:
      return "REQUIRED";
    case FieldMode::repeated:
      return "REPEATED";
    case FieldMode::nullable:
      break;
  }
  return "NULLABLE";
}

nlohmann::ordered_json fields_to_json(const std::vector<Field>& fields) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& f : fields) {
    nlohmann::ordered_json o;
    o["name"] = f.name;
    o["type"] = f.type_name;
    o["mode"] = mode_name(f.mode);
    if (f.type == FieldType::record) o["fields"] = fields_to_json(f.fields);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

FieldType field_type_from_name(std::string_view name) {
  for (const auto& t : kTypeNames) {
    if (ascii_iequals(t.name, name)) return t.type;
  }
  return FieldType::unknown;
}

Result<Schema> parse_schema(const json& j, std::string_view where) {
  if (!j.is_object()) {
    return fail(Errc::upstream_error, "the schema in " + std::string(where) + " is not an object");
  }
  auto fields = j.find("fields");
  if (fields == j.end() || fields->is_null()) return Schema{};  // e.g. a DDL statement
  if (!fields->is_array()) {
    return fail(Errc::upstream_error,
                "field 'schema.fields' in " + std::string(where) + " is not an array");
  }
  BQB_TRY(parsed, parse_fields(*fields, "", where, 0));
  return Schema{std::move(parsed)};
}

nlohmann::ordered_json schema_to_json(const Schema& schema) {
  return fields_to_json(schema.fields);
}

}  // namespace bqb::bq
