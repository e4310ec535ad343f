#include "daemon/accounts/file_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/accounts/atomic_file.h"
#include "tests/support/temp_dir.h"

namespace bqb {
namespace {

namespace fs = std::filesystem;

const SecretKey kAlice{"alice@example.com", "client-1"};

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    state_ = root_ / "state" / "bqbroker";  // not there yet: the store creates it
    file_ = state_ / kCredentialsFileName;
  }

  static mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  bqb::testing::TempDir tmp_;
  fs::path root_, state_, file_;
};

TEST_F(FileStoreTest, GetWithoutAFileIsEmptyAndCreatesNothing) {
  FileStore store(file_);
  auto got = store.get(kAlice);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(*got);
  EXPECT_FALSE(fs::exists(state_));
  EXPECT_TRUE(store.remove(kAlice));
  EXPECT_FALSE(fs::exists(file_));
  EXPECT_EQ(store.kind(), "file");
}

TEST_F(FileStoreTest, PutCreatesA0600FileInA0700DirectoryAndGetReadsItBack) {
  FileStore store(file_);
  ASSERT_TRUE(store.put(kAlice, Secret("secret-one"), "label"));
  EXPECT_EQ(mode_of(file_), 0600u);
  EXPECT_EQ(mode_of(state_), 0700u);
  EXPECT_EQ((*store.get(kAlice))->reveal(), "secret-one");

  // A second instance (a restarted daemon) reads the same file.
  FileStore again(file_);
  EXPECT_EQ((*again.get(kAlice))->reveal(), "secret-one");
}

TEST_F(FileStoreTest, PutReplacesAndKeysAreAccountAndClient) {
  FileStore store(file_);
  const SecretKey other_client{kAlice.account, "client-2"};
  ASSERT_TRUE(store.put(kAlice, Secret("v1"), "l"));
  ASSERT_TRUE(store.put(other_client, Secret("v2"), "l"));
  ASSERT_TRUE(store.put(kAlice, Secret("v3"), "l"));
  EXPECT_EQ((*store.get(kAlice))->reveal(), "v3");
  EXPECT_EQ((*store.get(other_client))->reveal(), "v2");
  auto doc = nlohmann::json::parse(slurp(file_));
  EXPECT_EQ(doc["items"].size(), 2u);
}

TEST_F(FileStoreTest, RemoveDeletesOnlyThatKeyAndAMissingKeyIsFine) {
  FileStore store(file_);
  const SecretKey bob{"bob@example.com", "client-1"};
  ASSERT_TRUE(store.put(kAlice, Secret("a"), "l"));
  ASSERT_TRUE(store.put(bob, Secret("b"), "l"));
  ASSERT_TRUE(store.remove(kAlice));
  EXPECT_FALSE(*store.get(kAlice));
  EXPECT_EQ((*store.get(bob))->reveal(), "b");
  EXPECT_TRUE(store.remove(kAlice));
  EXPECT_EQ(slurp(file_).find("\"a\""), std::string::npos);
}

TEST_F(FileStoreTest, RefusesAFileOthersCanReadAndSaysHowToFixIt) {
  FileStore store(file_);
  ASSERT_TRUE(store.put(kAlice, Secret("a"), "l"));
  for (mode_t loose : {0640, 0604, 0620}) {
    ASSERT_EQ(::chmod(file_.c_str(), loose), 0);
    for (auto result : {store.get(kAlice).map([](auto&&) {}), store.put(kAlice, Secret("b"), "l"),
                        store.remove(kAlice)}) {
      ASSERT_FALSE(result) << std::oct << loose;
      EXPECT_EQ(result.error().code, Errc::store_unavailable);
      EXPECT_NE(result.error().message.find(file_.string()), std::string::npos);
      EXPECT_NE(result.error().hint.find("chmod 600"), std::string::npos) << result.error().hint;
    }
  }
  ASSERT_EQ(::chmod(file_.c_str(), 0600), 0);
  EXPECT_EQ((*store.get(kAlice))->reveal(), "a");  // refused writes changed nothing
}

TEST_F(FileStoreTest, RefusesASymbolicLink) {
  FileStore store(file_);
  ASSERT_TRUE(store.put(kAlice, Secret("a"), "l"));
  const fs::path link = state_ / "link.json";
  fs::create_symlink(file_, link);
  FileStore via_link(link);
  auto got = via_link.get(kAlice);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("symbolic link"), std::string::npos);
}

TEST_F(FileStoreTest, ACorruptFileIsAnErrorAndIsNeverOverwritten) {
  ASSERT_TRUE(ensure_private_dir(state_));
  ASSERT_TRUE(write_file_atomically(file_, "{not json", 0600));
  FileStore store(file_);
  auto got = store.get(kAlice);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::store_unavailable);
  EXPECT_NE(got.error().hint.find("move"), std::string::npos);
  EXPECT_FALSE(store.put(kAlice, Secret("a"), "l"));
  EXPECT_EQ(slurp(file_), "{not json");
}

TEST_F(FileStoreTest, ErrorsNeverContainTheSecrets) {
  FileStore store(file_);
  ASSERT_TRUE(store.put(kAlice, Secret("super-secret-value"), "l"));
  // Break the file's shape while keeping the secret in it.
  ASSERT_TRUE(write_file_atomically(
      file_, R"({"version":7,"items":[{"secret":"super-secret-value"}]})", 0600));
  auto got = store.get(kAlice);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message.find("super-secret-value"), std::string::npos);
  EXPECT_EQ(got.error().hint.find("super-secret-value"), std::string::npos);
}

// --- atomic_file ---------------------------------------------------------------------------------

TEST_F(FileStoreTest, AtomicWriteReplacesContentSetsTheModeAndLeavesNoTemporaryFile) {
  ASSERT_TRUE(ensure_private_dir(state_));
  const fs::path f = state_ / "x.json";
  ASSERT_TRUE(write_file_atomically(f, "one", 0600));
  ASSERT_TRUE(write_file_atomically(f, "two", 0644));
  EXPECT_EQ(slurp(f), "two");
  EXPECT_EQ(mode_of(f), 0644u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(state_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(FileStoreTest, AtomicWriteIntoAMissingDirectoryFailsNamingThePath) {
  const fs::path f = root_ / "missing" / "x.json";
  auto s = write_file_atomically(f, "one");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io_error);
  EXPECT_NE(s.error().message.find(f.string()), std::string::npos) << s.error().message;
}

TEST_F(FileStoreTest, EnsurePrivateDirTightensALooseDirectory) {
  fs::create_directories(state_);
  ASSERT_EQ(::chmod(state_.c_str(), 0755), 0);
  ASSERT_TRUE(ensure_private_dir(state_));
  EXPECT_EQ(mode_of(state_), 0700u);
}

TEST_F(FileStoreTest, ReadFileReportsAMissingFileAsEmpty) {
  auto r = read_file(root_ / "nope");
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

}  // namespace
}  // namespace bqb
