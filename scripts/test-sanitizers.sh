#!/usr/bin/env bash
# The sanitizer runs, the last step of the test command (scripts/test.sh, which first installs
# what they need); also on their own:
#   1. build-asan (BQBROKER_SANITIZE=address: ASan + LeakSanitizer + UBSan): the unit and
#      integration suites;
#   2. build-tsan (BQBROKER_SANITIZE=thread): every unit test of the daemon (bqbroker_daemon_tests,
#      where its concurrency lives: token single flight, the connection server with many clients,
#      cancelled logins and jobs, shutdown and drain, the blocking pool), built alone.
# Every process of a run (test binaries, the daemons and CLIs they start, as any user) writes its
# reports into one directory; the run fails if any report is there, even when the test that
# caused it passed. Suppressions: tests/sanitizer-suppressions.txt, third-party frames only.
#   scripts/test-sanitizers.sh [address|thread]...    (default: both)
# Needs what scripts/test.sh installs (it runs install-deps and test-users first).
set -euo pipefail
cd "$(dirname "$0")/.."

variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(address thread)
# Every argument is checked before the first (long) run starts.
for v in "${variants[@]}"; do
  case $v in
    address | thread) ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "scripts/test-sanitizers.sh: unknown variant '$v' (address or thread; --help)" >&2
      exit 2
      ;;
  esac
done

export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-25G}
export BQBROKER_KEYRING_USER=bqb-test-a  # see scripts/with-keyring.sh

# One suppressions file in the repo; each sanitizer reads only its own kinds of entry.
split_suppressions() {  # $1 = output dir
  grep -E '^leak:' tests/sanitizer-suppressions.txt >"$1/lsan.supp" || true
  grep -E '^(race|thread|mutex|signal|deadlock|called_from_lib):' \
    tests/sanitizer-suppressions.txt >"$1/tsan.supp" || true
}

# Builds the sanitizer variant's targets, its output to DIR/build.log: GCC warns for every use of
# Asio's fenced blocks under TSan (-Wtsan), thousands of lines that say nothing about this code,
# whose own warnings the ordinary build shows. The log's end is shown when the build fails.
build_variant() {  # $1 = build dir, then targets
  local dir=$1
  shift
  if ! cmake --build "$dir" --target "$@" >"$dir/build.log" 2>&1; then
    tail -n 80 "$dir/build.log"
    echo "the sanitizer build failed; its whole output is in $dir/build.log" >&2
    return 1
  fi
}

run_variant() {  # $1 = address | thread
  local variant=$1 dir=build-${1:0:1}san
  local reports
  reports=$(mktemp -d /tmp/bqbroker-sanitizer-reports.XXXXXX)
  # Daemons run as the test users write here too.
  chmod 1777 "$reports"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBQBROKER_SANITIZE="$variant" >/dev/null
  split_suppressions "$dir"
  local ctest_args
  if [ "$variant" = address ]; then
    # The test executables and the programs they start (and the man pages, which the unit label's
    # man.* tests read), nothing else. The fuzz targets' corpus
    # replays are left out: scripts/fuzz.sh runs those inputs under ASan + UBSan already.
    build_variant "$dir" bqbroker_proto_tests bqbroker_logic_tests bqbroker_daemon_tests \
      bqbroker_client_lib_tests bqbroker_cli_tests bqbroker_fakes_tests bqbroker_integration_tests \
      bqbrokerd bqbroker bqbroker-emulator bqbit-connection-flood bqbit-socket-recorder print_routes \
      man_pages
    export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:check_initialization_order=1:strict_init_order=1"
    export LSAN_OPTIONS="suppressions=$PWD/$dir/lsan.supp"
    export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
    # Also left out: the one test that uses up every descriptor of the process (the accept
    # loop's EMFILE back-off). UBSan's vptr check reads an object's vtable only after probing
    # that its memory is readable, and it probes by writing it into a pipe(2); with no
    # descriptor left the probe fails and every virtual call is reported as a bad vptr
    # ("<memory cannot be printed>"). A vptr_check suppression cannot match it: it needs the
    # very type information the failed probe did not read. The ordinary run has the test.
    ctest_args=(-L "unit|integration"
      -E "^fuzz_replay_|^ConnectionServerTest\.OutOfDescriptorsTheAcceptLoopPausesThenServesAgain$")
  else
    # Only the daemon's unit tests: their binary is all this build compiles.
    build_variant "$dir" bqbroker_daemon_tests
    export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/$dir/tsan.supp"
    # Its test suites, as ctest names their tests (Suite.Test, or Prefix/Suite.Test/param).
    local suites
    suites=$("$dir/daemon/bqbroker_daemon_tests" --gtest_list_tests |
      sed -n 's/^\([A-Za-z0-9_/]*\)\.$/\1/p' | sed 's|.*/||' | sort -u | paste -sd'|')
    [ -n "$suites" ] || { echo "no test suites in bqbroker_daemon_tests" >&2; return 1; }
    ctest_args=(-L unit -R "(^|/)($suites)\\.")
  fi
  echo "== $variant sanitizer: ctest ${ctest_args[*]} (reports in $reports)"
  local status=0
  scripts/with-keyring.sh ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 \
    --output-junit "$PWD/$dir/test-results.xml" "${ctest_args[@]}" || status=$?
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
  # The count is one of the README's figures (scripts/figures.py).
  ls -A "$reports" | wc -l >"$dir/sanitizer-reports"
  if [ -n "$(ls -A "$reports")" ]; then
    for f in "$reports"/*; do
      echo "---- $f"
      head -n 80 "$f"
    done
    echo "$variant sanitizer: reports above (every one is a failure)" >&2
    status=1
  else
    rm -rf "$reports"
  fi
  return $status
}

for v in "${variants[@]}"; do
  run_variant "$v"
done
