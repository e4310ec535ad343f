#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts bqbrokerd in a throwaway environment
# (temporary XDG_* directories, its own socket, its own D-Bus session and keyring), shows what the
# CLI sees, and stops everything it started. Exit 0 only when every step worked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Installing missing Debian packages (if any)"
bash scripts/install-deps.sh
step "Building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target bqbrokerd bqbroker

exec scripts/with-keyring.sh bash -c '
  set -euo pipefail
  root=$1
  step() { printf "\n\033[1m==> %s\033[0m\n" "$*"; }
  show() { printf "\$ %s\n" "$*"; "$@"; }
  demo=$(mktemp -d "${TMPDIR:-/tmp}/bqbroker-demo.XXXXXX")
  daemon_pid=""
  cleanup() {
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
      kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
    fi
    rm -rf "$demo"
  }
  trap cleanup EXIT
  export XDG_RUNTIME_DIR=$demo/run XDG_STATE_HOME=$demo/state XDG_CONFIG_HOME=$demo/config
  mkdir -m 700 -p "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
  PATH=$root/build:$PATH

  step "Starting the daemon (in a real session: systemctl --user enable --now bqbroker.socket)"
  printf "$ bqbrokerd &\n"
  bqbrokerd 2>"$demo/daemon.log" &
  daemon_pid=$!
  for _ in $(seq 100); do
    [ -S "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$demo/daemon.log"; exit 1; }
    sleep 0.05
  done

  step "Asking it how it is"
  show bqbroker status
  show bqbroker status --json
  show curl -s --unix-socket "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock" http://localhost/v1/status

  step "Stopping the daemon (SIGTERM)"
  kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=""
  printf "daemon log:\n"; sed "s/^/  /" "$demo/daemon.log"
  printf "\nAll steps worked.\n"
' bash "$root"
