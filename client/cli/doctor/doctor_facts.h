#pragma once
// What `bqbroker doctor` finds out before it judges anything: the input of doctor_checks.h.
// Plain values, so that every verdict can be tested from a hand-made DoctorFacts.

#include <optional>
#include <string>
#include <vector>

#include "proto/api.h"
#include "proto/doctor_api.h"
#include "proto/error.h"

namespace bqb::cli::doctor {

struct SocketFacts {
  std::string path;
  bool from_runtime_dir = true;  // $XDG_RUNTIME_DIR (or --socket/$BQBROKER_SOCKET), not /tmp
  bool exists = false;
  Status trust;  // client/lib/socket_trust.h's check of the path and its directory
};

struct SystemdFacts {
  /// Whether a systemd user manager runs for this user ($XDG_RUNTIME_DIR/systemd/private).
  bool user_manager = false;
  /// `systemctl --user is-enabled bqbroker.socket`'s first line ("enabled", "disabled",
  /// "not-found"…), or why it could not be asked.
  Result<std::string> socket_enabled = std::string();
};

struct BrowserFacts {
  std::vector<std::string> command;  // what `bqbroker login` would run (browser.h)
  bool from_env = false;             // $BROWSER chose it
  bool found = false;                // command[0] is an executable (on PATH)
  bool display = false;              // $DISPLAY or $WAYLAND_DISPLAY set
};

/// `bqbrokerd --check-config` (the daemon's own loader, without starting it), run when no daemon
/// answered: a configuration file that stops every start is the usual reason.
struct OfflineConfig {
  std::string daemon;  // the bqbrokerd that was run
  int exit_code = 0;   // 0: valid; -1: a signal ended it
  std::string output;  // stdout and stderr: the file's path, or "bqbrokerd: …\nhint: …"
};

struct DoctorFacts {
  SocketFacts socket;
  /// GET /v1/status, or why the daemon did not answer; nullopt when it was not asked (the socket
  /// was refused).
  std::optional<Result<api::StatusResponse>> status;
  /// GET /v1/doctor; nullopt when status failed.
  std::optional<Result<api::DoctorResponse>> daemon;
  /// Set when the daemon did not answer and a bqbrokerd was found to run.
  std::optional<OfflineConfig> offline_config;
  SystemdFacts systemd;
  /// The proxy variables set in this environment, by name (never their values: a proxy URL may
  /// carry a password).
  std::vector<std::string> proxy_variables;
  BrowserFacts browser;
};

}  // namespace bqb::cli::doctor
