#!/usr/bin/env bash
# Usage: bash_completion_test.sh completions/bqbroker.bash
# Drives the bash completion as bash does (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT, then
# the function `complete -p bqbroker` names) in a bash without startup files, and checks
# COMPREPLY. Accounts come from a fake `bqbroker` first on PATH: one that prints two accounts,
# one that fails as with no daemon, and none at all; the last two must give no emails and print
# nothing on stderr.
set -euo pipefail
completion=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

mkdir -p "$work/daemon" "$work/no-daemon" "$work/tools"
# `bqbroker accounts --json` as the CLI prints it; the arguments are kept to check --socket.
cat >"$work/daemon/bqbroker" <<FAKE
#!/bin/sh
echo "\$*" > "$work/daemon/args"
cat <<'JSON'
{
  "accounts": [
    {
      "default": true,
      "email": "ana@example.com",
      "scopes": ["https://www.googleapis.com/auth/bigquery"],
      "state": "ok"
    },
    {
      "default": false,
      "email": "bo@example.org",
      "scopes": [],
      "state": "needs_login"
    }
  ],
  "default": "ana@example.com"
}
JSON
FAKE
printf '#!/bin/sh\necho "bqbroker: error: the daemon is not running" >&2\nexit 3\n' \
  >"$work/no-daemon/bqbroker"
chmod +x "$work/daemon/bqbroker" "$work/no-daemon/bqbroker"
# A PATH with no bqbroker at all: only what the completion and this test run.
for tool in timeout sed cat sort; do ln -s "$(command -v $tool)" "$work/tools/$tool"; done

source "$(dirname "$0")/bash_completion_driver.sh"

# expect PATH LINE EXPECTED...: COMPREPLY is exactly EXPECTED (any order), stderr empty.
expect() {
  local path=$1 line=$2
  shift 2
  local got want
  got=$(complete_line "$path" "$line") || { echo "FAIL: '$line': the completion failed" >&2; status=1; }
  want=$(printf '%s\n' "$@" | LC_ALL=C sort)
  if [ "$got" != "$want" ]; then
    printf 'FAIL: %q completes to:\n%s\nexpected:\n%s\n' "$line" "$got" "$want" >&2
    status=1
  fi
  if [ -s "$work/stderr" ]; then
    printf 'FAIL: %q printed on stderr:\n%s\n' "$line" "$(cat "$work/stderr")" >&2
    status=1
  fi
}

daemon=$work/daemon:$PATH
expect "$daemon" "bqbroker " login logout status accounts token exec query doctor
expect "$daemon" "bqbroker --socket /s/sock " login logout status accounts token exec query doctor
expect "$daemon" "bqbroker --" --socket --version --help
expect "$daemon" "bqbroker query --format " pretty csv json ndjson
expect "$daemon" "bqbroker query --format n" ndjson
expect "$daemon" "bqbroker token --format " raw json header
expect "$daemon" "bqbroker token --scope big" bigquery bigquery.readonly bigquery.insertdata
expect "$daemon" "bqbroker exec --scope cloud-platform" cloud-platform cloud-platform.read-only
expect "$daemon" "bqbroker query --max-" --max-rows --max-bytes-billed
expect "$daemon" "bqbroker status --" --json --help
expect "$daemon" "bqbroker token --account " ana@example.com bo@example.org
expect "$daemon" "bqbroker token --account b" bo@example.org
expect "$daemon" "bqbroker accounts default " ana@example.com bo@example.org
expect "$daemon" "bqbroker logout " ana@example.com bo@example.org
# The emails are asked from the daemon the command line names.
expect "$daemon" "bqbroker --socket /s/sock query --account " ana@example.com bo@example.org
grep -qx -- "--socket /s/sock accounts --json" "$work/daemon/args" ||
  { echo "FAIL: the accounts were not asked with --socket: $(cat "$work/daemon/args")" >&2; status=1; }

# No daemon, and no bqbroker at all: no emails, nothing on stderr, the rest still completes.
expect "$work/no-daemon:$PATH" "bqbroker token --account "
expect "$work/no-daemon:$PATH" "bqbroker logout "
expect "$work/tools" "bqbroker token --account "
expect "$work/tools" "bqbroker token --format j" json
exit $status
