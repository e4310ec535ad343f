#include "fakes/server/spawn_logged.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace bqb::fakes {
namespace {

boost::asio::awaitable<void> throws() {
  throw std::runtime_error("the handler broke");
  co_return;
}

boost::asio::awaitable<void> returns() { co_return; }

TEST(SpawnLoggedTest, WhatACoroutineThrowsIsReportedNamingTheTask) {
  boost::asio::io_context io;
  std::vector<std::string> lines;
  spawn_logged(io.get_executor(), throws(), "a connection",
               [&](const std::string& line) { lines.push_back(line); });
  io.run();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "a connection failed: the handler broke");
}

TEST(SpawnLoggedTest, ACoroutineThatReturnsReportsNothing) {
  boost::asio::io_context io;
  std::vector<std::string> lines;
  spawn_logged(io.get_executor(), returns(), "the accept loop",
               [&](const std::string& line) { lines.push_back(line); });
  io.run();
  EXPECT_TRUE(lines.empty());
}

}  // namespace
}  // namespace bqb::fakes
