#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test bqbroker.
# Idempotent and quiet when everything is already there. Needs root (or sudo).
#
# Why each package:
#   build:    g++/cmake/ninja/pkg-config (ccache: faster rebuilds), Boost 1.81 (Asio, Beast, URL; the versioned packages,
#             since unversioned libboost-*-dev pull 1.74), nlohmann-json, spdlog (+fmt), libsecret,
#             libsystemd, OpenSSL, CLI11, toml++, tl::expected (errors as values), GoogleTest,
#             SQLite (bqbroker-emulator runs queries on it).
#   tests:    gnome-keyring + dbus (a real Secret Service), libsecret-tools (secret-tool, to look
#             into the keyring from tests), libglib2.0-bin (gdbus: wait for the keyring, lock it), curl (raw HTTP over the Unix socket), util-linux (setpriv),
#             systemd (systemd-analyze, systemd-socket-activate), jq (JSON answers in test scripts),
#             python3-yaml (a real YAML parser: the route constants are checked against openapi.yaml).
#   docs:     scdoc (the man pages' source format, rendered at build time), groff-base + man-db
#             (the man pages render without warnings), zsh + fish (their completion files parse).
#   package:  dpkg-dev (dpkg-shlibdeps: the packages' Depends, computed from the binaries by CPack),
#             lintian (Debian's checks of a .deb; scripts/package.sh and tests/package fail on errors).
#   clients:  Node.js + npm (Google's own client libraries, from tests/node's lockfile, talk to the
#             metadata endpoint); Debian's packages only when the machine has no node/npm at all,
#             so an existing, newer Node.js is kept.
#   fuzz:     clang-14 + libclang-rt-14-dev (libFuzzer and the sanitizer runtimes of the same
#             version) for scripts/fuzz.sh.
#   e2e:      chromium (the real browser playwright-core drives through `bqbroker login`),
#             python3 + python3-google-auth + python3-requests (Debian's Google auth library, run
#             by /usr/bin/python3 through `bqbroker exec`).
#             More of Google's auth libraries, each run unchanged through `bqbroker exec`:
#             libgoogle-auth-java + openjdk-17-jdk-headless (javac compiles tests/e2e's Java program
#             at build time), ruby-googleauth, python3-google-auth-oauthlib (the library of
#             BigQuery's installed-application guide, whose script tests/e2e runs credential-free).
#   e2e (Go): golang-go + golang-golang-x-oauth2-google-dev + golang-google-cloud-dev (Debian's Go
#             toolchain and Google's Go client libraries, built offline from /usr/share/gocode into
#             tests/go's program, run through `bqbroker exec`).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev
  libsecret-1-dev libsystemd-dev libssl-dev
  libcli11-dev libtomlplusplus-dev libexpected-dev libsqlite3-dev
  googletest libgtest-dev libgmock-dev
  gnome-keyring dbus dbus-user-session libsecret-tools libglib2.0-bin
  curl util-linux systemd ca-certificates openssl
  jq python3-yaml
  scdoc groff-base man-db zsh fish
  dpkg-dev lintian
  clang-14 libclang-rt-14-dev
  chromium python3 python3-google-auth python3-requests
  libgoogle-auth-java openjdk-17-jdk-headless ruby-googleauth python3-google-auth-oauthlib
  golang-go golang-golang-x-oauth2-google-dev golang-google-cloud-dev
)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
