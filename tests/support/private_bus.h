#pragma once
// A D-Bus session bus of a test's own: a dbus-daemon listening in the sandbox, without service
// activation (a call to a name nobody owns fails at once instead of starting something).

#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace bqb::itest {

class PrivateBus {
 public:
  /// Starts dbus-daemon with its socket at `socket` and its config file beside it, in `env`.
  PrivateBus(const std::filesystem::path& socket, const Environment& env);

  /// @returns the DBUS_SESSION_BUS_ADDRESS of the bus.
  std::string address() const { return "unix:path=" + socket_.string(); }
  /// Waits up to 10 s until the bus listens (a client started before would find no bus).
  ::testing::AssertionResult wait_listening() const;

 private:
  std::filesystem::path socket_;
  std::optional<Child> daemon_;
};

}  // namespace bqb::itest
