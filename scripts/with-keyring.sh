#!/usr/bin/env bash
# Runs a command inside its own D-Bus session bus with a gnome-keyring Secret Service, unlocked
# with a throwaway password, so tests and the demo never touch the user's own keyring.
# Usage: scripts/with-keyring.sh COMMAND [ARGS…]
#
# With BQBROKER_KEYRING_USER set (scripts/test.sh sets bqb-test-a) and run as root, the bus and
# the keyring belong to that user, as whom the integration, keyring and e2e tests run
# (tests/support/as-test-user.sh), while COMMAND (ctest) itself stays root: a session bus admits
# only its own user.
set -euo pipefail
if [ "${BQBROKER_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
export BQBROKER_IN_KEYRING_SESSION=1
keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/bqbroker-keyring.XXXXXX")

# The session: gnome-keyring unlocked, then waits until the Secret Service owns its name
# (--unlock can return before; a client in that window makes D-Bus start a second daemon, which
# may read the login keyring half written). gnome-keyring keeps its keyrings under
# $XDG_DATA_HOME/keyrings: a fresh one for this run.
session='
  set -e
  printf "bqbroker-test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  gdbus wait --session --timeout 20 org.freedesktop.secrets'

user=${BQBROKER_KEYRING_USER:-}
if [ -n "$user" ] && [ "$(id -u)" -eq 0 ]; then
  chown "$user": "$keyring_home"
  chmod 0700 "$keyring_home"
  # The session holder runs as $user until COMMAND ends; it writes the bus address once
  # the Secret Service is up. Its own runtime directory: root's is not the user's to write.
  mkfifo -m 0600 "$keyring_home/done"
  chown "$user": "$keyring_home/done"
  setpriv --reuid="$user" --regid="$user" --clear-groups --inh-caps=-all -- \
    env -u DBUS_SESSION_BUS_ADDRESS HOME="$keyring_home" XDG_DATA_HOME="$keyring_home" \
    XDG_RUNTIME_DIR="$keyring_home" dbus-run-session -- bash -c "$session"'
    printf "%s\n" "$DBUS_SESSION_BUS_ADDRESS" >"$0/address.tmp" && mv "$0/address.tmp" "$0/address"
    read -r _ <"$0/done"' "$keyring_home" &
  holder=$!
  cleanup() {
    echo >"$keyring_home/done" 2>/dev/null || true  # ends the holder, then its bus
    wait "$holder" 2>/dev/null || true
    rm -rf "$keyring_home"
  }
  trap cleanup EXIT
  for _ in $(seq 300); do
    [ -s "$keyring_home/address" ] && break
    kill -0 "$holder" 2>/dev/null || { echo "with-keyring.sh: the keyring session did not start" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$keyring_home/address" ] || { echo "with-keyring.sh: no keyring session after 30 s" >&2; exit 1; }
  DBUS_SESSION_BUS_ADDRESS=$(cat "$keyring_home/address")
  export DBUS_SESSION_BUS_ADDRESS
  status=0
  "$@" || status=$?
  exit $status
fi

trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c "$session"'
  exec "$@"' bash "$@"
