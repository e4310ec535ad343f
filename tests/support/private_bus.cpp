#include "tests/support/private_bus.h"

#include <fstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace bqb::itest {

namespace fs = std::filesystem;

PrivateBus::PrivateBus(const fs::path& socket, const Environment& env) : socket_(socket) {
  const fs::path conf = fs::path(socket_).replace_extension(".conf");
  // No <servicedir>: nothing is activated on demand.
  std::ofstream(conf) << fmt::format(
      "<busconfig><type>session</type><listen>unix:path={}</listen><auth>EXTERNAL</auth>"
      "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
      "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>",
      socket_.string());
  daemon_.emplace(std::vector<std::string>{"dbus-daemon", "--config-file=" + conf.string(),
                                           "--nofork", "--nopidfile"},
                  env, Redirects{});
}

::testing::AssertionResult PrivateBus::wait_listening() const {
  for (auto deadline = Clock::now() + 10s; !fs::exists(socket_) && Clock::now() < deadline;) {
    std::this_thread::sleep_for(10ms);
  }
  if (!fs::exists(socket_)) return ::testing::AssertionFailure() << "no bus at " << socket_;
  return ::testing::AssertionSuccess();
}

}  // namespace bqb::itest
