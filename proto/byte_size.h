#pragma once
// A byte count as people read it, for the CLI's query footer and for the limits that error
// messages quote: "1023 B", "1.5 KiB", "8.0 KiB", "10.0 MiB".

#include <cstdint>
#include <string>

namespace bqb {

/// @returns `bytes` in B below 1 KiB, else in the largest binary unit (KiB … EiB) that keeps the
/// value at least 1, with one decimal.
std::string byte_size_text(std::int64_t bytes);

}  // namespace bqb
