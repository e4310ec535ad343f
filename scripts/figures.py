#!/usr/bin/env python3
"""The README's "Security and reliability" figures, from the suite's own results.

  scripts/figures.py write    after scripts/test.sh (which leaves JUnit results of the ordinary
                              and sanitizer runs in build*/test-results.xml) and scripts/fuzz.sh
                              (build-fuzz/logs, build-fuzz/corpus): writes docs/security-figures.json
                              and the README section between the figures markers.
  scripts/figures.py check INTEGRATION_TESTS_BINARY
                              fails when the committed figures are stale: the suite's hostile-input
                              and fault kinds (--gtest_list_tests) differ from the kinds the figures
                              were measured on, or the README section is not the one the figures
                              render. A ctest (figures_current) runs it.

Nothing here measures anything itself: every number is read from a run's output, and `write`
refuses to write figures from a run with a failed test or a sanitizer report.
"""

import datetime
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIGURES = os.path.join(ROOT, "docs", "security-figures.json")
README = os.path.join(ROOT, "README.md")
BEGIN = "<!-- security-figures:begin (scripts/figures.py write) -->"
END = "<!-- security-figures:end -->"

# Test suites whose cases are the kinds the figures count, as gtest names them.
HOSTILE_SUITE = re.compile(r"(^|/)Hostile[A-Za-z]*\.")
FAULTS_SUITE = re.compile(r"(^|/)Faults[A-Za-z]*\.")
LOAD_LINE = re.compile(r"^LOAD: (.*)$", re.M)


class Stale(Exception):
    pass


def fail(message):
    print("figures.py: " + message, file=sys.stderr)
    sys.exit(1)


# --- reading results --------------------------------------------------------------------------

def junit_cases(path):
    """[(name, status, seconds, output)] of a ctest --output-junit file."""
    if not os.path.exists(path):
        fail(f"{os.path.relpath(path, ROOT)} is missing: run scripts/test.sh first")
    cases = []
    for case in ET.parse(path).getroot().iter("testcase"):
        status = case.get("status") or ("fail" if case.find("failure") is not None else "run")
        out = case.find("system-out")
        cases.append((case.get("name"), status, float(case.get("time") or 0),
                      out.text if out is not None and out.text else ""))
    return cases


def kind_of(test_name):
    """The kind a parameterized test case stands for: its parameter's name (after the last /),
    without the "  # GetParam() = …" that CTest's names of parameterized gtests carry."""
    return test_name.split("#", 1)[0].strip().rsplit("/", 1)[-1]


def passed(status):
    return status in ("run", "passed")


def suite_results(cases, pattern):
    matching = [c for c in cases if pattern.search(c[0])]
    return {
        "kinds": sorted(kind_of(c[0]) for c in matching),
        "passed": sum(1 for c in matching if passed(c[1])),
        "seconds": round(sum(c[2] for c in matching), 1),
    }


def load_results(cases):
    for name, status, seconds, output in cases:
        if name.startswith("Load.") and passed(status):
            match = LOAD_LINE.search(output)
            if match:
                fields = dict(kv.split("=", 1) for kv in match.group(1).split())
                fields["test"] = name
                return fields
    fail("no passing Load test printed a LOAD: line in build/test-results.xml")


def fuzz_results():
    logs = os.path.join(ROOT, "build-fuzz", "logs")
    if not os.path.isdir(logs):
        fail("build-fuzz/logs is missing: run scripts/fuzz.sh SECONDS first")
    out = []
    for target in sorted(os.listdir(os.path.join(ROOT, "fuzz", "corpus"))):
        log_path = os.path.join(logs, target + ".log")
        if not os.path.exists(log_path):
            fail(f"no fuzz log for {target}: run scripts/fuzz.sh SECONDS (every target)")
        log = open(log_path, errors="replace").read()
        done = re.search(r"^Done (\d+) runs in (\d+) second", log, re.M)
        if not done:
            fail(f"{log_path} has no 'Done N runs' line: the run did not finish")
        grown = os.path.join(ROOT, "build-fuzz", "corpus", target)
        out.append({
            "target": target,
            "runs": int(done.group(1)),
            "seconds": int(done.group(2)),
            "seed_files": len(os.listdir(os.path.join(ROOT, "fuzz", "corpus", target))),
            "corpus_files": len(os.listdir(grown)) if os.path.isdir(grown) else 0,
        })
    return out


def sanitizer_results(variant, build_dir):
    cases = junit_cases(os.path.join(ROOT, build_dir, "test-results.xml"))
    reports_file = os.path.join(ROOT, build_dir, "sanitizer-reports")
    if not os.path.exists(reports_file):
        fail(f"{build_dir}/sanitizer-reports is missing: run scripts/test-sanitizers.sh {variant}")
    return {
        "tests": len(cases),
        "failed": sum(1 for c in cases if not passed(c[1])),
        "reports": int(open(reports_file).read().strip()),
    }


def machine():
    model = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores, {model}"


def collect():
    cases = junit_cases(os.path.join(ROOT, "build", "test-results.xml"))
    failed = [c[0] for c in cases if not passed(c[1])]
    if failed:
        fail("the run has failed tests, no figures from it: " + ", ".join(failed[:10]))
    figures = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "tests": len(cases),
        "fuzz": fuzz_results(),
        "hostile": suite_results(cases, HOSTILE_SUITE),
        "faults": suite_results(cases, FAULTS_SUITE),
        "load": load_results(cases),
        # The variants scripts/test.sh ran (scripts/test-sanitizers.sh's SANITIZERS).
        "sanitizers": {
            variant: sanitizer_results(variant, build_dir)
            for variant, build_dir in (("address", "build-asan"), ("thread", "build-tsan"))
            if os.path.exists(os.path.join(ROOT, build_dir, "sanitizer-reports"))
        },
    }
    if not figures["sanitizers"]:
        fail("no sanitizer run's results (build-asan/, build-tsan/): run scripts/test.sh")
    for variant, result in figures["sanitizers"].items():
        if result["failed"] or result["reports"]:
            fail(f"the {variant} sanitizer run was not clean: {result}")
    if not figures["hostile"]["kinds"] or not figures["faults"]["kinds"]:
        fail("no hostile-input or fault cases in the results")
    return figures


