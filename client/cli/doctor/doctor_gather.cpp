#include "client/cli/doctor/doctor_gather.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "client/cli/browser.h"
#include "client/lib/api_calls.h"
#include "client/lib/socket_trust.h"
#include "proto/private_path.h"
#include "proto/read_to_end.h"
#include "proto/routes.h"
#include "proto/socket_path.h"
#include "proto/spawn.h"
#include "proto/unique_fd.h"

namespace bqb::cli::doctor {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

SocketFacts socket_facts(const Context& ctx) {
  SocketFacts s;
  const auto inputs = socket_path_inputs_from_env(ctx.global.socket);
  s.path = ctx.socket_path().string();
  s.from_runtime_dir = inputs.flag || inputs.env_socket || inputs.xdg_runtime_dir;
  auto facts = inspect_path(s.path);
  s.exists = facts && *facts;
  s.trust = client::check_socket_path(s.path);
  return s;
}

/// GET /v1/status, then GET /v1/doctor, each bounded: doctor must answer even when the daemon
/// hangs.
void ask_daemon(const Context& ctx, DoctorFacts& f) {
  if (!f.socket.trust) return;
  client::ClientOptions options;
  options.connect_timeout = std::chrono::seconds(5);
  // The daemon's own network check is bounded by [oauth] request_timeout_seconds (15 s).
  options.io_timeout = std::chrono::seconds(40);
  auto daemon = ctx.connect(options);
  if (!daemon) {
    f.status = tl::unexpected(daemon.error());
    return;
  }
  f.status = client::get_status(*daemon);
  if (!*f.status) return;
  auto response = daemon->request(routes::kDoctor);
  if (!response) {
    f.daemon = tl::unexpected(response.error());
    return;
  }
  f.daemon = api::parse_doctor_response(response->body);
}

/// What a child printed and how it ended.
struct Captured {
  std::string out;     // stdout, and stderr too when asked
  int exit_code = -1;  // -1 when a signal ended it
};

/// Runs `argv` to its end with stdin on /dev/null. @returns its output (stderr included when
/// `with_stderr`, else dropped) and exit code, or why it could not be run.
Result<Captured> run_captured(std::vector<std::string> argv, bool with_stderr) {
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    return fail(Errc::io_error, std::string("pipe: ") + std::strerror(errno));
  }
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  SpawnOptions options;
  options.argv = std::move(argv);
  options.std_in = StdStream::dev_null();
  options.std_out = StdStream::from_fd(write_end.get());
  options.std_err = with_stderr ? StdStream::from_fd(write_end.get()) : StdStream::dev_null();
  BQB_TRY(pid, spawn_process(options));
  write_end.reset();
  auto out = read_to_end(read_end.get(), 64 * 1024);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!out) return fail(Errc::io_error, options.argv.front() + "'s output could not be read");
  return Captured{std::move(*out), WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

/// @returns the first line of `text`.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

SystemdFacts systemd_facts() {
  SystemdFacts s;
  auto runtime = env("XDG_RUNTIME_DIR");
  std::error_code ec;
  s.user_manager = runtime && fs::exists(fs::path(*runtime) / "systemd" / "private", ec);
  if (s.user_manager) {
    // Its exit status is not looked at: is-enabled exits 1 for "disabled".
    auto run = run_captured({"systemctl", "--user", "is-enabled", "bqbroker.socket"}, false);
    if (run) {
      s.socket_enabled = first_line(run->out);
    } else {
      s.socket_enabled = tl::unexpected(run.error());
    }
  }
  return s;
}

std::vector<std::string> proxy_variables() {
  // What daemon/net/outbound_proxy.h reads, plus ALL_PROXY, which curl and others honour.
  static constexpr std::array kNames{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                                     "ALL_PROXY",   "all_proxy",   "NO_PROXY",   "no_proxy"};
  std::vector<std::string> set;
  for (const char* name : kNames) {
    if (env(name)) set.emplace_back(name);
  }
  return set;
}

/// @returns the executable file `program` names: as given when it has a '/', else the first in
/// a directory of $PATH; nullopt when there is none.
std::optional<fs::path> find_executable(const std::string& program) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return fs::path(program);
    return std::nullopt;
  }
  std::istringstream dirs(env("PATH").value_or("/usr/local/bin:/usr/bin:/bin"));
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / program;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

/// `bqbrokerd --check-config`, from beside this bqbroker (an installed pair) or from $PATH.
std::optional<OfflineConfig> offline_config() {
  std::error_code ec;
  const fs::path beside = fs::read_symlink("/proc/self/exe", ec).parent_path() / "bqbrokerd";
  auto daemon = !ec && ::access(beside.c_str(), X_OK) == 0 ? std::optional(beside)
                                                           : find_executable("bqbrokerd");
  if (!daemon) return std::nullopt;
  auto run = run_captured({daemon->string(), "--check-config"}, true);
  if (!run) return std::nullopt;
  return OfflineConfig{daemon->string(), run->exit_code, std::move(run->out)};
}

BrowserFacts browser_facts() {
  BrowserFacts b;
  const auto browser = env("BROWSER");
  b.from_env = browser.has_value();
  b.command = browser_command("https://accounts.google.com/", browser);
  b.found = find_executable(b.command.front()).has_value();
  b.display = display_available();
  return b;
}

}  // namespace

DoctorFacts gather(const Context& ctx) {
  DoctorFacts f;
  f.socket = socket_facts(ctx);
  f.systemd = systemd_facts();
  ask_daemon(ctx, f);
  if (f.status && !*f.status) f.offline_config = offline_config();
  f.proxy_variables = proxy_variables();
  f.browser = browser_facts();
  return f;
}

}  // namespace bqb::cli::doctor
