"""`python -m bench` (or `make bench`): run every bench script in this folder, one after another.

A bench script is a module here with a `main() -> int` (or `main(argv)`); each prints its own
table and writes its JSON results to bench/results/. `python -m bench NAME ...` runs only those.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path


def scripts() -> list[str]:
    here = str(Path(__file__).resolve().parent)
    return sorted(m.name for m in pkgutil.iter_modules([here]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = argv or scripts()
    failed = []
    for name in names:
        entry = getattr(importlib.import_module(f"bench.{name}"), "main", None)
        if not callable(entry):
            continue
        print(f"== bench/{name}.py", flush=True)
        takes_argv = bool(inspect.signature(entry).parameters)
        if (entry([]) if takes_argv else entry()) != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
