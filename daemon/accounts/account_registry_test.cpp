#include "daemon/accounts/account_registry.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "daemon/accounts/atomic_file.h"
#include "daemon/accounts/memory_store.h"
#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

namespace fs = std::filesystem;
using std::chrono::sys_seconds;

const sys_seconds kNow{std::chrono::seconds(1714564800)};  // 2024-05-01T12:00:00Z

Account make_account(std::string email) {
  Account a;
  a.email = std::move(email);
  a.client_id = "123-abc.apps.googleusercontent.com";
  a.token_uri = "https://oauth2.googleapis.com/token";
  a.project_id = "my-project";
  a.scopes = {"https://www.googleapis.com/auth/bigquery"};
  a.added_at = kNow;
  return a;
}

class AccountRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    state_ = root_ / "state" / "bqbroker";
    file_ = state_ / kAccountsFileName;
  }

  std::unique_ptr<AccountRegistry> open_ok() {
    auto r = AccountRegistry::open(state_, kNow);
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : nullptr;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  std::vector<fs::path> corrupt_copies() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(state_)) {
      if (e.path().filename().string().starts_with("accounts.json.corrupt-")) out.push_back(e);
    }
    return out;
  }

  bqb::testing::TempDir tmp_;
  fs::path root_, state_, file_;
};

TEST_F(AccountRegistryTest, StartsEmptyAndCreatesThePrivateStateDirectory) {
  auto reg = open_ok();
  ASSERT_TRUE(reg);
  EXPECT_TRUE(reg->list().empty());
  EXPECT_EQ(reg->default_email(), std::nullopt);
  EXPECT_FALSE(reg->recovery());
  EXPECT_EQ(mode_of(state_), 0700u);
  EXPECT_FALSE(fs::exists(file_));  // nothing written until there is something to keep
}

TEST_F(AccountRegistryTest, ChangesAreOnDiskAndSurviveAReopen) {
  {
    auto reg = open_ok();
    ASSERT_TRUE(reg->upsert(make_account("a@x")));
    ASSERT_TRUE(reg->upsert(make_account("b@x")));
    ASSERT_TRUE(reg->set_default("b@x"));
    EXPECT_EQ(mode_of(file_), 0600u);
  }
  auto reg = open_ok();  // as after a restart (or kill -9: every change was already written)
  ASSERT_EQ(reg->list().size(), 2u);
  EXPECT_EQ(reg->list()[0], make_account("a@x"));
  EXPECT_EQ(reg->default_email(), "b@x");
  EXPECT_EQ(reg->find("b@x")->client_id, "123-abc.apps.googleusercontent.com");
  EXPECT_FALSE(reg->find("c@x"));
}

TEST_F(AccountRegistryTest, FirstAccountIsDefaultAndRemovingTheDefaultPicksAnother) {
  auto reg = open_ok();
  ASSERT_TRUE(reg->upsert(make_account("a@x")));
  EXPECT_EQ(reg->default_email(), "a@x");
  ASSERT_TRUE(reg->upsert(make_account("b@x")));
  auto removed = reg->remove("a@x");
  ASSERT_TRUE(removed);
  ASSERT_TRUE(*removed);
  EXPECT_EQ((*removed)->email, "a@x");
  EXPECT_EQ(reg->default_email(), "b@x");
  auto none = reg->remove("a@x");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  ASSERT_TRUE(reg->remove("b@x"));
  EXPECT_EQ(reg->default_email(), std::nullopt);
  EXPECT_EQ(open_ok()->default_email(), std::nullopt);
}

TEST_F(AccountRegistryTest, UpsertReturnsTheReplacedRecord) {
  auto reg = open_ok();
  ASSERT_TRUE(reg->upsert(make_account("a@x")));
  Account relogin = make_account("a@x");
  relogin.client_id = "other-client";
  auto previous = reg->upsert(relogin);
  ASSERT_TRUE(previous && *previous);
  EXPECT_EQ((*previous)->client_id, "123-abc.apps.googleusercontent.com");
  EXPECT_EQ(reg->find("a@x")->client_id, "other-client");
}

TEST_F(AccountRegistryTest, SetDefaultOfAnUnknownAccountIsNotFound) {
  auto reg = open_ok();
  auto s = reg->set_default("nobody@x");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::not_found);
}

