// A desktop notification server for tests: owns org.freedesktop.Notifications on the session bus
// (DBUS_SESSION_BUS_ADDRESS) and appends each Notify call to FILE as one tab-separated line:
// app_name, summary, body, then the actions. Usage: bqbit-fake-notifications FILE [--no-actions]
// (--no-actions: GetCapabilities leaves "actions" out). Prints "ready" once it owns the name.

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <systemd/sd-bus.h>

namespace {

const char* g_record = nullptr;
bool g_actions = true;
unsigned g_next_id = 1;

int get_capabilities(sd_bus_message* m, void*, sd_bus_error*) {
  sd_bus_message* reply = nullptr;
  int r = sd_bus_message_new_method_return(m, &reply);
  if (r >= 0) {
    r = g_actions ? sd_bus_message_append(reply, "as", 2, "body", "actions")
                  : sd_bus_message_append(reply, "as", 1, "body");
  }
  if (r >= 0) r = sd_bus_send(nullptr, reply, nullptr);
  sd_bus_message_unref(reply);
  return r;
}

int notify(sd_bus_message* m, void*, sd_bus_error*) {
  const char *app = nullptr, *icon = nullptr, *summary = nullptr, *body = nullptr;
  unsigned replaces = 0;
  int r = sd_bus_message_read(m, "susss", &app, &replaces, &icon, &summary, &body);
  if (r < 0) return r;
  std::string line = std::string(app) + "\t" + summary + "\t" + body;
  if ((r = sd_bus_message_enter_container(m, 'a', "s")) < 0) return r;
  const char* action = nullptr;
  while ((r = sd_bus_message_read(m, "s", &action)) > 0) line += std::string("\t") + action;
  if (r < 0) return r;
  std::ofstream(g_record, std::ios::app) << line << "\n";
  return sd_bus_reply_method_return(m, "u", g_next_id++);
}

int get_server_information(sd_bus_message* m, void*, sd_bus_error*) {
  return sd_bus_reply_method_return(m, "ssss", "bqbit-fake-notifications", "bqbroker", "1", "1.2");
}

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0), SD_BUS_METHOD("GetCapabilities", "", "as", get_capabilities, 0),
    SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", notify, 0),
    SD_BUS_METHOD("GetServerInformation", "", "ssss", get_server_information, 0),
    SD_BUS_VTABLE_END};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [--no-actions]\n", argv[0]);
    return 2;
  }
  g_record = argv[1];
  g_actions = !(argc > 2 && std::strcmp(argv[2], "--no-actions") == 0);
  sd_bus* bus = nullptr;
  int r = sd_bus_open_user(&bus);
  if (r >= 0) {
    r = sd_bus_add_object_vtable(bus, nullptr, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", kVtable, nullptr);
  }
  if (r >= 0) r = sd_bus_request_name(bus, "org.freedesktop.Notifications", 0);
  if (r < 0) {
    std::fprintf(stderr, "fake notifications: %s\n", std::strerror(-r));
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    r = sd_bus_process(bus, nullptr);
    if (r < 0) return 1;
    if (r > 0) continue;
    if (sd_bus_wait(bus, UINT64_MAX) < 0) return 1;
  }
}
