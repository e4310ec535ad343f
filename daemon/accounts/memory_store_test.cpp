#include "daemon/accounts/memory_store.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

const SecretKey kAlice{"alice@example.com", "client-1.apps.googleusercontent.com"};

TEST(MemoryStore, GetOfAMissingKeyIsEmptyNotAnError) {
  MemoryStore store;
  auto got = store.get(kAlice);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_FALSE(got->has_value());
}

TEST(MemoryStore, PutThenGetReturnsTheSecretAndKeepsTheLabel) {
  MemoryStore store;
  ASSERT_TRUE(store.put(kAlice, Secret("value-1"), "label one"));
  ASSERT_TRUE(store.put(kAlice, Secret("value-2"), "label two"));  // replaces
  auto got = store.get(kAlice);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->reveal(), "value-2");
  EXPECT_EQ(store.label(kAlice), "label two");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.kind(), "memory");
}

TEST(MemoryStore, KeysDifferByAccountAndByClient) {
  MemoryStore store;
  const SecretKey other_client{kAlice.account, "client-2"};
  const SecretKey other_account{"bob@example.com", kAlice.client_id};
  ASSERT_TRUE(store.put(kAlice, Secret("a"), "l"));
  ASSERT_TRUE(store.put(other_client, Secret("b"), "l"));
  EXPECT_EQ((*store.get(kAlice))->reveal(), "a");
  EXPECT_EQ((*store.get(other_client))->reveal(), "b");
  EXPECT_FALSE(store.get(other_account)->has_value());
}

TEST(MemoryStore, RemoveDeletesAndRemovingAMissingKeySucceeds) {
  MemoryStore store;
  ASSERT_TRUE(store.put(kAlice, Secret("a"), "l"));
  ASSERT_TRUE(store.remove(kAlice));
  EXPECT_FALSE(store.get(kAlice)->has_value());
  EXPECT_TRUE(store.remove(kAlice));
}

TEST(MemoryStore, FailWithMakesEveryCallFailUntilCleared) {
  MemoryStore store;
  ASSERT_TRUE(store.put(kAlice, Secret("a"), "l"));
  const Error locked{Errc::store_unavailable, "keyring locked", "unlock it"};
  store.fail_with(locked);
  EXPECT_EQ(store.get(kAlice).error(), locked);
  EXPECT_EQ(store.put(kAlice, Secret("b"), "l").error(), locked);
  EXPECT_EQ(store.remove(kAlice).error(), locked);
  store.fail_with(std::nullopt);
  EXPECT_EQ((*store.get(kAlice))->reveal(), "a");  // nothing changed while failing
}

}  // namespace
}  // namespace bqb
