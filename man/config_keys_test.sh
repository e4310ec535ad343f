#!/usr/bin/env bash
# Usage: config_keys_test.sh PYTHON config_keys.py docs/configuration.md bqbroker-config.5
# bqbroker-config(5) has every key of docs/configuration.md with its default, and config_keys.py
# stops with an error (naming the line) on a key table it cannot read instead of dropping keys.
set -euo pipefail
python=$1 script=$2 markdown=$3 page=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# Every key row of the document, as "key<TAB>default", appears in the rendered page.
export LC_ALL=C.UTF-8 MANWIDTH=1000
text=$(man -l "$page" 2>/dev/null)
rows=$(sed -n 's/^| `\([a-z_]*\)` | .* | \(.*\) | .* |$/\1\t\2/p' "$markdown")
[ "$(wc -l <<<"$rows")" -ge 20 ] || fail "found only $(wc -l <<<"$rows") key rows in $markdown"
while IFS=$'\t' read -r key default; do
  default=${default//\`/}
  grep -qF -- "$key (" <<<"$text" || fail "key $key is missing from $page"
  grep -F -- "$key (" <<<"$text" | grep -qF -- "default: $default)" ||
    fail "key $key's default '$default' is not in $page"
done <<<"$rows"

printf '{{KEYS}}\n' >"$work/template"
expect_refusal() {  # expect_refusal WHAT DOCUMENT: config_keys.py fails, naming a line
  if "$python" "$script" "$2" "$work/template" "$work/out" 2>"$work/err"; then
    fail "config_keys.py accepted $1"
  elif ! grep -qE ':[0-9]+: ' "$work/err"; then
    fail "config_keys.py refused $1 without naming the line: $(cat "$work/err")"
  fi
}
# A row whose key lost its backticks.
sed '0,/^| `store` |/s//| store |/' "$markdown" >"$work/bad-row.md"
expect_refusal "a row without a backticked key" "$work/bad-row.md"
# A table with no rows left.
sed '/^| `refresh_margin_seconds` |/d' "$markdown" >"$work/empty-table.md"
expect_refusal "a key table with no rows" "$work/empty-table.md"
# The unchanged document is accepted.
"$python" "$script" "$markdown" "$work/template" "$work/out" || fail "the real document was refused"
exit $status
