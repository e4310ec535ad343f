#include "proto/private_path.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace bqb {
namespace {

const char* type_name(PathType type) {
  switch (type) {
    case PathType::directory:
      return "directory";
    case PathType::socket:
      return "socket";
    case PathType::file:
      return "regular file";
  }
  return "file";
}

bool has_type(mode_t mode, PathType type) {
  switch (type) {
    case PathType::directory:
      return S_ISDIR(mode);
    case PathType::socket:
      return S_ISSOCK(mode);
    case PathType::file:
      return S_ISREG(mode);
  }
  return false;
}

/// @returns "a regular file", "a FIFO", …: what a path of `mode` is, for a refusal.
std::string what_it_is(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

std::optional<PathFlaw> path_flaw(const PathFacts& facts, const PathRule& rule) {
  if (S_ISLNK(facts.mode)) return PathFlaw::symlink;
  if (!has_type(facts.mode, rule.type)) return PathFlaw::wrong_type;
  if (facts.owner != rule.owner && !(rule.root_may_own && facts.owner == 0)) {
    return PathFlaw::foreign_owner;
  }
  if ((facts.mode & rule.forbidden) != 0) return PathFlaw::loose_mode;
  return std::nullopt;
}

std::string uid_text(uid_t uid, const std::optional<std::string>& name) {
  std::string text = "uid " + std::to_string(uid);
  if (name) text += " (" + *name + ")";
  return text;
}

std::optional<std::string> user_name(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return std::string(found->pw_name);
}

std::string flaw_text(PathFlaw flaw, const PathFacts& facts, const PathRule& rule,
                      const UidNamer& name_of) {
  switch (flaw) {
    case PathFlaw::symlink:
      return "it is a symbolic link";
    case PathFlaw::wrong_type:
      return "it is " + what_it_is(facts.mode) + ", not a " + type_name(rule.type);
    case PathFlaw::foreign_owner:
      return "it belongs to " + uid_text(facts.owner, name_of(facts.owner)) + ", not to you (uid " +
             std::to_string(rule.owner) + ")" + (rule.root_may_own ? " or root" : "");
    case PathFlaw::loose_mode:
      if ((facts.mode & kWritableByOthers) != 0) {
        return "its mode " + octal(facts.mode) + " lets other users write to it";
      }
      return "its mode " + octal(facts.mode) + " lets other users in; it must be " +
             octal(facts.mode & ~rule.forbidden);
  }
  return "it is not private";
}

Result<std::optional<PathFacts>> inspect_path(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return fail(Errc::io_error, "cannot inspect " + path.string() + ": " + std::strerror(errno));
  }
  return PathFacts{st.st_mode, st.st_uid};
}

}  // namespace bqb
