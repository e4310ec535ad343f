#pragma once
// Whether a path belongs to this user alone: the one rule behind the daemon's socket directory,
// the clients' look at the socket before they talk to it, and the directory of the token file of
// `bqbroker exec`. The threat is another local user who created such a path first (a directory
// in /tmp is anyone's to take) and reads what goes through it.
//
// path_flaw() is the decision, pure: it takes what lstat(2) says. inspect_path() and
// flaw_text()'s default names are the only I/O here.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <sys/types.h>

#include "proto/error.h"

namespace bqb {

/// What lstat(2) says about a path: the input of path_flaw().
struct PathFacts {
  mode_t mode = 0;  // st_mode: the file type and the permission bits
  uid_t owner = 0;  // st_uid
};

enum class PathType { directory, socket, file };

/// Permission bits that no one but the owner may have.
/// Writable by others: someone else could replace what is in a directory (or connect, for a
/// socket). Any access: someone else could also read it or look into it.
inline constexpr mode_t kWritableByOthers = 022;
inline constexpr mode_t kAnyAccessByOthers = 077;

struct PathRule {
  PathType type = PathType::directory;
  uid_t owner = 0;                       // who must own it: the caller's effective uid
  mode_t forbidden = kWritableByOthers;  // permission bits that must all be clear
  bool root_may_own = false;             // root may own it too (a file an administrator put there)
};

/// Why a path is refused, in the order path_flaw() checks.
enum class PathFlaw {
  symlink,        // a symbolic link: it could point anywhere, whoever owns the link
  wrong_type,     // not the directory or socket the rule asks for
  foreign_owner,  // owned by another uid (other than root, when the rule lets root own it)
  loose_mode,     // has some of the rule's forbidden permission bits
};

/// @returns the first flaw of a path with `facts` under `rule`, or nullopt when it passes. Pure.
std::optional<PathFlaw> path_flaw(const PathFacts& facts, const PathRule& rule);

/// @returns "uid 1001 (alice)", or "uid 1001" when `name` is nullopt. Pure.
std::string uid_text(uid_t uid, const std::optional<std::string>& name);

/// Names a uid for a person; nullopt when the user database does not know it.
using UidNamer = std::function<std::optional<std::string>(uid_t)>;

/// @returns the name the user database (getpwuid_r) has for `uid`, if any.
std::optional<std::string> user_name(uid_t uid);

/// @returns what is wrong, as the end of a sentence about the path: "it is a symbolic link",
/// "it is a regular file, not a socket", "it belongs to uid 1001 (alice), not to you (uid
/// 1000)" (with " or root" when root may own it), "its mode 0777 lets other users write to it".
/// `name_of` names the owner (tests pass a fake); pure when it is.
std::string flaw_text(PathFlaw flaw, const PathFacts& facts, const PathRule& rule,
                      const UidNamer& name_of = user_name);

/// lstat(2)s `path` (a final symbolic link is not followed).
/// @returns its facts; nullopt when it does not exist; io_error naming the path and errno's
/// text for any other failure (e.g. EACCES on a directory above it).
Result<std::optional<PathFacts>> inspect_path(const std::filesystem::path& path);

}  // namespace bqb
