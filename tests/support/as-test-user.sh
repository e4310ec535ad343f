#!/usr/bin/env bash
# Runs a test executable as bqb-test-a, the unprivileged user of the integration tests
# (scripts/test-users.sh creates it): CTest puts this in front of every integration test
# (the executable's CROSSCOMPILING_EMULATOR), so each daemon, CLI and fake they start runs as a
# normal user, as on a user's machine.
#
# The test process keeps three capabilities, as ambient ones (they survive the exec as a
# non-root uid) that the harness at once turns back into ordinary ones (tests/support/
# test_users.cpp), so that the programs it starts get none:
#   setuid, setgid  to start a program as bqb-test-b, "another local user" (setpriv);
#   chown           to give a file to another user or to root (the ownership checks' tests);
#   sys_ptrace, dac_read_search
#                   to list the non-dumpable daemon's /proc/PID/fd (the leak checks): the kernel
#                   gives a non-dumpable process's /proc entries to root, mode 0500, so reading
#                   them takes both the ptrace right and a pass on the permission bits.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "as-test-user.sh: the integration tests start as root (ctest as root; scripts/test.sh" \
    "does) and run as bqb-test-a" >&2
  exit 1
fi
if ! id -u bqb-test-a >/dev/null 2>&1; then
  echo "as-test-user.sh: no user bqb-test-a; run scripts/test-users.sh (as root) first" >&2
  exit 1
fi
# A home of its own (its passwd entry has none, and root's is not its to write): browsers and
# language runtimes write caches there.
home=/tmp/bqb-test-a-home
if [ ! -d "$home" ]; then
  install -d -m 0700 -o bqb-test-a -g bqb-test-a "$home"
fi
if [ "$(stat -c %U "$home")" != bqb-test-a ] || [ -L "$home" ]; then
  echo "as-test-user.sh: $home is not bqb-test-a's own directory; remove it" >&2
  exit 1
fi
export HOME=$home
caps=+setuid,+setgid,+chown,+sys_ptrace,+dac_read_search
exec setpriv --reuid=bqb-test-a --regid=bqb-test-a --clear-groups \
  --inh-caps="$caps" --ambient-caps="$caps" -- "$@"
