#!/usr/bin/env bash
# Proves that bqbrokerd works under socket activation, as bqbroker.socket starts it:
# systemd-socket-activate (the same sd_listen_fds protocol as systemd, with the socket named
# "bqbroker" like FileDescriptorName=) listens on a temporary socket and execs the daemon on the
# first connection. The test then checks that
#   - the daemon answers GET /v1/status on the passed socket, with its version and its own pid
#     (socket-activate execs in place, so that pid must now be running bqbrokerd);
#   - it did not bind a socket of its own at $XDG_RUNTIME_DIR/bqbroker/bqbroker.sock;
#   - SIGTERM makes it exit 0, leaving the socket file in place: systemd owns that file.
#
# Usage: socket_activation_test.sh BQBROKERD
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BQBROKERD" >&2; exit 2; }
daemon=$(readlink -f "$1")
[ -x "$daemon" ] || { echo "FAIL: bqbrokerd not built at $1" >&2; exit 1; }
for tool in systemd-socket-activate curl jq; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# True while process $1 runs; a zombie (exited, not yet reaped by `wait`) does not count.
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

fail() {
  echo "FAIL: $*" >&2
  if [ -s "$tmp/daemon.log" ]; then
    echo "--- output of systemd-socket-activate and bqbrokerd:" >&2
    cat "$tmp/daemon.log" >&2
  fi
  exit 1
}

mkdir -m 0700 "$tmp/runtime" "$tmp/state" "$tmp/home" "$tmp/activate"
mkdir -p -m 0700 "$tmp/config/bqbroker"
# The memory store: this test is about activation, not the keyring.
printf 'store = "memory"\n' > "$tmp/config/bqbroker/config.toml"
sock=$tmp/activate/bqbroker.sock  # deliberately not the daemon's default path

systemd-socket-activate -l "$sock" --fdname=bqbroker \
  -E HOME="$tmp/home" -E XDG_RUNTIME_DIR="$tmp/runtime" -E XDG_STATE_HOME="$tmp/state" \
  -E XDG_CONFIG_HOME="$tmp/config" \
  "$daemon" --log-level debug > "$tmp/daemon.log" 2>&1 &
pid=$!

# socket-activate binds before it waits for the first connection; wait for that (bounded).
for _ in $(seq 100); do
  [ -S "$sock" ] && break
  running "$pid" || fail "systemd-socket-activate exited before listening"
  sleep 0.1
done
[ -S "$sock" ] || fail "systemd-socket-activate did not create $sock within 10 s"

# The socket is connectable at once; the request waits in the backlog until the daemon accepts.
# Retry only when the connection itself fails (curl exit 7), within a bound.
body=""
for attempt in 1 2 3 4 5; do
  rc=0
  body=$(curl --silent --show-error --unix-socket "$sock" --max-time 20 \
           --write-out '\n%{http_code}' http://localhost/v1/status 2> "$tmp/curl.err") || rc=$?
  [ "$rc" -ne 7 ] && break
  sleep 0.2
done
[ "$rc" -eq 0 ] || fail "bqbrokerd did not answer GET /v1/status on the activated socket (curl exit $rc: $(cat "$tmp/curl.err")); is daemon/main.cpp still a stub?"
code=${body##*$'\n'}
json=${body%$'\n'*}
[ "$code" = 200 ] || fail "GET /v1/status answered HTTP $code: $json"

version=$(jq -er '.version | select(type == "string" and length > 0)' <<< "$json") \
  || fail "status has no version: $json"
status_pid=$(jq -er '.pid | select(type == "number")' <<< "$json") || fail "status has no pid: $json"
[ "$status_pid" = "$pid" ] || fail "status pid $status_pid is not the activated process $pid"
exe=$(readlink -f "/proc/$pid/exe") || fail "process $pid is gone"
[ "$exe" = "$daemon" ] || fail "process $pid runs $exe, not bqbrokerd: the daemon did not answer"
status_sock=$(jq -er '.socket' <<< "$json") || fail "status has no socket: $json"
[ "$(readlink -f "$status_sock")" = "$(readlink -f "$sock")" ] \
  || fail "status reports socket $status_sock, not the activated $sock"
[ ! -e "$tmp/runtime/bqbroker/bqbroker.sock" ] \
  || fail "the daemon bound its own socket at \$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock instead of using the passed one"

kill -TERM "$pid"
# Wait (bounded) for the daemon to exit, then collect its status: it is this shell's child,
# since socket-activate exec'd it in place.
for _ in $(seq 300); do
  running "$pid" || break
  sleep 0.1
done
! running "$pid" || fail "bqbrokerd still running 30 s after SIGTERM"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "bqbrokerd exited with status $rc after SIGTERM"
[ -S "$sock" ] || fail "bqbrokerd removed $sock, which systemd passed in and owns"

echo "PASS: bqbrokerd $version answered on the activated socket (pid $status_pid) and exited cleanly"
