#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test (unit, integration,
# keyring, e2e) inside a private D-Bus session with an unlocked gnome-keyring; the integration,
# keyring and e2e tests run as bqb-test-a, an ordinary user (tests/support/as-test-user.sh).
# Fakes of Google's endpoints are started by the tests themselves. Then the sanitizer runs
# (scripts/test-sanitizers.sh): the unit and integration suites built with ASan + UBSan, the
# daemon's unit tests (its concurrency) built with TSan, each with zero reports.
# Extra arguments go to ctest (e.g. -L unit) and make a slice: the ordinary build's tests only.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# Two unprivileged users for the tests that run processes as another user (setpriv).
bash scripts/test-users.sh
# Node packages pinned by the lockfile: google-auth-library (metadata-endpoint interop test) and
# playwright-core (drives Debian's chromium in the e2e browser login test).
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
# ccache (when present) shares objects between checkouts at different paths: paths relative to
# the checkout, and the build directory left out of the hash (with -g, ccache otherwise keys on
# it, so every clone at a new path would rebuild from scratch; only the debug info's compilation
# directory differs, which nothing here reads).
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-25G}
# The tests that touch the keyring run as bqb-test-a: so do the session bus and keyring.
export BQBROKER_KEYRING_USER=bqb-test-a
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
# JUnit results: what scripts/figures.py reads for the README's figures.
scripts/with-keyring.sh ctest --test-dir build --output-on-failure --no-tests=error -j2 \
  --output-junit "$PWD/build/test-results.xml" "$@"
[ $# -gt 0 ] || exec scripts/test-sanitizers.sh address thread
