#!/usr/bin/env bash
# How long `bqbroker token` takes from start to exit, as a script calling it in a loop sees it.
#
#   bench/token_cli.sh SOCKET [RUNS]
#
# SOCKET: a running bqbrokerd's socket with a signed-in default account (this script starts
# nothing). RUNS: how many calls to time (default 1000). The CLI is $BQBROKER (default: bqbroker
# in PATH). The goal is $BUDGET_MS per call (default 5 ms: a token should cost a few milliseconds);
# the exit status is 1 when the mean is over it. Tokens are never printed.
set -euo pipefail

socket=${1:?usage: bench/token_cli.sh SOCKET [RUNS]}
runs=${2:-1000}
cli=${BQBROKER:-bqbroker}
budget_ms=${BUDGET_MS:-5}

# One call first: a failure (no daemon, needs login) must not be timed as a fast run.
if ! "$cli" --socket "$socket" token >/dev/null; then
  echo "token_cli: \`$cli --socket $socket token\` failed; nothing timed" >&2
  exit 2
fi

start=$(date +%s%N)
for ((i = 0; i < runs; i++)); do
  "$cli" --socket "$socket" token >/dev/null
done
end=$(date +%s%N)

mean_us=$(((end - start) / runs / 1000))
printf 'bqbroker token: %d runs, mean %d.%03d ms per call (budget %s ms)\n' \
  "$runs" $((mean_us / 1000)) $((mean_us % 1000)) "$budget_ms"
if ((mean_us > budget_ms * 1000)); then
  echo "token_cli: over budget" >&2
  exit 1
fi
