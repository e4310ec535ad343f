// The CLI never talks to a socket that another local user planted where it looks for the daemon.
// Without $XDG_RUNTIME_DIR it looks in /tmp/bqbroker-$UID/, which anyone can create first.
// Every case runs the real `bqbroker` as bqb-test-a (the user) against a listener run as
// bqb-test-b (another local user) that records every byte it gets: the CLI must exit 3 with a
// message naming the path and its owner, and the listener must have received nothing — not the
// "GET /v1/token" of `token`, not the SQL of `query`, not the refresh token and client secret of
// `login --import-adc`. The user's own daemon on the same path is still served.
//
// Runs as bqb-test-a with CAP_SETUID/SETGID (setpriv) and CAP_CHOWN, with the users of
// scripts/test-users.sh; fails, not skips, without them.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/harness.h"

namespace bqb::itest {
namespace {

namespace fs = std::filesystem;

constexpr int kExitUnreachable = 3;

/// Removes `path` (any depth), whoever owns it. The test process is an ordinary user with
/// CAP_CHOWN only (tests/support/as-test-user.sh): it takes each entry over before removing it,
/// since another user's directory in sticky /tmp is not its to empty or delete.
void reclaim_and_remove(const fs::path& path) {
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return;
  (void)::lchown(path.c_str(), ::getuid(), ::getgid());
  if (fs::is_directory(st)) {
    (void)::chmod(path.c_str(), 0700);
    for (const auto& entry : fs::directory_iterator(path, ec)) reclaim_and_remove(entry.path());
  }
  fs::remove(path, ec);
}

/// /tmp/bqbroker-<uid>, where the CLI looks without $XDG_RUNTIME_DIR. A fixed path outside any
/// sandbox: tests (of this run and of any concurrent one) take turns through an flock on
/// /tmp/bqbit-fallback-<uid>.lock, and the directory is removed before and after each use.
class FallbackDir {
 public:
  explicit FallbackDir(uid_t uid)
      : path_("/tmp/bqbroker-" + std::to_string(uid)),
        lock_(::open(("/tmp/bqbit-fallback-" + std::to_string(uid) + ".lock").c_str(),
                     O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
    if (lock_ < 0 || ::flock(lock_, LOCK_EX) != 0) {
      throw std::system_error(errno, std::generic_category(), "lock for " + path_.string());
    }
    reclaim_and_remove(path_);  // left by a test that crashed; the uid is a test user's
  }
  FallbackDir(const FallbackDir&) = delete;
  FallbackDir& operator=(const FallbackDir&) = delete;
  ~FallbackDir() {
    reclaim_and_remove(path_);
    ::close(lock_);  // releases the flock
  }

  const fs::path& path() const { return path_; }
  fs::path socket() const { return path_ / "bqbroker.sock"; }

 private:
  fs::path path_;
  int lock_;
};

void make_dir(const fs::path& dir, const TestUser& owner, mode_t mode) {
  fs::create_directory(dir);
  // The mode first: once the directory is another user's, only its owner may change it.
  ASSERT_EQ(::chmod(dir.c_str(), mode), 0) << dir;
  ASSERT_EQ(::chown(dir.c_str(), owner.uid, owner.gid), 0) << dir;
}

/// Checks that the CLI refused: exit 3 and every one of `needles` on stderr, nothing on stdout.
::testing::AssertionResult refused(const ProcessResult& r,
                                   const std::vector<std::string>& needles) {
  if (r.status != ExitStatus::exited_with(kExitUnreachable)) {
    return ::testing::AssertionFailure() << "want exit " << kExitUnreachable << ", got " << r;
  }
  for (const auto& n : needles) {
    if (r.err.find(n) == std::string::npos) {
      return ::testing::AssertionFailure() << "stderr lacks [" << n << "]: " << r;
    }
  }
  if (!r.out.empty()) return ::testing::AssertionFailure() << "printed something: " << r;
  return ::testing::AssertionSuccess();
}

/// Checks that the planted listener got no byte, from `connections` connections.
::testing::AssertionResult got_nothing(PlantedListener& listener, int connections) {
  Recording rec;
  if (auto done = listener.finish(rec); !done) return done;
  if (!rec.bytes.empty() || rec.connections != connections) {
    return ::testing::AssertionFailure()
           << "the other user's listener got " << rec.connections << " connection(s) (want "
           << connections << ") and " << rec.bytes.size() << " bytes:\n"
           << rec.bytes;
  }
  return ::testing::AssertionSuccess();
}

class PlantedSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(find_test_users(users_));
    sandbox_.give_to(users_.a);
  }

  /// The user's environment with neither $XDG_RUNTIME_DIR nor $BQBROKER_SOCKET: the CLI falls
  /// back to /tmp/bqbroker-$UID/bqbroker.sock.
  Environment fallback_env() const {
    Environment env = sandbox_.env();
    env.unset("XDG_RUNTIME_DIR").unset("BQBROKER_SOCKET");
    return env;
  }

  /// gcloud's ADC file as `login --import-adc` reads it, owned by the user.
  fs::path adc_file() {
    fs::path file = sandbox_.unique_path("adc", ".json");
    std::ofstream(file) << R"({"type": "authorized_user", "client_id": "planted-client-id",)"
                        << R"( "client_secret": "planted-client-secret",)"
                        << R"( "refresh_token": "planted-refresh-token"})";
    EXPECT_EQ(::chown(file.c_str(), users_.a.uid, users_.a.gid), 0);
    EXPECT_EQ(::chmod(file.c_str(), 0600), 0);
    return file;
  }

