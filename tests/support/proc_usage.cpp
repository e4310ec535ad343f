#include "tests/support/proc_usage.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

namespace bqb::itest {

std::ostream& operator<<(std::ostream& os, const ProcUsage& u) {
  return os << "fds=" << u.fds << " threads=" << u.threads << " rss_kb=" << u.rss_kb;
}

Expected<ProcUsage> proc_usage(pid_t pid) {
  const std::filesystem::path dir = "/proc/" + std::to_string(pid);
  ProcUsage u;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir / "fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++u.fds;
  }
  if (ec) {
    return tl::unexpected(
        "cannot list " + (dir / "fd").string() + ": " + ec.message() +
        " (a non-dumpable process's fds need CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)");
  }
  std::ifstream status(dir / "status");
  if (!status) return tl::unexpected("cannot read " + (dir / "status").string());
  bool threads = false;
  bool rss = false;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) {
      u.threads = std::stol(line.substr(8));
      threads = true;
    } else if (line.rfind("VmRSS:", 0) == 0) {
      u.rss_kb = std::stol(line.substr(6));
      rss = true;
    }
  }
  if (!threads || !rss) return tl::unexpected("no Threads/VmRSS in " + (dir / "status").string());
  return u;
}

long unix_connections(const std::filesystem::path& path) {
  std::ifstream in("/proc/net/unix");
  long n = 0;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    // Num RefCount Protocol Flags Type St Inode Path; St 03 is SS_CONNECTED.
    std::istringstream fields(line);
    std::string num, refs, protocol, flags, type, state, inode, address;
    fields >> num >> refs >> protocol >> flags >> type >> state >> inode >> address;
    if (state == "03" && address == path.native()) ++n;
  }
  return n;
}

}  // namespace bqb::itest
