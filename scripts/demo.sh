#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts bqbrokerd in a throwaway environment
# (temporary XDG_* directories, its own socket, its own D-Bus session and keyring) next to a local
# stand-in for Google's OAuth endpoints (the test fake; issue 6 replaces it with the emulator), then
# logs in, hands out tokens by CLI, socket and metadata endpoint, logs out, and stops everything it
# started. Exit 0 only when every step worked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Installing missing Debian packages (if any)"
bash scripts/install-deps.sh
step "Building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target bqbrokerd bqbroker fake-google

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
  fake=$root/build/tests/fakes/fake-google
  fake_pid=""
  trap '"'"'[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; cleanup'"'"' EXIT

  step "Starting a local stand-in for Google'"'"'s OAuth endpoints (it consents as demo@example.com)"
  "$fake" --client-secrets-out "$demo/client_secrets.json" --port-file "$demo/fake.port" \
    --account demo@example.com --quiet --exit-with-parent >/dev/null &
  fake_pid=$!
  for _ in $(seq 200); do [ -s "$demo/fake.port" ] && break; sleep 0.05; done
  [ -s "$demo/fake.port" ] || { echo "the fake did not start"; exit 1; }
  printf "client_secrets.json written to %s (its auth_uri and token_uri point at the fake)\n" \
    "$demo/client_secrets.json"
  mkdir -p "$XDG_CONFIG_HOME/bqbroker"
  printf "[oauth]\nrevoke_uri = \"http://127.0.0.1:%s/revoke\"\n" "$(cat "$demo/fake.port")" \
    >"$XDG_CONFIG_HOME/bqbroker/config.toml"
  printf "config.toml: logout revokes at the fake too:\n"; sed "s/^/  /" "$XDG_CONFIG_HOME/bqbroker/config.toml"

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

  step "Logging in (the browser is played by curl: consent, then the redirect to the daemon)"
  printf "$ bqbroker login --no-browser --client-secrets %s\n" "$demo/client_secrets.json"
  bqbroker login --no-browser --client-secrets "$demo/client_secrets.json" \
    </dev/null >"$demo/login.out" 2>"$demo/login.err" &
  login_pid=$!
  url=""
  for _ in $(seq 200); do
    url=$(grep -o "http://127.0.0.1:[0-9]*/o/oauth2/[^[:space:]]*" "$demo/login.err" || true)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { cat "$demo/login.err"; exit 1; }
  printf "  the CLI printed the sign-in address: %s...\n" "${url:0:60}"
  redirect=$(curl -s -o /dev/null -w "%{redirect_url}" "$url")
  printf "  consent given; the browser is sent to %s...\n" "${redirect%%\?*}"
  curl -s -o /dev/null "$redirect"
  wait "$login_pid"
  sed "s/^/  /" "$demo/login.out"

  step "Accounts"
  show bqbroker accounts

  step "A token, as scripts get it (only its first characters are shown here)"
  printf "$ bqbroker token\n"
  bqbroker token | cut -c1-10 | sed "s/$/…/"
  printf "$ bqbroker token --format json --scope bigquery.readonly\n"
  bqbroker token --format json --scope bigquery.readonly | jq ".access_token |= .[0:10]+\"…\""
  printf "$ curl -H @<(bqbroker token --format header) …   # the token never shows in ps\n"

  step "Google client libraries: bqbroker exec serves them a metadata endpoint"
  show bqbroker exec -- sh -c '"'"'echo "GCE_METADATA_HOST=$GCE_METADATA_HOST"; curl -s -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email"; echo'"'"'

  step "Status"
  show bqbroker status

  step "Logging out (the refresh token is revoked and deleted from the keyring)"
  show bqbroker logout

  step "Stopping the daemon (SIGTERM)"
  kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=""
  printf "daemon log:\n"; sed "s/^/  /" "$demo/daemon.log"
  printf "\nAll steps worked.\n"
' bash "$root"
