#pragma once
// The sample dataset (fakes/sqlite/sample/samples.sql), compiled into the binary.

#include <string_view>

namespace bqb::fakes::sqlite {

/// @returns the SQL script that builds the sample dataset "samples".
std::string_view sample_sql();

}  // namespace bqb::fakes::sqlite
