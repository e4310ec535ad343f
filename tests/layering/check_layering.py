#!/usr/bin/env python3
"""The layering rules of docs/HACKING.md, as a test.

Usage: check_layering.py ROOT TARGET=SOURCE_LIST...   (SOURCE_LIST: the target's source directory
       on the first line, then its SOURCES, one per line or ;-separated, as CMake writes them;
       relative paths are relative to that directory)
       check_layering.py --selftest

Each checked target may include only the system headers its rule allows, and of the project's own
headers only those of its own source list or of the targets it may use. Because every project
header a file may include is itself checked, the rule holds transitively: a pure file cannot reach
Asio through a header of its own target either.
"""
import os
import re
import sys
import tempfile

# What a target must never include (directly or through a header of its own), and which project
# targets it may include from.
FORBIDDEN_IO = [r"boost/asio", r"boost/beast", r"spdlog/", r"libsecret/", r"systemd/sd-",
                r"CLI/", r"glib"]
RULES = {
    "bqbroker_proto": {"forbid": FORBIDDEN_IO, "uses": []},
    "bqbroker_logic": {"forbid": FORBIDDEN_IO, "uses": ["bqbroker_proto"]},
    "bqbroker_client_lib": {"forbid": [r"spdlog/", r"libsecret/", r"CLI/", r"glib"],
                            "uses": ["bqbroker_proto"]},
}
# The daemon's folders, and the other folders each may include from (docs/HACKING.md's map). The
# graph has no cycles; a unit test (*_test.cpp) may include from any folder.
DAEMON_FOLDERS = {
    "base": [],
    "server": ["base"],
    "net": ["base"],
    "oauth": ["base"],
    "accounts": ["base", "server", "net", "oauth"],
    "login": ["base", "server", "net", "oauth", "accounts"],
    "tokens": ["base", "server", "net", "oauth", "accounts"],
    "query": ["base", "server", "net", "tokens"],
    "metadata": ["base", "server", "oauth", "accounts", "tokens"],
    "notify": ["base", "accounts", "login"],
}
DAEMON_INCLUDE = re.compile(r'^\s*#\s*include\s*"daemon/(\w+)/', re.M)
# Generated headers every target may include.
GENERATED = {"bqbroker_version.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def read_list(root, path):
    """The target's files, relative to ROOT."""
    with open(path, encoding="utf-8") as f:
        base, _, sources = f.read().partition("\n")
    files = set()
    for line in sources.replace(";", "\n").splitlines():
        line = line.strip()
        if line:
            files.add(os.path.relpath(os.path.join(base.strip(), line), root))
    return files


def check(root, lists):
    problems = []
    for target, files in lists.items():
        rule = RULES[target]
        allowed = set(files)
        for used in rule["uses"]:
            allowed |= lists.get(used, set())
        for rel in sorted(files):
            with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for quote, inc in INCLUDE.findall(text):
                if quote == "<" or inc in GENERATED or not os.path.exists(os.path.join(root, inc)):
                    for pattern in rule["forbid"]:
                        if re.search(pattern, inc):
                            problems.append(f"{rel}: {target} must not include <{inc}>")
                elif inc not in allowed:
                    problems.append(f"{rel}: {target} must not include \"{inc}\" (not in "
                                    f"{' or '.join([target] + rule['uses'])})")
    return problems


def check_folders(root):
    """Each daemon folder includes only the folders DAEMON_FOLDERS allows it; every folder of
    daemon/ is in DAEMON_FOLDERS."""
    problems = []
    daemon = os.path.join(root, "daemon")
    for folder in sorted(os.listdir(daemon)):
        if not os.path.isdir(os.path.join(daemon, folder)):
            continue
        if folder not in DAEMON_FOLDERS:
            problems.append(f"daemon/{folder}/: not in the folder map of check_layering.py")
            continue
        for name in sorted(os.listdir(os.path.join(daemon, folder))):
            if not re.search(r"\.(h|cpp)$", name) or name.endswith("_test.cpp"):
                continue
            rel = f"daemon/{folder}/{name}"
            with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                for used in DAEMON_INCLUDE.findall(f.read()):
                    if used != folder and used not in DAEMON_FOLDERS[folder]:
                        problems.append(f"{rel}: daemon/{folder} must not include from "
                                        f"daemon/{used}")
    return problems


def selftest():
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        write("p/a.h", "#include <string>\n")
        write("d/pure.h", '#include "p/a.h"\n#include <vector>\n')
        write("d/io.h", "#include <boost/asio/awaitable.hpp>\n")
        write("d/bad_sys.h", "#include <spdlog/spdlog.h>\n")
        write("d/bad_proj.h", '#include "d/io.h"\n')
        lists = {"bqbroker_proto": {"p/a.h"},
                 "bqbroker_logic": {"d/pure.h", "d/bad_sys.h", "d/bad_proj.h"}}
        write("daemon/base/up.h", '#include "daemon/tokens/t.h"\n')
        write("daemon/tokens/t.h", '#include "daemon/base/b.h"\n')
        write("daemon/tokens/t_test.cpp", '#include "daemon/query/q.h"\n')
        write("daemon/unmapped/x.h", "")
        found = check(root, lists) + check_folders(root)
        expected = ["d/bad_proj.h: bqbroker_logic must not include \"d/io.h\"",
                    "d/bad_sys.h: bqbroker_logic must not include <spdlog/spdlog.h>",
                    "daemon/base/up.h: daemon/base must not include from daemon/tokens",
                    "daemon/unmapped/: not in the folder map"]
        ok = len(found) == 4 and all(any(f.startswith(e) for f in found) for e in expected)
        print("\n".join(found))
        print("selftest", "passed" if ok else "FAILED")
        return 0 if ok else 1


def main(argv):
    if argv[1:] == ["--selftest"]:
        return selftest()
    root = argv[1]
    lists = {}
    for arg in argv[2:]:
        target, path = arg.split("=", 1)
        lists[target] = read_list(root, path)
    problems = check(root, lists) + check_folders(root)
    for p in problems:
        print(p)
    counts = ", ".join(f"{t}: {len(f)} files" for t, f in lists.items())
    print(f"layering: {counts}; {len(problems)} problem(s)")
    if any(not f for f in lists.values()):
        print("a checked target has no source: the CMake source lists were not found")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
