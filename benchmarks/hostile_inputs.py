"""Wall time and peak memory of scanning each hostile input, one fresh CLI process per input.

The inputs are `tests/hostile/nasty.py`'s, each alone in its own directory, scanned the way CI
scans (`astra-guard scan DIR --format json`); the first row scans one ordinary manifest, so an
input's own cost is its row minus that one (start-up, rule compilation). Every run must end
with exit code 1 (the input error fails the scan) or 0 for a skipped input, never 2.

    python benchmarks/hostile_inputs.py [--repeat 3] [--large] [--json results/hostile.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from measure import checked, median_run

from astra_guard.limits import Limits

from tests.hostile.nasty import BUILDERS, GOOD_POD


def baseline(d: Path) -> tuple[str, int, str]:
    (d / "good.yaml").write_text(GOOD_POD)
    return ("findings", 0, "")


# --large: the biggest inputs the default limits let through (just under 5 MiB; HCL 512 KiB), the real cost ceiling
FILL = 5 * 1024 * 1024 - 4096


def large_flow_list(d: Path) -> tuple[str, int, str]:
    (d / "flow.yaml").write_text("a: [" + "1," * (FILL // 2) + "1]\n")
    return ("error", 1, "")


def large_manifests(d: Path) -> tuple[str, int, str]:
    doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata:\n" + "".join(f"  k{j}: v{j}\n" for j in range(40))
    count = FILL // len(doc.format(i=10_000))
    (d / "many.yaml").write_text("".join(doc.format(i=i) for i in range(count)))
    return ("findings", 0, "")


def large_terraform(d: Path) -> tuple[str, int, str]:
    """HCL has its own, lower ceiling (limits.max_hcl_bytes): the parser's cost per byte is high."""
    block = 'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "x-${{var.env}}"\n  tags = {{ a = 1, b = [1, 2, 3] }}\n}}\n'
    count = (Limits().max_hcl_bytes - 4096) // len(block.format(i=100_000))
    (d / "main.tf").write_text("".join(block.format(i=i) for i in range(count)))
    return ("findings", 0, "")


def large_jenkinsfile(d: Path) -> tuple[str, int, str]:
    (d / "Jenkinsfile").write_text("node {\n" + "  sh 'make test'\n" * (FILL // 17) + "}\n")
    return ("findings", 0, "")


LARGE = {f.__name__: f for f in (large_flow_list, large_manifests, large_terraform, large_jenkinsfile)}


def measure(repeat: int, large: bool = False) -> list[dict[str, object]]:
    rows = []
    for name, build in {"baseline (one ordinary manifest)": baseline, **BUILDERS, **(LARGE if large else {})}.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            root.mkdir()
            kind, line, _ = build(root)
            size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
            argv = [sys.executable, "-m", "astra_guard", "scan", str(root), "--format", "json", "--output", os.devnull]
            result = checked(argv, median_run(argv, repeat, env={**os.environ, "NO_COLOR": "1"}))
            rows.append({"input": name, "bytes": size, "outcome": f"{kind} @ line {line}" if line else kind,
                         "exit": result.exit_code, "wall_s": round(result.seconds, 2),
                         "cpu_s": round(result.cpu_seconds, 2), "peak_rss_mb": round(result.peak_rss_mb, 1)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per input; the median wall time is kept")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--large", action="store_true", help="also the largest inputs the default limits admit (minutes)")
    args = parser.parse_args()
    rows = measure(args.repeat, args.large)
    print(f"{'input':<34} {'bytes':>10} {'outcome':<18} {'exit':>4} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}")
    for r in rows:
        print(f"{r['input']:<34} {r['bytes']:>10} {r['outcome']:<18} {r['exit']:>4} {r['wall_s']:>7} {r['cpu_s']:>6} "
              f"{r['peak_rss_mb']:>8}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