TEST_F(AccountRegistryTest, SetStateRecordsNeedsLoginAndOkClearsIt) {
  auto reg = open_ok();
  ASSERT_TRUE(reg->upsert(make_account("a@x")));
  const sys_seconds later = kNow + std::chrono::hours(1);
  ASSERT_TRUE(reg->set_state("a@x", AccountState::needs_login, "invalid_grant", later));
  // A second report keeps the first time: "since" is when it broke.
  ASSERT_TRUE(reg->set_state("a@x", AccountState::needs_login, "invalid_grant again",
                             later + std::chrono::hours(1)));
  auto a = open_ok()->find("a@x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, AccountState::needs_login);
  EXPECT_EQ(a->state_reason, "invalid_grant again");
  EXPECT_EQ(a->state_since, later);

  ASSERT_TRUE(reg->set_state("a@x", AccountState::ok, "", later));
  a = open_ok()->find("a@x");
  EXPECT_EQ(a->state, AccountState::ok);
  EXPECT_TRUE(a->state_reason.empty());
  EXPECT_FALSE(a->state_since);
  EXPECT_EQ(reg->set_state("zz@x", AccountState::ok, "", later).error().code, Errc::not_found);
}

TEST_F(AccountRegistryTest, AFileThatIsNotJsonIsKeptAsideAndReported) {
  ASSERT_TRUE(ensure_private_dir(state_));
  ASSERT_TRUE(write_file_atomically(file_, "{\"version\":1,\"accounts\":[{\"email\":", 0600));
  auto reg = open_ok();
  ASSERT_TRUE(reg);
  ASSERT_TRUE(reg->recovery());
  EXPECT_EQ(reg->recovery()->kept_as, state_ / "accounts.json.corrupt-20240501T120000Z");
  EXPECT_EQ(slurp(reg->recovery()->kept_as), "{\"version\":1,\"accounts\":[{\"email\":");
  ASSERT_EQ(reg->recovery()->problems.size(), 1u);
  EXPECT_NE(reg->recovery()->problems[0].find("not valid JSON"), std::string::npos);
  EXPECT_TRUE(reg->list().empty());
  EXPECT_FALSE(fs::exists(file_));

  // A second corrupt file in the same second gets its own name instead of replacing the first.
  ASSERT_TRUE(write_file_atomically(file_, "garbage", 0600));
  auto again = open_ok();
  EXPECT_EQ(again->recovery()->kept_as, state_ / "accounts.json.corrupt-20240501T120000Z-2");
  EXPECT_EQ(corrupt_copies().size(), 2u);
}

TEST_F(AccountRegistryTest, UnreadableRecordsAreReportedAndTheOthersKept) {
  {
    auto reg = open_ok();
    ASSERT_TRUE(reg->upsert(make_account("a@x")));
    ASSERT_TRUE(reg->upsert(make_account("b@x")));
  }
  auto doc = nlohmann::json::parse(slurp(file_));
  doc["accounts"][1].erase("client_id");
  const std::string broken = doc.dump();
  ASSERT_TRUE(write_file_atomically(file_, broken, 0600));

  auto reg = open_ok();
  ASSERT_TRUE(reg->recovery());
  ASSERT_EQ(reg->recovery()->problems.size(), 1u);
  EXPECT_NE(reg->recovery()->problems[0].find("client_id"), std::string::npos);
  EXPECT_EQ(slurp(reg->recovery()->kept_as), broken);  // the whole file, b@x included
  ASSERT_EQ(reg->list().size(), 1u);
  EXPECT_EQ(reg->list()[0].email, "a@x");
}

TEST_F(AccountRegistryTest, AFileFromANewerVersionIsRefusedAndLeftAlone) {
  ASSERT_TRUE(ensure_private_dir(state_));
  const std::string newer = R"({"version":99,"accounts":[]})";
  ASSERT_TRUE(write_file_atomically(file_, newer, 0600));
  auto reg = AccountRegistry::open(state_, kNow);
  ASSERT_FALSE(reg);
  EXPECT_EQ(reg.error().code, Errc::invalid_json);
  EXPECT_EQ(slurp(file_), newer);
  EXPECT_TRUE(corrupt_copies().empty());
}

TEST_F(AccountRegistryTest, UnknownFieldsSurviveARewrite) {
  ASSERT_TRUE(ensure_private_dir(state_));
  auto doc = to_json(AccountBook{});
  auto account = to_json(make_account("a@x"));
  account["color"] = "blue";
  doc["accounts"].push_back(account);
  doc["default"] = "a@x";
  doc["future"] = {1, 2};
  ASSERT_TRUE(write_file_atomically(file_, doc.dump(), 0600));

  auto reg = open_ok();
  EXPECT_FALSE(reg->recovery());
  ASSERT_TRUE(reg->upsert(make_account("b@x")));
  auto after = nlohmann::json::parse(slurp(file_));
  EXPECT_EQ(after["future"], doc["future"]);
  EXPECT_EQ(after["accounts"][0]["color"], "blue");
}

TEST_F(AccountRegistryTest, ALoginStoresTheRefreshTokenOnlyInTheStore) {
  // What a login does with a registry and a store: the registry file must not contain any secret.
  MemoryStore store;
  auto reg = open_ok();
  const Account a = make_account("a@x");
  const StoredCredentials creds{Secret("1//0refresh-token-QWERTY"), Secret("GOCSPX-client-XYZ")};
  ASSERT_TRUE(store.put(a.secret_key(), to_secret(creds), credentials_label(a.email)));
  ASSERT_TRUE(reg->upsert(a));

  const std::string on_disk = slurp(file_);
  ASSERT_NE(on_disk.find("a@x"), std::string::npos);
  EXPECT_EQ(on_disk.find("1//0refresh-token-QWERTY"), std::string::npos);
  EXPECT_EQ(on_disk.find("GOCSPX-client-XYZ"), std::string::npos);
  EXPECT_EQ(on_disk.find("refresh_token"), std::string::npos);
  // And what the store holds is enough to refresh, with the registry's non-secret half.
  auto back = stored_credentials_from_secret(**store.get(reg->find("a@x")->secret_key()), "store");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, creds);
}

TEST_F(AccountRegistryTest, AFailedWriteChangesNothing) {
  auto reg = open_ok();
  ASSERT_TRUE(reg->upsert(make_account("a@x")));
  // Make the file's name a non-empty directory: rename over it fails.
  fs::remove(file_);
  fs::create_directories(file_ / "blocker");
  auto r = reg->upsert(make_account("b@x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io_error);
  EXPECT_EQ(reg->list().size(), 1u);
  EXPECT_FALSE(reg->remove("a@x"));
  EXPECT_EQ(reg->list().size(), 1u);
}

}  // namespace
}  // namespace bqb
