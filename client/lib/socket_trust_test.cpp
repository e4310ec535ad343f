// The client's checks before it talks to a socket (client/lib/socket_trust.h), through
// DaemonClient::connect as the CLI uses it: a socket or directory that others could have planted
// or replaced is refused with daemon_unreachable, and the fake daemon behind it never even sees
// a connection. (Another owner and another listening uid need a second user: see
// tests/integration/planted_socket_test.cpp.)

#include "client/lib/socket_trust.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/lib/daemon_client.h"
#include "tests/support/fake_daemon.h"

namespace bqb::client {
namespace {

namespace fs = std::filesystem;
using bqb::testing::FakeConn;
using bqb::testing::FakeDaemon;
using bqb::testing::http_response;
using bqb::testing::TempDir;
using ::testing::HasSubstr;

FakeDaemon::Handler answer_status() {
  return [](FakeConn& c) {
    while (c.read_request()) c.write(http_response(200, "OK", R"({"pid":1})"));
  };
}

/// Expects `connected` to be the refusal of `path`, saying `why`.
void expect_refused(const Result<DaemonClient>& connected, const fs::path& path,
                    std::string_view why) {
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(connected.error().message, HasSubstr("refusing " + path.string()));
  EXPECT_THAT(connected.error().message, HasSubstr(why));
  EXPECT_THAT(connected.error().hint, HasSubstr("nothing was sent"));
}

TEST(SocketTrust, TheUsersOwnSocketIsUsed) {
  FakeDaemon daemon(answer_status());
  EXPECT_TRUE(check_socket_path(daemon.socket()));
  auto client = DaemonClient::connect(daemon.socket());
  ASSERT_TRUE(client) << client.error().message;
  EXPECT_TRUE(client->request("GET", "/v1/status"));
}

TEST(SocketTrust, ADirectoryOthersCanWriteToIsRefusedBeforeConnecting) {
  for (auto perms : {0770, 0707, 0777, 01777}) {
    SCOPED_TRACE(perms);
    FakeDaemon daemon(answer_status());
    const fs::path dir = daemon.socket().parent_path();
    ASSERT_EQ(::chmod(dir.c_str(), static_cast<mode_t>(perms)), 0);
    auto client = DaemonClient::connect(daemon.socket());
    ASSERT_NO_FATAL_FAILURE(expect_refused(client, dir, "lets other users write to it"));
    EXPECT_THAT(client.error().message,
                HasSubstr("the directory of the daemon socket " + daemon.socket().string()));
    EXPECT_THAT(client.error().hint, HasSubstr("chmod go-w " + dir.string()));
    EXPECT_EQ(daemon.connections(), 0);
  }
}

TEST(SocketTrust, ASocketOthersCanWriteToIsRefused) {
  FakeDaemon daemon(answer_status());
  ASSERT_EQ(::chmod(daemon.socket().c_str(), 0666), 0);
  expect_refused(DaemonClient::connect(daemon.socket()), daemon.socket(),
                 "its mode 0666 lets other users write to it");
  EXPECT_EQ(daemon.connections(), 0);
}

TEST(SocketTrust, ASymlinkToTheSocketIsRefused) {
  FakeDaemon daemon(answer_status());
  const fs::path link = daemon.socket().parent_path() / "link.sock";
  fs::create_symlink(daemon.socket(), link);
  auto client = DaemonClient::connect(link);
  ASSERT_NO_FATAL_FAILURE(expect_refused(client, link, "it is a symbolic link"));
  EXPECT_THAT(client.error().hint, HasSubstr("realpath"));
  EXPECT_EQ(daemon.connections(), 0);
}

TEST(SocketTrust, ASymlinkedDirectoryIsRefused) {
  FakeDaemon daemon(answer_status());
  TempDir other;
  const fs::path link_dir = other.path() / "bqbroker";
  fs::create_directory_symlink(daemon.socket().parent_path(), link_dir);
  expect_refused(DaemonClient::connect(link_dir / "bqbroker.sock"), link_dir,
                 "it is a symbolic link");
  EXPECT_EQ(daemon.connections(), 0);
}

TEST(SocketTrust, SomethingElseThanASocketOrADirectoryIsRefused) {
  TempDir dir;
  const fs::path file = dir.path() / "bqbroker.sock";
  std::ofstream(file) << "not a socket";
  expect_refused(DaemonClient::connect(file), file, "it is a regular file, not a socket");

  expect_refused(DaemonClient::connect(file / "bqbroker.sock"), file,
                 "it is a regular file, not a directory");
  fs::create_directory(dir.path() / "d.sock");
  expect_refused(DaemonClient::connect(dir.path() / "d.sock"), dir.path() / "d.sock",
                 "it is a directory, not a socket");
}

TEST(SocketTrust, AMissingSocketIsLeftToConnectToReport) {
  TempDir dir;
  EXPECT_TRUE(check_socket_path(dir.path() / "bqbroker.sock"));
  EXPECT_TRUE(check_socket_path(dir.path() / "none" / "bqbroker.sock"));
  auto client = DaemonClient::connect(dir.path() / "bqbroker.sock");
  ASSERT_FALSE(client);
  EXPECT_THAT(client.error().message, HasSubstr("no bqbroker daemon is listening"));
}

TEST(SocketTrust, APeerOfTheSameUidIsTrusted) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  EXPECT_TRUE(check_socket_peer(fds[0], "/s"));
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(SocketTrust, ASocketWhoseListenerIsUnknownIsRefused) {
  // Not a socket at all: SO_PEERCRED fails, and the client must not guess.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  auto checked = check_socket_peer(pipe_fds[1], "/run/x.sock");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, Errc::daemon_unreachable);
  EXPECT_THAT(checked.error().message, HasSubstr("refusing /run/x.sock: "));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
}  // namespace bqb::client
