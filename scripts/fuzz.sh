#!/usr/bin/env bash
# Fuzzes the targets of fuzz/ with libFuzzer, each for a set time:
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 60 seconds, every target)
# Builds build-fuzz/ with Debian's clang-14 (BQBROKER_FUZZ=ON: libFuzzer + ASan + UBSan). New
# inputs go to build-fuzz/corpus/TARGET (seeded from fuzz/corpus/TARGET); a crash leaves its input
# in build-fuzz/crashes/ and stops with the target's report. Add each crash input, once fixed, to
# fuzz/corpus/TARGET so that the ordinary test suite replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz/corpus)
fi

export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBQBROKER_FUZZ=ON -DBQBROKER_TESTS=OFF >/dev/null
cmake --build build-fuzz --target "${targets[@]/#/fuzz_}"

mkdir -p build-fuzz/crashes
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  echo "== fuzz_$t for ${seconds}s"
  "build-fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$t-" "build-fuzz/corpus/$t" "fuzz/corpus/$t"
done
