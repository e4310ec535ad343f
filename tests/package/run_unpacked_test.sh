#!/usr/bin/env bash
# The packages' binaries at work: unpacks both .debs with dpkg -x into a temporary root and, from
# there, runs bqbroker-emulator, bqbrokerd (in-memory store) and bqbroker: login (the emulator
# consents; curl plays the browser), then one `bqbroker token`, which the emulator's tokeninfo
# must know as its own for the account. The token is never printed; the daemon's log must not
# hold it. Run as bqb-test-a (tests/support/as-test-user.sh), an ordinary user.
# Usage: run_unpacked_test.sh DEB_DIR VERSION
set -euo pipefail

debs=$1 version=$2
work=$(mktemp -d)
emulator_pid="" daemon_pid=""
cleanup() {
  local pid
  for pid in "$daemon_pid" "$emulator_pid"; do
    [ -z "$pid" ] || { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $1" >&2
  if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/  /' "$2" >&2; fi
  exit 1
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
# wait_until WHAT PID LOG CMD...: polls CMD (every 50 ms, at most 20 s); fails early, showing LOG,
# when process PID has ended.
wait_until() {
  local what=$1 pid=$2 log=$3
  shift 3
  for _ in $(seq 400); do
    "$@" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "gave up waiting for $what: its process ended" "$log"
    sleep 0.05
  done
  fail "gave up waiting for $what after 20 s" "$log"
}

root=$work/root
dpkg -x "$(ls "$debs"/bqbroker_*_amd64.deb)" "$root"
dpkg -x "$(ls "$debs"/bqbroker-emulator_*_amd64.deb)" "$root"
unset BQBROKER_SOCKET GOOGLE_APPLICATION_CREDENTIALS GCE_METADATA_HOST BIGQUERY_EMULATOR_HOST
export PATH=$root/usr/bin:/usr/bin:/bin
export XDG_RUNTIME_DIR=$work/run XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config \
  XDG_CACHE_HOME=$work/cache
(umask 077 && mkdir -p "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME/bqbroker" "$XDG_CACHE_HOME")
for b in bqbroker bqbrokerd bqbroker-emulator; do
  expect_eq "$(command -v "$b")" "$root/usr/bin/$b" "the $b run"
done
expect_eq "$(bqbroker --version)" "bqbroker $version" "bqbroker --version"

bqbroker-emulator --consent allow --account pkg@example.com --client-secrets-out "$work/client_secrets.json" \
  --exit-with-parent >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
wait_until "the emulator to listen" "$emulator_pid" "$work/emulator.log" grep -q '^{.*}$' "$work/emulator.out"
base=$(head -n1 "$work/emulator.out" | jq -r .base_url)

printf 'store = "memory"\n[oauth]\nrevoke_uri = "%s/revoke"\n' "$base" >"$XDG_CONFIG_HOME/bqbroker/config.toml"
bqbrokerd 2>"$work/daemon.log" &
daemon_pid=$!
wait_until "the daemon's socket" "$daemon_pid" "$work/daemon.log" test -S "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock"

bqbroker login --no-browser --client-secrets "$work/client_secrets.json" \
  </dev/null >"$work/login.out" 2>"$work/login.err" &
login_pid=$!
wait_until "the sign-in address" "$login_pid" "$work/login.err" grep -q "$base/o/oauth2/" "$work/login.err"
url=$(grep -o "$base/o/oauth2/[^[:space:]]*" "$work/login.err" | head -n1)
redirect=$(curl -sS -o /dev/null -w '%{redirect_url}' "$url")
[ -n "$redirect" ] || fail "the emulator did not redirect to the daemon" "$work/emulator.log"
curl -sS -o /dev/null "$redirect"
wait "$login_pid" || fail "bqbroker login failed" "$work/login.err"

token=$(bqbroker token --account pkg@example.com) || fail "bqbroker token failed" "$work/daemon.log"
[ -n "$token" ] || fail "bqbroker token printed nothing"
info=$(curl -sS -w '\n%{http_code}' -G "$base/tokeninfo" --data-urlencode "access_token=$token")
expect_eq "$(tail -n1 <<<"$info")" 200 "tokeninfo of the token"
expect_eq "$(head -n -1 <<<"$info" | jq -r .email)" pkg@example.com "the token's account"

kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the unpacked daemon did not exit 0 on SIGTERM" "$work/daemon.log"
daemon_pid=""
if grep -qF -- "$token" "$work/daemon.log"; then fail "the token appears in the daemon's log"; fi
echo "package run test: OK (the unpacked bqbrokerd and bqbroker got a token from bqbroker-emulator)"
