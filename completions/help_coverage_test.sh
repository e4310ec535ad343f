#!/usr/bin/env bash
# Usage: help_coverage_test.sh BQBROKER COMPLETIONS_DIR BQBROKER_1_SCD
# The completions and bqbroker(1) cover what the CLI itself says it takes: every command and
# option of `bqbroker --help` and `bqbroker COMMAND --help` is completed by bash (driven as bash
# does), zsh and fish (read from their files), and documented in the command's section of the
# man page; an option whose values are listed (`--format raw|json|header`) completes to exactly
# those values in bash. A command or option added to the CLI alone fails here.
set -euo pipefail
bqbroker=$1 dir=$(realpath "$2") scd=$3
completion=$dir/bqbroker.bash
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$dir/bash_completion_driver.sh"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# help_section TEXT TITLE: the first words of the lines of section TITLE ("Options", ...).
help_section() {
  awk -v title="$2" '/^[A-Za-z ]+:$/ { on = ($0 == title ":") ; next }
                     on && /^  [^ ]/ { print $1 }' <<<"$1"
}
# The long options of a help text, each with the values it lists ("--format raw json header").
help_options() {
  sed -n 's/^  \(-h,\)\{0,1\}\(--[a-z-]*\)\( \([^ ]*\)\)\{0,1\}.*/\2 \4/p' <<<"$1" |
    while read -r option values; do
      # Only lower-case alternatives are values; N, EMAIL, ... are placeholders.
      [[ $values == *"|"* ]] || values=""
      echo "$option $(tr '|' '\n' <<<"${values%%:*}" | grep -x '[a-z][a-z-]*' | tr '\n' ' ')"
    done
}
# man_section NAME: the lines of bqbroker(1)'s "## NAME" section.
man_section() { awk -v name="$1" '/^#/ { on = ($0 == "## " name) ; next } on' "$scd"; }

top=$("$bqbroker" --help)
commands=$(help_section "$top" Subcommands; help_section "$top" Commands)
[ "$(wc -w <<<"$commands")" -ge 7 ] || fail "found only these commands in bqbroker --help: $commands"

check_options() {  # check_options COMMAND HELP_TEXT LINE_PREFIX MAN_TEXT
  local command=$1 help=$2 prefix=$3 man=$4 offered option values got
  offered=$(complete_line "$PATH" "$prefix --")
  while read -r option values; do
    grep -qx -- "$option" <<<"$offered" || fail "bash does not offer $option after '$prefix'"
    grep -qE -- "['()*]$option[=[]" "$dir/_bqbroker" || fail "zsh does not know ${command:-bqbroker}'s $option"
    grep -E -- "-l ${option#--}( |$)" "$dir/bqbroker.fish" |
      grep -qE -- "from [a-z ]*\\<${command:-none}\\>|^complete -c bqbroker (-n \"not [^\"]*\" )?-l" ||
      fail "fish does not know ${command:-bqbroker}'s $option"
    [[ $option == --help ]] || grep -qF -- "*$option*" <<<"$man" ||
      fail "bqbroker(1) does not document ${command:-the global} $option"
    if [ -n "$values" ]; then
      got=$(complete_line "$PATH" "$prefix $option " | tr '\n' ' ')
      [ "$got" = "$(tr ' ' '\n' <<<"$values" | grep . | LC_ALL=C sort | tr '\n' ' ')" ] ||
        fail "bash completes '$prefix $option' to '$got', the CLI takes '$values'"
    fi
  done < <(help_options "$help")
}

check_options "" "$top" "bqbroker" "$(awk '/^# GLOBAL OPTIONS/ { on = 1; next } /^# / { on = 0 } on' "$scd")"
offered=$(complete_line "$PATH" "bqbroker ")
for command in $commands; do
  grep -qx "$command" <<<"$offered" || fail "bash does not offer the command $command"
  grep -q "^    '$command:" "$dir/_bqbroker" || fail "zsh does not offer the command $command"
  grep -q -- "-a $command -d" "$dir/bqbroker.fish" || fail "fish does not offer the command $command"
  man=$(man_section "$command")
  [ -n "$man" ] || fail "bqbroker(1) has no section '## $command'"
  help=$("$bqbroker" "$command" --help)
  check_options "$command" "$help" "bqbroker $command" "$man"
  subs=$(complete_line "$PATH" "bqbroker $command ")
  for sub in $(help_section "$help" Subcommands; help_section "$help" Commands); do
    grep -qx "$sub" <<<"$subs" || fail "bash does not offer '$command $sub'"
  done
done
exit $status