  /// Opens (0711) or closes (0700) the sandbox and its runtime directory to other users, so
  /// that the other user can reach the socket directory to plant something in it.
  void open_way(bool open) {
    for (const auto& dir : {sandbox_.root(), sandbox_.runtime_dir()}) {
      ASSERT_EQ(::chmod(dir.c_str(), open ? 0711 : 0700), 0) << dir;
    }
  }

  TestUsers users_;
  Sandbox sandbox_;
};

TEST_F(PlantedSocket, AnotherUsersFallbackDirectoryGetsNothingFromAnyCommand) {
  const std::vector<std::vector<std::string>> commands{
      {"token"},
      {"query", "SELECT 'planted-sql'"},
      {"login", "--import-adc", adc_file().string()},
      {"exec", "--", "true"},
      {"status"},
  };
  // 0777 and 0755 let the user reach the planted socket (and, before the check existed, talk to
  // it); 0700 did not, but must still be refused by name rather than as "permission denied".
  for (mode_t mode : {0777, 0755, 0700}) {
    SCOPED_TRACE(mode);
    FallbackDir fallback(users_.a.uid);
    ASSERT_NO_FATAL_FAILURE(make_dir(fallback.path(), users_.b, mode));
    PlantedListener listener(users_.b, fallback.socket());
    ASSERT_TRUE(listener.wait_listening());
    for (const auto& args : commands) {
      SCOPED_TRACE(args.front());
      auto r = run_cli_as(users_.a, args, fallback_env());
      EXPECT_TRUE(refused(
          r, {"refusing " + fallback.path().string() + " (the directory of the daemon socket " +
                  fallback.socket().string() + ")",
              "it belongs to uid " + std::to_string(users_.b.uid) + " (" + users_.b.name +
                  "), not to you (uid " + std::to_string(users_.a.uid) + ")",
              "nothing was sent"}));
    }
    EXPECT_TRUE(got_nothing(listener, 0));
  }
}

// The directory is the user's own (here $XDG_RUNTIME_DIR/bqbroker in the sandbox: the check does
// not depend on how the path was found), but the socket in it is another user's: it was planted
// while the directory was open to others.
TEST_F(PlantedSocket, AnotherUsersSocketInTheUsersOwnDirectoryIsRefused) {
  ASSERT_NO_FATAL_FAILURE(make_dir(sandbox_.socket_dir(), users_.a, 0777));
  ASSERT_NO_FATAL_FAILURE(open_way(true));
  PlantedListener listener(users_.b, sandbox_.socket_path());
  ASSERT_TRUE(listener.wait_listening());
  ASSERT_NO_FATAL_FAILURE(open_way(false));
  ASSERT_EQ(::chmod(sandbox_.socket_dir().c_str(), 0700), 0);

  auto r = run_cli_as(users_.a, {"token"}, sandbox_.env());
  EXPECT_TRUE(refused(r, {"refusing " + sandbox_.socket_path().string() + ": it belongs to uid " +
                              std::to_string(users_.b.uid) + " (" + users_.b.name + ")",
                          "nothing was sent"}));
  EXPECT_TRUE(got_nothing(listener, 0));
}

// Every path looks right (the user's directory, 0700; the user's socket, 0600), but another
// user's process listens on it: the administrator (root, here) handed the socket file over after
// bqb-test-b bound it. Only SO_PEERCRED tells, right after connect(), before any byte is sent.
TEST_F(PlantedSocket, AListenerOfAnotherUidBehindTheUsersOwnPathsGetsNoByte) {
  ASSERT_NO_FATAL_FAILURE(make_dir(sandbox_.socket_dir(), users_.b, 0700));
  ASSERT_NO_FATAL_FAILURE(open_way(true));
  PlantedListener listener(users_.b, sandbox_.socket_path());
  ASSERT_TRUE(listener.wait_listening());
  ASSERT_NO_FATAL_FAILURE(open_way(false));
  const auto& socket = sandbox_.socket_path();
  ASSERT_EQ(::lchown(socket.c_str(), users_.a.uid, users_.a.gid), 0);
  ASSERT_EQ(::chmod(socket.c_str(), 0600), 0);
  ASSERT_EQ(::chown(sandbox_.socket_dir().c_str(), users_.a.uid, users_.a.gid), 0);

  for (const auto& args : std::vector<std::vector<std::string>>{{"token"}, {"status"}}) {
    SCOPED_TRACE(args.front());
    auto r = run_cli_as(users_.a, args, sandbox_.env());
    EXPECT_TRUE(refused(
        r, {"refusing " + socket.string() + ": the process listening on it (pid " +
                std::to_string(listener.pid()) + ") runs as uid " + std::to_string(users_.b.uid) +
                " (" + users_.b.name + "), not as you (uid " + std::to_string(users_.a.uid) + ")",
            "nothing was sent"}));
  }
  EXPECT_TRUE(got_nothing(listener, 2));
}

TEST_F(PlantedSocket, TheUsersOwnDaemonOnTheFallbackPathServesTheCli) {
  FallbackDir fallback(users_.a.uid);
  DaemonProcess d(sandbox_, DaemonOptions().with_user(users_.a).without_socket_flag().with_env(
                                "XDG_RUNTIME_DIR", std::nullopt));
  ASSERT_TRUE(d.wait_ready());
  auto dir = fs::symlink_status(fallback.path());
  EXPECT_EQ(dir.permissions(), static_cast<fs::perms>(0700));

  auto r = run_cli_as(users_.a, {"status"}, fallback_env());
  EXPECT_TRUE(r.status.success()) << r;
  EXPECT_NE(r.out.find(fallback.socket().string()), std::string::npos) << r;
  EXPECT_EQ(d.stop(), ExitStatus::exited_with(0)) << d.log();
}

}  // namespace
}  // namespace bqb::itest
