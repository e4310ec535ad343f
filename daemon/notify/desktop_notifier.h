#pragma once
// One desktop notification through the freedesktop Notifications interface
// (org.freedesktop.Notifications on the session bus, Desktop Notifications Specification 1.2),
// with sd-bus. Blocking and bounded: run it on the BlockingPool, never on the io thread.

#include <chrono>
#include <cstdint>
#include <string>

#include "proto/error.h"

namespace bqb {

struct DesktopNotification {
  std::string summary;
  std::string body;  // plain text; escaped here when the server reads markup ("body-markup")
  /// An action button ("login", shown as this label), sent only when the server advertises the
  /// "actions" capability; empty: none.
  std::string action_label;
};

/// Asks the session bus's notification server for its capabilities, then shows `n`; each call is
/// bounded by `timeout`. @returns the server's notification id; io_error naming what failed when
/// there is no session bus, no notification server on it, or it does not answer in time.
Result<std::uint32_t> send_desktop_notification(const DesktopNotification& n,
                                                std::chrono::milliseconds timeout);

}  // namespace bqb
