// The libsecret store against a real Secret Service (gnome-keyring in the private D-Bus session
// that scripts/with-keyring.sh starts). The unreachable and locked cases run the store in a child
// process (this binary with --probe) with a broken or separate session, because GLib caches the
// session bus connection for the life of a process.

#include "daemon/accounts/libsecret_store.h"

#include <fcntl.h>
#include <libsecret/secret.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/accounts/account.h"
#include "proto/spawn.h"

extern char** environ;

namespace bqb {
namespace {

namespace fs = std::filesystem;

bool have_session_bus() {
  const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  return address != nullptr && *address != '\0';
}

#define REQUIRE_SESSION_BUS()                                                                    \
  ASSERT_TRUE(have_session_bus())                                                                \
      << "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset): run the keyring tests "          \
         "with scripts/with-keyring.sh ctest -L keyring"

std::string unique_email() {
  std::random_device rd;
  return "keyring-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + "@example.com";
}

struct Outcome {
  int exit_code = -1;
  std::string out;
};

// Runs `argv` with the environment `env` (NAME → value; a nullopt value unsets NAME) and returns
// its exit code and stdout (with stderr when `with_stderr`) once it exits. No timeout of its own:
// the child's calls are bounded by the store's deadline, and ctest's TIMEOUT bounds the whole test.
Outcome run(const std::vector<std::string>& argv,
            const std::map<std::string, std::optional<std::string>>& env = {},
            bool with_stderr = false) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (!env.contains(name)) env_strings.push_back(entry);
  }
  for (const auto& [name, value] : env) {
    if (value) env_strings.push_back(name + "=" + *value);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  SpawnOptions options;
  options.argv = argv;
  options.env = std::move(env_strings);
  options.std_out = StdStream::from_fd(fds[1]);
  if (with_stderr) options.std_err = StdStream::from_fd(fds[1]);
  const auto pid = spawn_process(options);
  ::close(fds[1]);
  Outcome outcome;
  if (!pid) {
    ::close(fds[0]);
    outcome.out = "spawn failed: " + pid.error().message;
    return outcome;
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    outcome.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

// The probe a child runs: one get through the libsecret store, printed as "probe-result: ok …" or
// "probe-result: error CODE\nMESSAGE\nHINT" (gnome-keyring may print to the same stdout).
int probe(std::chrono::milliseconds timeout) {
  LibsecretStore store(LibsecretStore::Options{timeout});
  auto got = store.get(SecretKey{"probe@example.com", "probe-client"});
  if (got) {
    std::cout << "probe-result: ok " << (*got ? "found" : "absent") << "\n";
  } else {
    std::cout << "probe-result: error " << to_string(got.error().code) << "\n"
              << got.error().message << "\n"
              << got.error().hint << "\n";
  }
  return 0;
}

class LibsecretStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (have_session_bus()) (void)store_.remove(key_);
  }
  LibsecretStore store_;
  SecretKey key_{unique_email(), "1234-test.apps.googleusercontent.com"};
};

TEST_F(LibsecretStoreTest, PutGetReplaceRemove) {
  REQUIRE_SESSION_BUS();
  EXPECT_EQ(store_.kind(), "secret-service");
  auto missing = store_.get(key_);
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(*missing);

  const std::string label = credentials_label(key_.account);
  ASSERT_TRUE(store_.put(key_, Secret(R"({"version":1,"refresh_token":"1//first"})"), label));
  auto got = store_.get(key_);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(*got);
  EXPECT_EQ((*got)->reveal(), R"({"version":1,"refresh_token":"1//first"})");

  ASSERT_TRUE(store_.put(key_, Secret("second"), label));
  EXPECT_EQ((*store_.get(key_))->reveal(), "second");

  // Another client id of the same account is another item.
  const SecretKey other{key_.account, "other-client"};
  EXPECT_FALSE(*store_.get(other));

  auto removed = store_.remove(key_);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_FALSE(*store_.get(key_));
  EXPECT_TRUE(store_.remove(key_));  // removing what is not there is fine
}

TEST_F(LibsecretStoreTest, ItemIsLabelledForPeopleAndCarriesOnlyNonSecretAttributes) {
  REQUIRE_SESSION_BUS();
  const std::string secret = "1//0refresh-token-for-secret-tool";
  ASSERT_TRUE(store_.put(key_, Secret(secret), credentials_label(key_.account)));

  // secret-tool prints the item's path, label and secret on stdout and its attributes on stderr.
  auto found = run({"secret-tool", "search", "--all", "account", key_.account}, {}, true);
  ASSERT_EQ(found.exit_code, 0);
  const std::string& out = found.out;
  EXPECT_NE(out.find("label = bqbroker: BigQuery credentials for " + key_.account + "\n"),
            std::string::npos);
  EXPECT_NE(out.find("schema = org.bqbroker.Credentials\n"), std::string::npos);
  EXPECT_NE(out.find("attribute.account = " + key_.account + "\n"), std::string::npos);
  EXPECT_NE(out.find("attribute.client_id = " + key_.client_id + "\n"), std::string::npos);
  // Exactly one item, and the secret only as its value, never in an attribute or the label.
  EXPECT_EQ(out.find("label ="), out.rfind("label ="));
  for (std::size_t pos = 0; (pos = out.find(secret, pos)) != std::string::npos; ++pos) {
    const std::size_t line_start = out.rfind('\n', pos) + 1;
    EXPECT_EQ(out.compare(line_start, 9, "secret = "), 0) << out.substr(line_start, 40);
  }
}

TEST_F(LibsecretStoreTest, ItemGoesToTheDefaultCollection) {
  REQUIRE_SESSION_BUS();
  ASSERT_TRUE(store_.put(key_, Secret("x"), credentials_label(key_.account)));
  GError* error = nullptr;
  SecretService* service = secret_service_get_sync(SECRET_SERVICE_NONE, nullptr, &error);
  ASSERT_EQ(error, nullptr) << error->message;
  // The default alias as the service reports it: (objectpath '/org/freedesktop/secrets/…',)
  auto alias = run({"gdbus", "call", "--session", "--dest", "org.freedesktop.secrets",
                    "--object-path", "/org/freedesktop/secrets", "--method",
                    "org.freedesktop.Secret.Service.ReadAlias", "default"});
  ASSERT_EQ(alias.exit_code, 0);
  const auto open_quote = alias.out.find('\'');
  const auto close_quote = alias.out.find('\'', open_quote + 1);
  ASSERT_NE(close_quote, std::string::npos) << alias.out;
  const std::string collection = alias.out.substr(open_quote + 1, close_quote - open_quote - 1);
  ASSERT_NE(collection, "/") << "no default collection";
  const std::string prefix = collection + "/";

  GHashTable* attrs = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(attrs, const_cast<char*>("account"), key_.account.data());
  GList* items =
      secret_service_search_sync(service, nullptr, attrs, SECRET_SEARCH_ALL, nullptr, &error);
  g_hash_table_unref(attrs);
  ASSERT_EQ(error, nullptr) << error->message;
  std::vector<std::string> paths;
  for (GList* l = items; l != nullptr; l = l->next) {
    paths.emplace_back(g_dbus_proxy_get_object_path(G_DBUS_PROXY(l->data)));
  }
  g_list_free_full(items, g_object_unref);
  g_object_unref(service);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].rfind(prefix, 0), 0u) << paths[0] << " is not in " << prefix;
}

void expect_unreachable(const Outcome& o) {
  EXPECT_EQ(o.exit_code, 0) << "the probe crashed or failed: " << o.out;
  EXPECT_NE(o.out.find("probe-result: error store_unavailable\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("store = \"file\""), std::string::npos) << o.out;
}

// These need no session: they break it on purpose, so they never skip.
TEST(LibsecretStoreUnreachable, DeadBusSocketIsStoreUnavailableWithAHint) {
  const fs::path dead = fs::temp_directory_path() / ("bqb-no-bus-" + std::to_string(::getpid()));
  expect_unreachable(run({self_exe(), "--probe", "20000"},
                         {{"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dead.string()}}));
}

TEST(LibsecretStoreUnreachable, NoSessionBusAtAllIsStoreUnavailableWithAHint) {
  // Without an address GLib looks for $XDG_RUNTIME_DIR/bus and X11 autolaunch: take both away.
  const fs::path empty = fs::temp_directory_path() / ("bqb-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  auto o = run({self_exe(), "--probe", "20000"}, {{"DBUS_SESSION_BUS_ADDRESS", std::nullopt},
                                                  {"XDG_RUNTIME_DIR", empty.string()},
                                                  {"DISPLAY", std::nullopt},
                                                  {"WAYLAND_DISPLAY", std::nullopt}});
  fs::remove_all(empty);
  expect_unreachable(o);
}

// A locked keyring item must be an error that says to unlock, never "not found" (which would ask
// for a new login). Runs in a separate private session (a second with-keyring.sh), because locking
// the shared one would break the other tests; no prompter can show there, so the unlock fails.
TEST(LibsecretStoreLocked, ALockedItemIsStoreUnavailableWithTheUnlockHint) {
  const std::string script =
      "printf x | secret-tool store --label=probe xdg:schema org.bqbroker.Credentials "
      "account probe@example.com client_id probe-client && "
      "gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets "
      "--method org.freedesktop.Secret.Service.Lock "
      "\"['/org/freedesktop/secrets/collection/login']\" >/dev/null && "
      "exec \"$0\" --probe 20000";
  auto o = run({BQB_WITH_KEYRING_SCRIPT, "bash", "-c", script, self_exe()},
               {{"BQBROKER_IN_KEYRING_SESSION", std::nullopt},
                {"DISPLAY", std::nullopt},
                {"WAYLAND_DISPLAY", std::nullopt}});
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("probe-result: error store_unavailable\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("unlock your keyring"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace bqb

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--probe") == 0) {
    return bqb::probe(std::chrono::milliseconds(std::atoll(argv[2])));
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
