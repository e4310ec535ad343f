#pragma once
// The sample dataset (emulator/sample/samples.sql), compiled into the binary.

#include <string_view>

namespace bqb::emulator {

/// @returns the SQL script that builds the sample dataset "samples".
std::string_view sample_sql();

}  // namespace bqb::emulator
