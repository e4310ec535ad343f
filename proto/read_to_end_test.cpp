// read_to_end over real pipes: the whole content across many reads, the cap, a failed read.

#include "proto/read_to_end.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "proto/unique_fd.h"

namespace bqb {
namespace {

struct Pipe {
  UniqueFd read_end, write_end;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end = UniqueFd(fds[0]);
    write_end = UniqueFd(fds[1]);
  }
};

// Writes `text` into the pipe from another thread (more than a pipe holds) and closes it.
// The reader always reads to the end, so no write meets a closed pipe (SIGPIPE).
std::thread writer(Pipe& p, std::string text) {
  return std::thread([&p, text = std::move(text)] {
    std::size_t done = 0;
    while (done < text.size()) {
      const auto n = ::write(p.write_end.get(), text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    p.write_end = UniqueFd();
  });
}

TEST(ReadToEnd, ReadsEverythingAcrossManyReads) {
  Pipe p;
  const std::string text(300 * 1024 + 7, 'x');
  auto w = writer(p, text);
  auto got = read_to_end(p.read_end.get(), text.size());
  w.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, text);
}

TEST(ReadToEnd, EmptyInputIsEmptyText) {
  Pipe p;
  p.write_end = UniqueFd();
  auto got = read_to_end(p.read_end.get(), 10);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "");
}

TEST(ReadToEnd, MoreThanTheCapStops) {
  Pipe p;
  auto w = writer(p, std::string(100 * 1024 + 1, 'y'));
  auto got = read_to_end(p.read_end.get(), 100 * 1024);
  w.join();
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().too_large);
  EXPECT_EQ(got.error().error, 0);
}

TEST(ReadToEnd, AFailedReadGivesItsErrno) {
  Pipe p;
  auto got = read_to_end(p.write_end.get(), 10);  // the write end cannot be read
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().error, EBADF);
  EXPECT_FALSE(got.error().too_large);
}

}  // namespace
}  // namespace bqb
