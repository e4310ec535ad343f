#include "client/cli/doctor/doctor_checks.h"

#include <algorithm>
#include <cstdlib>

#include "proto/accounts_api.h"

namespace bqb::cli::doctor {
namespace {

constexpr std::string_view kStartSystemd =
    "systemctl --user enable --now bqbroker.socket (journalctl --user -u bqbroker.service says "
    "why it stopped)";
constexpr std::string_view kStartByHand = "bqbrokerd &  (no systemd user manager here)";

Check ok(std::string name, std::string detail, bool required) {
  return {std::move(name), Verdict::ok, std::move(detail), "", required};
}
Check failed(std::string name, std::string detail, std::string fix, bool required) {
  return {std::move(name), Verdict::fail, std::move(detail), std::move(fix), required};
}
Check skipped(std::string name, std::string reason, bool required) {
  return {std::move(name), Verdict::skip, std::move(reason), "", required};
}

/// A check that needs the daemon, when it did not answer.
Check no_daemon(std::string name, bool required) {
  return skipped(std::move(name), "not checked: the daemon did not answer", required);
}

/// @returns `e`'s message, and its hint as the fix (or `fallback` when it has none).
Check failed_with(std::string name, const Error& e, std::string fallback, bool required) {
  return failed(std::move(name), e.message, e.hint.empty() ? std::move(fallback) : e.hint,
                required);
}

Check socket_check(const SocketFacts& s) {
  if (!s.trust) return failed_with("socket", s.trust.error(), "", true);
  std::string where = s.from_runtime_dir
                          ? ""
                          : " (no $XDG_RUNTIME_DIR: the /tmp fallback, which other users can see)";
  if (!s.exists) {
    // Not a failure of its own: the daemon check says what to start.
    return skipped("socket", "no socket at " + s.path + " yet: the daemon creates it" + where,
                   false);
  }
  return ok("socket", s.path + " and its directory are yours alone" + where, true);
}

Check daemon_check(const DoctorFacts& f) {
  if (!f.status) return skipped("daemon", "not asked: the socket is refused", true);
  if (!*f.status) {
    const std::string start(f.systemd.user_manager ? kStartSystemd : kStartByHand);
    return failed("daemon", f.status->error().message, start, true);
  }
  const auto& s = **f.status;
  return ok("daemon", "bqbrokerd " + s.version + " answers (pid " + std::to_string(s.pid) + ")",
            true);
}

Check version_check(const DoctorFacts& f, std::string_view cli_version) {
  if (!f.status || !*f.status) return no_daemon("version", false);
  const std::string& daemon = (*f.status)->version;
  if (daemon == cli_version)
    return ok("version", "bqbroker and bqbrokerd are both " + daemon, false);
  return failed("version",
                "bqbrokerd is " + daemon + " but this bqbroker is " + std::string(cli_version),
                "systemctl --user restart bqbroker.service (to run the installed daemon)", false);
}

Check systemd_check(const SystemdFacts& s) {
  if (!s.user_manager) {
    return skipped("systemd", "no systemd user manager runs for you: start bqbrokerd yourself",
                   false);
  }
  if (!s.socket_enabled) {
    return failed("systemd", "cannot ask systemctl: " + s.socket_enabled.error().message,
                  "systemctl --user is-enabled bqbroker.socket", false);
  }
  const std::string& state = *s.socket_enabled;
  if (state == "enabled" || state == "enabled-runtime" || state == "static" ||
      state == "indirect" || state == "linked" || state == "linked-runtime") {
    return ok("systemd", "bqbroker.socket is " + state, false);
  }
  if (state == "not-found" || state.empty()) {
    return failed("systemd", "the bqbroker user units are not installed",
                  "install bqbroker's package (or cmake --install), then systemctl --user "
                  "daemon-reload && systemctl --user enable --now bqbroker.socket",
                  false);
  }
  return failed("systemd", "bqbroker.socket is " + state,
                "systemctl --user enable --now bqbroker.socket", false);
}

/// The config check from `bqbrokerd --check-config`'s output, when no daemon answered.
Check offline_config_check(const OfflineConfig& c) {
  std::string text = c.output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (c.exit_code == 0)
    return ok("config", text + " is valid (" + c.daemon + " --check-config)", true);
  // startup_failed's form: "bqbrokerd: MESSAGE" and, when there is one, "hint: HINT".
  constexpr std::string_view kPrefix = "bqbrokerd: ";
  constexpr std::string_view kHint = "\nhint: ";
  std::string hint;
  if (auto at = text.find(kHint); at != std::string::npos) {
    hint = text.substr(at + kHint.size());
    text.erase(at);
  }
  if (text.starts_with(kPrefix)) text.erase(0, kPrefix.size());
  return failed("config", text,
                hint.empty() ? "fix the configuration file, then start the daemon" : hint, true);
}

Check config_check(const DoctorFacts& f) {
  if ((!f.daemon || !*f.daemon) && f.offline_config) return offline_config_check(*f.offline_config);
  if (!f.daemon || !*f.daemon) return no_daemon("config", true);
  const auto& c = (*f.daemon)->config;
  if (c.error) {
    return failed_with("config", *c.error,
                       "fix " + c.path + ", then systemctl --user restart bqbroker.service", true);
  }
  return ok("config", c.path + " is valid", true);
}

Check store_check(const DoctorFacts& f) {
  if (!f.daemon || !*f.daemon) return no_daemon("store", true);
  const auto& s = (*f.daemon)->store;
  if (s.error) return failed_with("store", *s.error, "", true);
  if (s.kind == "secret-service") {
    return ok("store", "the Secret Service (desktop keyring) answers and is unlocked", true);
  }
  if (s.kind == "file") {
    return ok("store",
              "the file store is in use (store = \"file\"): refresh tokens are in a 0600 file, "
              "not in the keyring",
              true);
  }
  return ok("store",
            "the memory store is in use (store = \"" + s.kind +
                "\"): logins are forgotten when the daemon stops",
            true);
}

void account_checks(const DoctorFacts& f, std::vector<Check>& out) {
  if (!f.status || !*f.status) {
    out.push_back(no_daemon("account", true));
    return;
  }
  const auto& accounts = (*f.status)->accounts;
  if (accounts.empty()) {
    out.push_back(failed("account", "no account is signed in", "bqbroker login", true));
    return;
  }
  for (const auto& j : accounts) {
    auto a = api::parse_account_info(j, "status response");
    if (!a) {
      out.push_back(failed("account", a.error().message, "bqbroker status --json", true));
      continue;
    }
    std::string who = a->email + (a->is_default ? " (default)" : "");
    if (a->state == "ok") {
      out.push_back(ok("account", who + ": ok", true));
      continue;
    }
    std::string why = a->reason ? ": " + *a->reason : "";
    if (a->since) why += " (since " + *a->since + ")";
    out.push_back(failed("account", who + " needs a new login" + why,
                         "bqbroker login --account " + a->email, true));
  }
}

Check clock_check(const DoctorFacts& f) {
  if (!f.daemon || !*f.daemon) return no_daemon("clock", true);
  const auto& c = (*f.daemon)->clock;
  if (!c.skew_seconds) {
    const Error e = c.error.value_or(Error{Errc::internal, "no answer", ""});
    return failed("clock", "cannot compare clocks with " + c.url + ": " + e.message,
                  e.hint.empty() ? "check the network and the proxy variables of the daemon "
                                   "(systemctl --user show-environment)"
                                 : e.hint,
                  true);
  }
  const std::int64_t skew = *c.skew_seconds;
  const std::string off =
      std::to_string(std::llabs(skew)) + " s " + (skew > 0 ? "behind" : "ahead of");
  if (std::llabs(skew) > kMaxClockSkewSeconds) {
    return failed("clock", "this computer's clock is " + off + " " + c.url + "'s Date",
                  "sudo timedatectl set-ntp true (or set the time: sudo date -s …)", true);
  }
  return ok("clock",
            skew == 0 ? "in step with " + c.url
                      : "within " + std::to_string(std::llabs(skew)) + " s of " + c.url,
            true);
}

Check proxy_check(const std::vector<std::string>& names) {
  if (names.empty()) return ok("proxy", "no proxy variables set", false);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return ok("proxy",
            "set here: " + list +
                " (the daemon uses its own environment: systemctl --user show-environment)",
            false);
}

Check browser_check(const BrowserFacts& b) {
  const std::string program = b.command.empty() ? "" : b.command.front();
  const std::string source = b.from_env ? "$BROWSER's " : "";
  if (!b.found) {
    return failed("browser", "no " + source + program + " to open the login page",
                  "sudo apt install xdg-utils, or set BROWSER; or bqbroker login --no-browser",
                  false);
  }
  if (!b.display) {
    return skipped("browser",
                   source + program +
                       " is there but no display is ($DISPLAY, $WAYLAND_DISPLAY): "
                       "bqbroker login prints the URL to open elsewhere",
                   false);
  }
  return ok("browser", "bqbroker login opens the page with " + source + program, false);
}

Check metadata_check(const DoctorFacts& f) {
  if (!f.daemon || !*f.daemon) return no_daemon("metadata", false);
  const auto& listen = (*f.daemon)->metadata_listen;
  if (!listen) return skipped("metadata", "[metadata] listen is off", false);
  return ok("metadata", *listen + " is served by the daemon", false);
}

}  // namespace

std::vector<Check> evaluate(const DoctorFacts& facts, std::string_view cli_version) {
  std::vector<Check> checks;
  checks.push_back(socket_check(facts.socket));
  checks.push_back(daemon_check(facts));
  checks.push_back(version_check(facts, cli_version));
  checks.push_back(systemd_check(facts.systemd));
  checks.push_back(config_check(facts));
  checks.push_back(store_check(facts));
  account_checks(facts, checks);
  checks.push_back(clock_check(facts));
  checks.push_back(proxy_check(facts.proxy_variables));
  checks.push_back(browser_check(facts.browser));
  checks.push_back(metadata_check(facts));
  return checks;
}

bool healthy(const std::vector<Check>& checks) {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) {
    // A required check skipped was skipped because another required one failed.
    return !c.required || c.verdict == Verdict::ok;
  });
}

}  // namespace bqb::cli::doctor
