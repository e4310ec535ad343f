#!/usr/bin/env bash
# Runs a command inside its own D-Bus session bus with a gnome-keyring Secret Service, unlocked
# with a throwaway password, so tests and the demo never touch the user's own keyring.
# Usage: scripts/with-keyring.sh COMMAND [ARGS…]
set -euo pipefail
if [ "${BQBROKER_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
export BQBROKER_IN_KEYRING_SESSION=1
keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/bqbroker-keyring.XXXXXX")
trap 'rm -rf "$keyring_home"' EXIT
# gnome-keyring keeps its keyrings under $XDG_DATA_HOME/keyrings: a fresh one for this run.
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -e
  printf "bqbroker-test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # --unlock can return before the daemon owns the Secret Service name; a client in that window
  # makes D-Bus start a second daemon, which may read the login keyring half written. Wait for it.
  gdbus wait --session --timeout 20 org.freedesktop.secrets
  exec "$@"' bash "$@"