# --- rendering --------------------------------------------------------------------------------

def arrow(before_after):
    """'17->17' as the README shows it: '17 → 17'."""
    return before_after.replace("->", " → ")


def render(f):
    fuzz_runs = sum(t["runs"] for t in f["fuzz"])
    lines = [
        BEGIN,
        f"Measured on {f['date']} on {f['machine']} by `scripts/test.sh` and `scripts/fuzz.sh` "
        f"(about {f['fuzz'][0]['seconds']} s a target), written by `scripts/figures.py write`; "
        "a test (`figures_current`) fails when the suite's kinds change and these are not "
        "measured again.",
        "",
        "| what | figure |",
        "|---|---|",
        f"| test suite | {f['tests']} tests, all passed; the integration, keyring and e2e tests as "
        "the unprivileged user `bqb-test-a` |",
        f"| fuzzing | {len(f['fuzz'])} libFuzzer targets (ASan + UBSan), "
        f"{fuzz_runs:,} inputs in all, no crash (per target below) |",
        f"| hostile input | {len(f['hostile']['kinds'])} kinds on the socket and the metadata "
        f"port, {f['hostile']['passed']} survived: a clear error or a closed connection, the "
        "daemon up, every connection slot back, the next request answered |",
        f"| faults | {len(f['faults']['kinds'])} upstream and process faults, "
        f"{f['faults']['passed']} with the outcome the test states, no account lost |",
        f"| load | {f['load']['clients']} clients × {int(f['load']['requests']) // int(f['load']['clients'])} "
        f"token requests with {f['load']['queries']} streaming queries: {f['load']['errors']} "
        f"errors in {f['load']['seconds']} s; before → after the load: descriptors "
        f"{arrow(f['load']['fds'])}, threads {arrow(f['load']['threads'])}, RSS "
        f"{arrow(f['load']['rss_kb'])} KiB |",
    ]
    for variant, name, what in (("address", "ASan + UBSan", "unit and integration"),
                                ("thread", "TSan", "the daemon's unit tests")):
        if variant not in f["sanitizers"]:
            continue
        s = f["sanitizers"][variant]
        lines.append(f"| {name} | {s['tests']} tests ({what}), {s['failed']} failed, "
                     f"{s['reports']} sanitizer reports |")
    lines += ["", "| fuzz target | inputs run | seconds | seed files | corpus after |",
              "|---|---:|---:|---:|---:|"]
    for t in f["fuzz"]:
        lines.append(f"| `{t['target']}` | {t['runs']:,} | {t['seconds']} | {t['seed_files']} "
                     f"| {t['corpus_files']} |")
    lines += ["", "Hostile-input kinds: " + ", ".join(f"`{k}`" for k in f["hostile"]["kinds"]) + ".",
              "", "Faults: " + ", ".join(f"`{k}`" for k in f["faults"]["kinds"]) + ".", END]
    return "\n".join(lines)


def readme_with(section):
    text = open(README).read()
    if BEGIN not in text or END not in text:
        fail("README.md has no figures markers (" + BEGIN + " … " + END + ")")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + section + tail


# --- commands ---------------------------------------------------------------------------------

def listed_kinds(binary, pattern):
    """The kinds the test binary has now (gtest's --gtest_list_tests)."""
    out = subprocess.run([binary, "--gtest_list_tests"], check=True, capture_output=True,
                         text=True).stdout
    kinds, suite = [], ""
    for line in out.splitlines():
        if not line.startswith(" "):
            suite = line.strip()
        else:
            name = line.split("#", 1)[0].strip()
            if pattern.search(suite + name):
                kinds.append(kind_of(suite + name))
    return sorted(kinds)


def check(binary):
    if not os.path.exists(FIGURES):
        fail("docs/security-figures.json is missing: run scripts/figures.py write")
    figures = json.load(open(FIGURES))
    problems = []
    for key, pattern in (("hostile", HOSTILE_SUITE), ("faults", FAULTS_SUITE)):
        now = listed_kinds(binary, pattern)
        then = figures[key]["kinds"]
        if now != then:
            added = sorted(set(now) - set(then))
            gone = sorted(set(then) - set(now))
            problems.append(f"{key} kinds changed since the figures were measured "
                            f"(new: {added or 'none'}; gone: {gone or 'none'})")
    if readme_with(render(figures)) != open(README).read():
        problems.append("README.md's figures section is not what docs/security-figures.json renders")
    if problems:
        fail("stale figures: " + "; ".join(problems) +
             ". Run scripts/test.sh, scripts/fuzz.sh 60, then scripts/figures.py write.")
    print(f"figures current: {len(figures['hostile']['kinds'])} hostile kinds, "
          f"{len(figures['faults']['kinds'])} faults, measured {figures['date']}")


def write():
    figures = collect()
    with open(FIGURES, "w") as out:
        json.dump(figures, out, indent=2, ensure_ascii=False)
        out.write("\n")
    updated = readme_with(render(figures))
    with open(README, "w") as out:
        out.write(updated)
    print(f"wrote {os.path.relpath(FIGURES, ROOT)} and README.md's figures section")


def main(argv):
    if len(argv) == 2 and argv[1] == "write":
        write()
    elif len(argv) == 3 and argv[1] == "check":
        check(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
