#!/usr/bin/env bash
# Usage: render_test.sh PAGE.roff...
# Each man page renders with neither groff (all warnings on: -ww) nor man printing a warning,
# and man's text has the page's NAME section.
set -euo pipefail
export LC_ALL=C.UTF-8 MANWIDTH=80
status=0
for page in "$@"; do
  name=$(basename "$page")
  name=${name%.*}
  warnings=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1)
  if [ -n "$warnings" ]; then
    echo "FAIL: groff warns about $page:"$'\n'"$warnings" >&2
    status=1
  fi
  text=$(man -l "$page" 2>"$page.man-stderr")
  if [ -s "$page.man-stderr" ]; then
    echo "FAIL: man -l $page printed on stderr:" >&2
    cat "$page.man-stderr" >&2
    status=1
  fi
  if ! grep -q "^NAME" <<<"$text" || ! grep -q "^ *$name - " <<<"$text"; then
    echo "FAIL: man -l $page has no NAME section for $name:"$'\n'"$text" >&2
    status=1
  fi
done
exit $status
