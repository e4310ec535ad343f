#!/usr/bin/env bash
# Builds the Debian packages from the built tree with CPack (as scripts/package.sh does, into a
# directory of the test's own) and checks them: the files each ships, the units' paths, stripped
# binaries, the computed Depends, no maintainer script, the copyright (DEP-5) and the changelog
# (gzip -9n, naming the package's version), then lintian with no error.
# Usage: build_test.sh BUILD_DIR OUT_DIR VERSION
set -euo pipefail

build=$1 out=$2 version=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
# has LIST PATH...: each PATH is a line of LIST (dpkg-deb -c's names).
has() {
  local list=$1 path
  shift
  for path in "$@"; do grep -qxF "$path" <<<"$list" || fail "no $path in the package"; done
}

rm -rf "$out"
cpack --config "$build/CPackConfig.cmake" -B "$out" >"$out.log" 2>&1 || { cat "$out.log" >&2; fail "cpack"; }
deb=$(ls "$out"/bqbroker_*_amd64.deb)
emu=$(ls "$out"/bqbroker-emulator_*_amd64.deb)
pkg_version=$(dpkg-deb -f "$deb" Version)
[[ $pkg_version == "$version"-* ]] || fail "Version $pkg_version is not the project's $version-REVISION"
expect_eq "$(basename "$deb")" "bqbroker_${pkg_version}_amd64.deb" "file name"
expect_eq "$(dpkg-deb -f "$emu" Version)" "$pkg_version" "the emulator's Version"

# Contents. Every path under /usr (nothing under /usr/local: the prefix is /usr).
names() { dpkg-deb -c "$1" | awk '{print $6}'; }
files=$(names "$deb")
has "$files" ./usr/bin/bqbroker ./usr/bin/bqbrokerd \
  ./usr/lib/systemd/user/bqbroker.socket ./usr/lib/systemd/user/bqbroker.service \
  ./usr/share/doc/bqbroker/copyright ./usr/share/doc/bqbroker/changelog.Debian.gz \
  ./usr/share/doc/bqbroker/README.md ./usr/share/doc/bqbroker/systemd.md \
  ./usr/share/lintian/overrides/bqbroker \
  ./usr/share/man/man1/bqbroker.1.gz ./usr/share/man/man1/bqbrokerd.1.gz \
  ./usr/share/man/man5/bqbroker-config.5.gz \
  ./usr/share/bash-completion/completions/bqbroker ./usr/share/zsh/vendor-completions/_bqbroker \
  ./usr/share/fish/vendor_completions.d/bqbroker.fish
emu_files=$(names "$emu")
has "$emu_files" ./usr/bin/bqbroker-emulator ./usr/share/doc/bqbroker-emulator/copyright \
  ./usr/share/doc/bqbroker-emulator/changelog.Debian.gz ./usr/share/lintian/overrides/bqbroker-emulator
if grep -v '^\./usr/' <<<"$files$emu_files" | grep -q .; then fail "a path outside /usr"; fi
if grep -q '^\./usr/local' <<<"$files$emu_files"; then fail "a path under /usr/local"; fi
if grep -q emulator <<<"$files"; then fail "the emulator is in bqbroker"; fi
if grep -q 'bqbrokerd\|bin/bqbroker$' <<<"$emu_files"; then fail "the daemon or CLI is in bqbroker-emulator"; fi

# The units name the packaged daemon and docs.
unit() { dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/lib/systemd/user/$1"; }
grep -qx 'ExecStart=/usr/bin/bqbrokerd' <<<"$(unit bqbroker.service)" || fail "ExecStart= is not /usr/bin/bqbrokerd"
grep -qx 'Documentation=file:///usr/share/doc/bqbroker/systemd.md' <<<"$(unit bqbroker.socket)" \
  || fail "the socket's Documentation= is not under /usr/share/doc/bqbroker"

# Control: Depends computed by dpkg-shlibdeps (versioned, the libraries the binaries link), no
# maintainer script (nothing is enabled or started for the machine's users).
depends=$(dpkg-deb -f "$deb" Depends)
for lib in 'libc6 (>= ' 'libsecret-1-0 (>= ' 'libsystemd0 (>= ' 'libssl3 (>= ' 'libstdc++6 (>= '; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks '$lib': $depends"
done
[[ $(dpkg-deb -f "$emu" Depends) == *'libsqlite3-0 (>= '* ]] || fail "the emulator's Depends lacks libsqlite3-0"
for p in "$deb" "$emu"; do
  control=$(dpkg-deb -I "$p" | awk '$2 == "bytes," {print $NF}' | sort | tr '\n' ' ')
  expect_eq "$control" "control md5sums " "control members of $(basename "$p")"
done
[[ $(dpkg-deb -f "$deb" Description) == *'systemctl --user enable --now bqbroker.socket'* ]] \
  || fail "the description does not say how to enable the socket"

# Binaries stripped (no symbol table, no debug info), copyright in DEP-5, changelog gzip -9n.
x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
dpkg -x "$deb" "$x"
dpkg -x "$emu" "$x"
for b in bqbroker bqbrokerd bqbroker-emulator; do
  if readelf -S "$x/usr/bin/$b" | grep -q '\.symtab\|\.debug_'; then fail "$b is not stripped"; fi
done
for p in bqbroker bqbroker-emulator; do
  doc=$x/usr/share/doc/$p
  expect_eq "$(head -n1 "$doc/copyright")" \
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "$p's copyright format"
  grep -qx 'License: Apache-2.0' "$doc/copyright" || fail "$p's copyright names no Apache-2.0"
  # gzip -n: no file name flag, a zero time stamp.
  expect_eq "$(od -An -tx1 -N8 "$doc/changelog.Debian.gz" | tr -d ' ')" 1f8b080000000000 "$p's changelog gzip header"
  expect_eq "$(zcat "$doc/changelog.Debian.gz" | head -n1 | sed 's/^bqbroker (\([^)]*\)).*/\1/')" \
    "$pkg_version" "$p's changelog version"
done

# lintian: no error (warnings are shown; each accepted one is explained in its overrides file).
lintian --fail-on error --display-level '>=warning' "$deb" "$emu" || fail "lintian reports an error"
echo "package build test: OK ($(basename "$deb"), $(basename "$emu"))"
