"""The floor a scan is measured against: discover and load the same files, judge nothing.

Every file goes through astra-guard's own loaders exactly as a scan reads it (PyYAML's C
parser keeping a span for every key, python-hcl2, the Dockerfile parser), in one process, in
order, with no cache and no rules. Prints one JSON line: files, resources, seconds.

    python benchmarks/parse_only.py DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def parse_only(root: Path) -> dict[str, float | int]:
    from astra_guard.discovery import discover
    from astra_guard.loaders import load_bytes

    started = time.perf_counter()
    found = discover([root], root)
    resources = errors = 0
    for source in found.files:
        loaded = load_bytes(source.path.read_bytes(), source.rel, source.family)
        resources += len(loaded.resources)
        errors += len(loaded.errors)
    return {"files": len(found.files), "resources": resources, "errors": errors,
            "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(parse_only(Path(sys.argv[1]))))
