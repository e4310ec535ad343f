#!/usr/bin/env bash
# CI only (.ci/run runs it when CI=true): installs the packages scripts/package.sh built with apt,
# checks them in place, then purges them and checks that no file of theirs is left.
#   installed:  `bqbroker --version` is the package's version; every file dpkg -L lists for
#               bqbroker is there (the binaries, the units, copyright, changelog, the man pages,
#               the completions); `man -w` finds bqbroker(1), bqbrokerd(1) and bqbroker-config(5).
#   purged:     no file dpkg -L listed exists any more, nor /usr/share/doc/bqbroker*.
# It changes the machine's installed packages, so it refuses to run unless CI=true or given
# --on-this-machine, and refuses when bqbroker or bqbroker-emulator is installed already.
# Usage: scripts/check-installed-package.sh [--on-this-machine] [DEB_DIR]   (default build/packages)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --on-this-machine ]; then
  shift
elif [ "${CI:-}" != true ]; then
  echo "check-installed-package: installs and purges bqbroker system-wide; runs only in CI" \
    "(CI=true) or with --on-this-machine" >&2
  exit 2
fi
debs=$(realpath "${1:-build/packages}")
fail() { echo "check-installed-package: FAIL: $*" >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
packages=(bqbroker bqbroker-emulator)
# dpkg's status of package $1: empty or not-installed when it is absent (config-files counts).
status() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true; }
for p in "${packages[@]}"; do
  case $(status "$p") in
    "" | not-installed) ;;
    *) fail "$p is installed on this machine already; not touching it" ;;
  esac
done

deb=$(ls "$debs"/bqbroker_*_amd64.deb)
emu=$(ls "$debs"/bqbroker-emulator_*_amd64.deb)
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq "$deb" "$emu" >/dev/null

version=$(dpkg-query -W -f='${Version}' bqbroker)
[ "$(bqbroker --version)" = "bqbroker ${version%-*}" ] || fail "bqbroker --version: $(bqbroker --version)"
[ "$(command -v bqbroker)" = /usr/bin/bqbroker ] || fail "bqbroker is not /usr/bin/bqbroker"
listed=$(dpkg -L "${packages[@]}" | grep -v "^$")  # one blank line between packages
for f in /usr/bin/bqbroker /usr/bin/bqbrokerd /usr/bin/bqbroker-emulator \
  /usr/lib/systemd/user/bqbroker.socket /usr/lib/systemd/user/bqbroker.service \
  /usr/share/doc/bqbroker/copyright /usr/share/doc/bqbroker/changelog.Debian.gz; do
  grep -qxF "$f" <<<"$listed" || fail "dpkg -L does not list $f"
done
while IFS= read -r f; do
  [ -e "$f" ] || fail "$f is listed by dpkg -L but missing"
done <<<"$listed"
for page in bqbroker bqbrokerd bqbroker-config; do
  section=1; [ "$page" = bqbroker-config ] && section=5
  [ "$(man -w "$section" "$page")" = "/usr/share/man/man$section/$page.$section.gz" ] ||
    fail "man -w $section $page: $(man -w "$section" "$page" 2>&1)"
done

# Files (not directories, which other packages share) of the packages, then the purge.
files=$(while IFS= read -r f; do [ -d "$f" ] || printf '%s\n' "$f"; done <<<"$listed")
$sudo apt-get purge -y -qq "${packages[@]}" >/dev/null
left=$(while IFS= read -r f; do [ ! -e "$f" ] || printf '%s\n' "$f"; done <<<"$files")
for d in /usr/share/doc/bqbroker /usr/share/doc/bqbroker-emulator; do [ ! -e "$d" ] || left+=$'\n'"$d"; done
[ -z "${left//$'\n'/}" ] || fail "left after apt-get purge:$left"
for p in "${packages[@]}"; do
  case $(status "$p") in
    "" | not-installed) ;;
    *) fail "$p is still known to dpkg after the purge: $(status "$p")" ;;
  esac
done
echo "check-installed-package: OK ($(wc -l <<<"$files") files installed, all removed by the purge)"
