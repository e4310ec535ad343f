#!/usr/bin/env bash
# Creates the two unprivileged users the integration tests run processes as (with setpriv):
#   bqb-test-a  the victim: runs bqbrokerd and the CLI as an ordinary user would
#   bqb-test-b  another local user: plants a socket where A's CLI looks, connects to A's daemon
# System users with no home and no login shell; each gets a group of its own name.
# Idempotent (an existing user is left as it is). Needs root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo bash "$0" "$@"; fi
  echo "scripts/test-users.sh: needs root (or sudo) to create the test users bqb-test-a and bqb-test-b" >&2
  exit 1
fi

for user in bqb-test-a bqb-test-b; do
  if id -u "$user" >/dev/null 2>&1; then continue; fi
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "bqbroker integration tests" "$user"
done
