#!/usr/bin/env python3
"""The socket API's route constants (proto/routes.h, printed by print_routes) and the operations
of proto/openapi.yaml (read with a real YAML parser) must be the same set of (method, path)."""
import subprocess
import sys

import yaml

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def main(print_routes: str, openapi: str) -> int:
    out = subprocess.run([print_routes], check=True, capture_output=True, text=True).stdout
    code = {tuple(line.split(" ", 1)) for line in out.splitlines() if line}
    with open(openapi, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    documented = {(m.upper(), path) for path, ops in spec["paths"].items()
                  for m in ops if m in METHODS}
    ok = True
    for method, path in sorted(code - documented):
        print(f"{method} {path}: in proto/routes.h, not documented in {openapi}")
        ok = False
    for method, path in sorted(documented - code):
        print(f"{method} {path}: documented in {openapi}, not in proto/routes.h")
        ok = False
    if not code:
        print("print_routes printed no route")
        ok = False
    print(f"{len(code)} routes in code, {len(documented)} documented")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
