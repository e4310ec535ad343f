#!/usr/bin/env bash
# The README's main command: bqbroker's whole job, on this machine, without a Google account.
#
# Installs what is missing (Debian packages, the pinned Node packages), builds, then, in a
# throwaway environment, starts bqbroker-emulator (Google's OAuth endpoints and BigQuery's query
# API on 127.0.0.1, queries run on SQLite over a sample dataset; consent is given automatically)
# and bqbrokerd, and walks through: login, accounts, queries (table, csv, json with a parameter),
# a token for scripts, Google's own Node client library through `bqbroker exec`, status, logout.
# Every command is printed before it runs. Everything started is stopped on exit, on success or
# not. Exit status 0 only when every step worked.
#
# Isolation: temporary XDG_* directories (so its own socket, config and state), its own D-Bus
# session with a throwaway gnome-keyring (scripts/with-keyring.sh). A daemon or keyring the user
# already runs is never touched; as root on a machine without any D-Bus session it works the same.
# No access or refresh token is ever printed: only a token's 10-character type marker.
#
# Environment: BQBROKER_BUILD_DIR (default: build) is the CMake build directory to use.
# shellcheck disable=SC2016  # SQL with backticks and $VARS meant for the child shell, quoted on purpose
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BQBROKER_BUILD_DIR:-build}
[[ $build == /* ]] || build=$root/$build

bold="" plain=""
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
# Prints a command as one would type it (words quoted only where the shell needs it).
echo_command() {
  local out="$" word
  for word in "$@"; do
    # '|', '&' and '&&' are passed as words only to show a pipeline or background job.
    if [[ $word =~ ^[][A-Za-z0-9_./:=@%+,-]+$ || $word =~ ^(\||&|&&)$ ]]; then
      out+=" $word"
    else
      out+=" '${word//\'/\'\\\'\'}'"
    fi
  done
  printf '%s\n' "$out"
}
# Prints a command, then runs it.
show() {
  echo_command "$@"
  "$@"
}

# The walk-through proper; runs inside with-keyring.sh's private D-Bus session (see the end).
session() {
  demo=$(mktemp -d "${TMPDIR:-/tmp}/bqbroker-demo.XXXXXX")
  emulator_pid="" daemon_pid=""
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # Nothing from the caller's environment may point the CLI, daemon or libraries elsewhere.
  unset BQBROKER_SOCKET BIGQUERY_EMULATOR_HOST GOOGLE_APPLICATION_CREDENTIALS \
    GCE_METADATA_HOST GCE_METADATA_IP GCE_METADATA_ROOT GOOGLE_CLOUD_PROJECT
  export XDG_RUNTIME_DIR=$demo/run XDG_STATE_HOME=$demo/state XDG_CONFIG_HOME=$demo/config \
    XDG_CACHE_HOME=$demo/cache
  (umask 077 && mkdir -p "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME/bqbroker" \
    "$XDG_CACHE_HOME")
  PATH=$build:$build/fakes:$PATH

  step "Starting bqbroker-emulator: Google's OAuth and BigQuery on 127.0.0.1, consent given as demo@example.com"
  echo_command bqbroker-emulator --consent allow --account demo@example.com \
    --client-secrets-out "$demo/client_secrets.json" --exit-with-parent '&'
  bqbroker-emulator --consent allow --account demo@example.com \
    --client-secrets-out "$demo/client_secrets.json" --exit-with-parent \
    >"$demo/emulator.out" 2>"$demo/emulator.log" &
  emulator_pid=$!
  # It prints one JSON line once it listens.
  wait_until "the emulator to listen" "$emulator_pid" "$demo/emulator.log" \
    grep -q '^{.*}$' "$demo/emulator.out"
  local info base bigquery
  info=$(head -n 1 "$demo/emulator.out")
  base=$(jq -r .base_url <<<"$info")
  bigquery=$(jq -r .bigquery_endpoint <<<"$info")
  printf '%s\n' "$info" | jq -c '{base_url, bigquery_endpoint, client_secrets, consent, project_id}'

  step "Configuring the daemon: BigQuery at the emulator, default project bqbroker-demo"
  cat >"$XDG_CONFIG_HOME/bqbroker/config.toml" <<EOF
default_project = "bqbroker-demo"

[oauth]
revoke_uri = "$base/revoke"   # logout revokes the refresh token there

[bigquery]
endpoint = "$bigquery"
EOF
  printf '%s:\n' "$XDG_CONFIG_HOME/bqbroker/config.toml"
  sed 's/^/  /' "$XDG_CONFIG_HOME/bqbroker/config.toml"

  step "Starting the daemon (as a user service: systemctl --user enable --now bqbroker.socket)"
  echo_command bqbrokerd '&'
  bqbrokerd 2>"$demo/daemon.log" &
  daemon_pid=$!
  wait_until "the daemon's socket" "$daemon_pid" "$demo/daemon.log" \
    test -S "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock"
  show bqbroker status

  step "Logging in (the browser is played by curl: the emulator consents, then redirects to the daemon)"
  echo_command bqbroker login --no-browser --client-secrets "$demo/client_secrets.json"
  bqbroker login --no-browser --client-secrets "$demo/client_secrets.json" \
    </dev/null >"$demo/login.out" 2>"$demo/login.err" &
  local login_pid=$! url redirect
  wait_until "the sign-in address" "$login_pid" "$demo/login.err" \
    grep -q "$base/o/oauth2/" "$demo/login.err"
  url=$(grep -o "$base/o/oauth2/[^[:space:]]*" "$demo/login.err" | head -n 1)
  printf '  bqbroker printed the sign-in address: %s…\n' "${url:0:60}"
  redirect=$(curl -sS -o /dev/null -w '%{redirect_url}' "$url")
  [ -n "$redirect" ] || fail "the emulator did not redirect the browser" "$demo/emulator.log"
  printf '  the emulator consented and sent the browser to %s\n' "${redirect%%\?*}"
  printf '  the page there says: %s\n' \
    "$(curl -sS "$redirect" | sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' | head -n 1)"
  wait "$login_pid" || fail "bqbroker login failed" "$demo/login.err"
  sed 's/^/  /' "$demo/login.out"
  show bqbroker accounts

  step "A query, run by the daemon with the account's token (the default project: bqbroker-demo)"
  show bqbroker query 'SELECT name, SUM(n) AS total FROM `bqbroker-demo.samples.names` GROUP BY name ORDER BY total DESC LIMIT 10'

  step "The same data as CSV, for other programs"
  show bqbroker query --format csv 'SELECT state, COUNT(DISTINCT name) AS names, SUM(n) AS total FROM samples.names GROUP BY state ORDER BY state'

  step "A query parameter (bq's name:TYPE:value), JSON output with BigQuery's exact values"
  show bqbroker query --format json --param min_year:INT64:2015 --param state::WA \
    'SELECT year, SUM(n) AS total FROM samples.names WHERE state = @state AND year >= @min_year GROUP BY year ORDER BY year'

  step "A token for scripts (only its first 10 characters are shown here)"
  echo_command bqbroker token '|' cut -c1-10
  bqbroker token | cut -c1-10
  printf '%s\n' "\$ curl -H @<(bqbroker token --format header) …   # keeps the token out of ps"

  step "Google's own client libraries, unchanged, through bqbroker exec"
  printf '%s\n' "bqbroker exec gives a program a metadata endpoint, as on a Google Cloud VM:"
  show bqbroker exec -- sh -c 'echo "GCE_METADATA_HOST=$GCE_METADATA_HOST GOOGLE_CLOUD_PROJECT=$GOOGLE_CLOUD_PROJECT"'
  printf '%s\n' "A Node.js program using @google-cloud/bigquery (from tests/node's lockfile) finds its" \
    "credentials there by itself; only apiEndpoint is set, to reach the emulator instead of Google:"
  local program
  program=$(cat <<'JS'
import { BigQuery } from '@google-cloud/bigquery';
const bigquery = new BigQuery({ apiEndpoint: process.argv[1] });
const [rows] = await bigquery.query({
  query: 'SELECT state, SUM(n) AS total FROM samples.names WHERE name = @name GROUP BY state ORDER BY total DESC',
  params: { name: 'Linda' },
});
for (const row of rows) console.log(`${row.state}  ${row.total}`);
JS
)
  sed 's/^/  /' <<<"$program"
  echo_command cd tests/node '&&' bqbroker exec -- node --input-type=module -e '<the program above>' "$bigquery"
  (cd tests/node && bqbroker exec -- node --input-type=module -e "$program" "$bigquery")

  step "Status"
  show bqbroker status

  step "Logging out (the refresh token is revoked at the emulator and deleted from the keyring)"
  show bqbroker logout
  echo_command bqbroker token
  local status=0
  bqbroker token >/dev/null 2>"$demo/token.err" || status=$?
  sed 's/^/  /' "$demo/token.err"
  [ "$status" -eq 4 ] || fail "bqbroker token after logout exited $status, not 4 (needs login)"
  printf '  exit status %s: the account needs `bqbroker login` again\n' "$status"

  step "Stopping the daemon and the emulator (SIGTERM)"
  stop daemon_pid
  stop emulator_pid
  printf 'daemon log (no token, code or secret ever appears in it):\n'
  sed 's/^/  /' "$demo/daemon.log"
  printf '\n%sAll steps worked.%s\n' "$bold" "$plain"
}

# wait_until WHAT PID LOG CMD…: runs CMD until it succeeds, for at most 20 s; fails early, showing
# LOG, if process PID ended.
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

# fail MESSAGE [LOG]: prints MESSAGE (and LOG) on stderr and exits 1.
fail() {
  printf '\ndemo: %s\n' "$1" >&2
  if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/  /' "$2" >&2; fi
  exit 1
}

# stop VAR: SIGTERM the process whose pid VAR holds, wait for it, empty VAR.
stop() {
  local -n pid_var=$1
  if [ -n "$pid_var" ] && kill -0 "$pid_var" 2>/dev/null; then
    kill -TERM "$pid_var"
    wait "$pid_var" || true
  fi
  pid_var=""
}

cleanup() {
  local status=$?
  stop daemon_pid
  stop emulator_pid
  [ -z "${demo:-}" ] || rm -rf "$demo"
  [ "$status" -eq 0 ] || printf '\ndemo: a step failed (exit status %s); everything it started is stopped.\n' \
    "$status" >&2
}

if [ "${1:-}" = --in-keyring-session ]; then
  session
  exit 0
fi

step "Installing missing Debian packages (if any)"
bash scripts/install-deps.sh
if ! (cd tests/node && npm ls --all >/dev/null 2>&1); then
  step "Installing the Node packages pinned in tests/node/package-lock.json"
  (cd tests/node && show npm ci --no-audit --no-fund --loglevel=error)
fi

step "Building"
export CCACHE_BASEDIR=$root
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo_command cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
show cmake --build "$build" --target bqbrokerd bqbroker bqbroker-emulator

step "Entering a private D-Bus session with a throwaway keyring (scripts/with-keyring.sh)"
export BQBROKER_BUILD_DIR=$build
exec scripts/with-keyring.sh "$root/scripts/demo.sh" --in-keyring-session
