#include "daemon/notify/desktop_notifier.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <systemd/sd-bus.h>

#include "daemon/login/login_page.h"

namespace bqb {
namespace {

constexpr const char* kService = "org.freedesktop.Notifications";
constexpr const char* kPath = "/org/freedesktop/Notifications";
constexpr const char* kInterface = "org.freedesktop.Notifications";

struct BusCloser {
  void operator()(sd_bus* bus) const { sd_bus_close_unref(bus); }
};
struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using BusPtr = std::unique_ptr<sd_bus, BusCloser>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;

/// Frees an sd_bus_error when it goes out of scope.
struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&e); }
};

tl::unexpected<Error> bus_failure(std::string_view what, int r, const sd_bus_error* e = nullptr) {
  std::string why = e != nullptr && sd_bus_error_is_set(e)
                        ? fmt::format("{}: {}", e->name, e->message ? e->message : "")
                        : fmt::format("{}", std::strerror(-r));
  return fail(Errc::io_error, fmt::format("desktop notification: {}: {}", what, why));
}

Result<std::vector<std::string>> capabilities(sd_bus* bus) {
  BusError err;
  sd_bus_message* raw = nullptr;
  int r = sd_bus_call_method(bus, kService, kPath, kInterface, "GetCapabilities", &err.e, &raw, "");
  if (r < 0) return bus_failure("GetCapabilities", r, &err.e);
  MessagePtr reply(raw);
  std::vector<std::string> caps;
  if ((r = sd_bus_message_enter_container(reply.get(), 'a', "s")) < 0) {
    return bus_failure("reading GetCapabilities' answer", r);
  }
  const char* cap = nullptr;
  while ((r = sd_bus_message_read(reply.get(), "s", &cap)) > 0) caps.emplace_back(cap);
  if (r < 0) return bus_failure("reading GetCapabilities' answer", r);
  return caps;
}

/// @returns a connection to the session bus (DBUS_SESSION_BUS_ADDRESS, else
/// $XDG_RUNTIME_DIR/bus) whose every call, the Hello of the handshake included, is bounded by
/// `usec`. (sd_bus_open_user would send its Hello with sd-bus's default of 25 s, and a call waits
/// for that Hello without a bound of its own.)
Result<BusPtr> open_session_bus(std::uint64_t usec) {
  std::string address;
  if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a != nullptr && *a != '\0') {
    address = a;
  } else if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && *run != '\0') {
    address = fmt::format("unix:path={}/bus", run);
  } else {
    return fail(Errc::io_error,
                "desktop notification: no session bus: neither DBUS_SESSION_BUS_ADDRESS nor "
                "XDG_RUNTIME_DIR is set");
  }
  sd_bus* raw = nullptr;
  int r = sd_bus_new(&raw);
  if (r < 0) return bus_failure("creating a bus connection", r);
  BusPtr bus(raw);
  if ((r = sd_bus_set_address(bus.get(), address.c_str())) < 0 ||
      (r = sd_bus_set_bus_client(bus.get(), 1)) < 0 ||
      (r = sd_bus_set_method_call_timeout(bus.get(), usec)) < 0) {
    return bus_failure("setting up the bus connection", r);
  }
  if ((r = sd_bus_start(bus.get())) < 0) return bus_failure("no session bus", r);
  return bus;
}

}  // namespace

Result<std::uint32_t> send_desktop_notification(const DesktopNotification& n,
                                                std::chrono::milliseconds timeout) {
  const auto usec = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(timeout).count());
  auto opened = open_session_bus(usec);
  if (!opened) return tl::unexpected(std::move(opened).error());
  BusPtr bus = std::move(*opened);
  int r = 0;

  auto caps = capabilities(bus.get());
  if (!caps) return tl::unexpected(std::move(caps).error());
  auto has = [&](std::string_view c) {
    return std::find(caps->begin(), caps->end(), c) != caps->end();
  };

  sd_bus_message* raw_call = nullptr;
  if ((r = sd_bus_message_new_method_call(bus.get(), &raw_call, kService, kPath, kInterface,
                                          "Notify")) < 0) {
    return bus_failure("building Notify", r);
  }
  MessagePtr call(raw_call);
  const std::string body = has("body-markup") ? oauth::html_escape(n.body) : n.body;
  // app_name, replaces_id, app_icon, summary, body
  r = sd_bus_message_append(call.get(), "susss", "bqbroker", 0u, "dialog-password",
                            n.summary.c_str(), body.c_str());
  if (r >= 0 && !n.action_label.empty() && has("actions")) {
    r = sd_bus_message_append(call.get(), "as", 2, "login", n.action_label.c_str());
  } else if (r >= 0) {
    r = sd_bus_message_append(call.get(), "as", 0);
  }
  // hints: none; expire_timeout -1: the server's default
  if (r >= 0) r = sd_bus_message_append(call.get(), "a{sv}i", 0, -1);
  if (r < 0) return bus_failure("building Notify", r);

  BusError err;
  sd_bus_message* raw_reply = nullptr;
  if ((r = sd_bus_call(bus.get(), call.get(), usec, &err.e, &raw_reply)) < 0) {
    return bus_failure("Notify", r, &err.e);
  }
  MessagePtr reply(raw_reply);
  std::uint32_t id = 0;
  if ((r = sd_bus_message_read(reply.get(), "u", &id)) < 0) {
    return bus_failure("reading Notify's answer", r);
  }
  return id;
}

}  // namespace bqb
