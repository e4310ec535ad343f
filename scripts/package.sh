#!/usr/bin/env bash
# Builds the Debian packages bqbroker_VERSION_amd64.deb (the daemon, the CLI, the systemd user
# units, the docs) and bqbroker-emulator_VERSION_amd64.deb into build/packages/, then lints them.
#
# It reuses the optimized build tree the test command builds (build/, RelWithDebInfo): only what
# the packages take is brought up to date (target bqbroker_package_inputs), and CPack strips the
# binaries in its staging copy, so nothing is compiled twice. packaging/CMakeLists.txt is the
# packages' definition; lintian must report no error (warnings are printed; each accepted one is
# explained in packaging/*.lintian-overrides).
#
# Environment: BQBROKER_BUILD_DIR (default: build) is the CMake build directory to use.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BQBROKER_BUILD_DIR:-build}
[[ $build == /* ]] || build=$root/$build

bash scripts/install-deps.sh
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-25G}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target bqbroker_package_inputs
rm -f "$build"/packages/*.deb
(cd "$build" && cpack --config CPackConfig.cmake)
lintian --fail-on error --display-level '>=warning' "$build"/packages/*.deb
ls -1 "$build"/packages/*.deb
