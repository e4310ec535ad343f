#!/usr/bin/env bash
# Checks the installed forms of bqbroker.socket and bqbroker.service with systemd's own tools:
#   1. `systemd-analyze --user verify` finds nothing to say about them (it exits 0 on warnings,
#      such as an unknown key, so any output at all is a failure);
#   2. the service's sandbox stays at or below an exposure of 2.0 in
#      `systemd-analyze --user security --offline=yes` (1.7 when written).
# The units are copies whose ExecStart= is the freshly built bqbrokerd, since verify checks that
# the binary exists and is executable, and the install path need not exist yet.
#
# Usage: verify_units_test.sh BQBROKER_SOCKET_UNIT BQBROKER_SERVICE_UNIT BQBROKERD
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 SOCKET_UNIT SERVICE_UNIT BQBROKERD" >&2; exit 2; }
socket_unit=$1 service_unit=$2 daemon=$3
max_exposure=20  # systemd-analyze's --threshold is the exposure times ten

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$daemon" ] || fail "bqbrokerd not built at $daemon"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/runtime"
mkdir "$tmp/units" "$tmp/bad"
export XDG_RUNTIME_DIR=$tmp/runtime  # verify starts a manager that needs one

cp "$socket_unit" "$tmp/units/bqbroker.socket"
[ "$(grep -c '^ExecStart=' "$service_unit")" -eq 1 ] || fail "expected exactly one ExecStart= in $service_unit"
grep -q '^ExecStart=/.*/bqbrokerd$' "$service_unit" || fail "ExecStart= in $service_unit does not run an absolute .../bqbrokerd"
sed "s|^ExecStart=.*|ExecStart=$daemon|" "$service_unit" > "$tmp/units/bqbroker.service"

# verify, then require silence.
run_verify() {  # DIR -> output of verify on both units in DIR; exit status of verify
  (cd "$1" && systemd-analyze --user verify bqbroker.socket bqbroker.service 2>&1)
}
if ! out=$(run_verify "$tmp/units"); then
  fail "systemd-analyze verify failed:"$'\n'"$out"
fi
[ -z "$out" ] || fail "systemd-analyze verify reported problems:"$'\n'"$out"

# The check above must be able to fail: a unit with an unknown key makes verify speak (exit 0).
cp "$tmp/units/bqbroker.socket" "$tmp/bad/"
sed 's/^\[Service\]$/[Service]\nNoSuchSetting=yes/' "$tmp/units/bqbroker.service" > "$tmp/bad/bqbroker.service"
bad_out=$(run_verify "$tmp/bad" || true)
[[ $bad_out == *NoSuchSetting* ]] || fail "verify did not notice an unknown key; this test would pass anything (got: $bad_out)"

# The sandbox must not quietly loosen.
if ! sec=$(cd "$tmp/units" && systemd-analyze --user security --offline=yes \
             --threshold=$max_exposure bqbroker.service 2>&1); then
  echo "$sec" >&2
  fail "bqbroker.service's exposure is above $((max_exposure / 10)).$((max_exposure % 10))"
fi
echo "$sec" | grep 'Overall exposure level' || fail "no overall exposure in systemd-analyze security's output"
echo "PASS: units verify cleanly"
