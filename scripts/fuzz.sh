#!/usr/bin/env bash
# Fuzzes the targets of fuzz/ with libFuzzer, each for a set time:
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 60 seconds, every target)
# Builds build-fuzz/ with Debian's clang-14 (BQBROKER_FUZZ=ON: libFuzzer + ASan + UBSan). New
# inputs go to build-fuzz/corpus/TARGET (seeded from fuzz/corpus/TARGET); a crash leaves its input
# in build-fuzz/crashes/ and stops with the target's report (each target's whole output is in
# build-fuzz/logs/). Add each crash input, once fixed, to fuzz/corpus/TARGET so that the
# ordinary test suite replays it.
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

mkdir -p build-fuzz/crashes build-fuzz/logs
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  log="build-fuzz/logs/$t.log"
  if ! "build-fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="build-fuzz/crashes/$t-" "build-fuzz/corpus/$t" "fuzz/corpus/$t" \
      >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz_$t: FAILED; the input is in build-fuzz/crashes/, the whole log in $log" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz_$t: ${runs:-?} inputs in ${seconds}s, no crash; corpus $(ls "build-fuzz/corpus/$t" | wc -l) files"
done
