#pragma once
// The progress line `bqbroker query` shows on a terminal's stderr while it waits: a spinner,
// the elapsed time and the job, redrawn in place and erased before the result is printed.

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

namespace bqb::cli {

class Progress {
 public:
  virtual ~Progress() = default;
  /// The job the query runs as (query_text.h's job_label), once known.
  virtual void job(std::string label) = 0;
  /// Erases the line and draws no more; idempotent. Nothing else may write to the terminal
  /// before this returned.
  virtual void stop() = 0;
};

/// @returns a Progress that draws nothing (stderr is not a terminal).
std::unique_ptr<Progress> make_silent_progress();

/// @returns a Progress that redraws its line on `err` (a terminal `width` columns wide) from a
/// thread of its own, ten times a second, from 0.2 s on (an instant answer shows nothing).
std::unique_ptr<Progress> make_terminal_progress(std::ostream& err,
                                                 std::optional<std::size_t> width);

}  // namespace bqb::cli
