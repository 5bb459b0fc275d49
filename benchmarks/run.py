"""The performance benchmark (issue 8): astra-guard on synthetic repositories of N services.

    python benchmarks/run.py [--sizes 100,1000,10000] [--vs-checkov] [--json out.json]

For each N: wall time of a scan (a fresh `astra-guard scan` process, JSON report to a file,
parse cache empty as on a fresh CI runner), its CPU time, files/s, resources/s, peak RSS (of
its largest process, and the sampled sum over the process and its workers), the parse-only time
of the same files measured in the same run (benchmarks/parse_only.py: our loaders, no rules,
one process, no cache) and the ratio scan/parse-only, and the time per resource so super-linear
growth shows. Plus `astra-guard --version`, the seed scan and the pre-commit case (one changed
file in the 1,000-service repository). Numbers go to stdout and to a JSON file; targets are
reported as met or missed, never asserted. Corpora come from benchmarks/generate.py into a
temporary directory.

The corpora are scanned with `limits.max_resources` raised (the 10,000-service corpus holds
about 63,000 resources, over the default ceiling of 50,000). Bytecode is written and reused
(PYTHONDONTWRITEBYTECODE is dropped from the environment), as in an installed package.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import counts, generate
from measure import checked, median_run, run
from precommit import measure_pre_commit

REPO = HERE.parent
SEED = REPO / "examples" / "astradesk-seed"
DEFAULT_JSON = HERE / "results" / "latest.json"
LIMITS_CONFIG = "limits:\n  max_resources: 1000000\n"
TARGETS = {"version_s": 0.15, "seed_s": 0.5, "scan_s": {1000: 3.0, 10000: 25.0}, "peak_rss_mb": {10000: 1024.0},
           "scan_over_parse": 3.0, "pre_commit_s": 1.0}


def astra_guard_command() -> list[str]:
    """The console script next to this interpreter (what users run), else `python -m astra_guard`."""
    script = Path(sys.executable).with_name("astra-guard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "astra_guard"]


def scan_argv(target: Path, report: Path, *extra: str) -> list[str]:
    return [*astra_guard_command(), "scan", str(target), "--format", "json", "--output", str(report), *extra]


def seconds(value: float) -> float:
    return round(value, 3)


def report_summary(report: Path) -> dict:
    return json.loads(report.read_text(encoding="utf-8"))["summary"]


def machine() -> dict:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           check=False, capture_output=True, text=True)
    version = run([*astra_guard_command(), "--version"]).stdout.strip()
    module = run([sys.executable, "-c", "import astra_guard; print(astra_guard.__file__)"],  # not from the cwd
                 cwd=Path(tempfile.gettempdir())).stdout.strip()
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "astra_guard": version, "module": module, "commit": commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else ""),
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_average_at_start": os.getloadavg()}


def limits_config(work: Path, env: dict[str, str]) -> list[str]:
    """`--config` raising limits.max_resources, when this astra-guard knows the setting (older ones
    have no such ceiling, and refuse the key)."""
    config, probe = work / "limits.yaml", work / "probe"
    config.write_text(LIMITS_CONFIG, encoding="utf-8")
    probe.mkdir(exist_ok=True)
    accepted = run(scan_argv(probe, work / "probe.json", "--config", str(config)), env).exit_code in (0, 1)
    return ["--config", str(config)] if accepted else []


def measure_size(n: int, root: Path, work: Path, env: dict[str, str], config: list[str]) -> dict:
    """One corpus: the scan and the parse-only floor, each in its own process."""
    report = work / f"report-{n}.json"
    argv = scan_argv(root, report, *config)
    scan = checked(argv, run(argv, env))
    summary = report_summary(report)
    parse_argv = [sys.executable, str(HERE / "parse_only.py"), str(root)]
    parse = checked(parse_argv, run(parse_argv, env), ok=(0,))
    parsed = json.loads(parse.stdout)
    files, resources = summary["files"], summary["resources"]
    return {
        "services": n, "files": files, "resources": resources, "findings": summary["findings"],
        "input_errors": summary.get("errors", 0),
        "scan_s": seconds(scan.seconds), "scan_cpu_s": seconds(scan.cpu_seconds),
        "files_per_s": round(files / scan.seconds, 1), "resources_per_s": round(resources / scan.seconds, 1),
        "peak_rss_mb": round(scan.peak_rss_mb, 1),
        "peak_tree_rss_mb": round(scan.peak_tree_rss_mb, 1) if scan.peak_tree_rss_mb else None,
        "parse_only_s": seconds(parse.seconds), "parse_only_cpu_s": seconds(parse.cpu_seconds),
        "parse_only_in_process_s": seconds(parsed["seconds"]), "parse_only_peak_rss_mb": round(parse.peak_rss_mb, 1),
        "scan_over_parse": round(scan.seconds / parse.seconds, 2),
        "us_per_resource": round(scan.seconds / resources * 1e6, 1),
    }


def measure_checkov(targets: list[tuple[str, Path]], repeat: int) -> dict:
    """Checkov (from $ASTRA_GUARD_CHECKOV, else PATH) on the same inputs, one process each."""
    checkov = os.environ.get("ASTRA_GUARD_CHECKOV") or shutil.which("checkov")
    if not checkov or not Path(checkov).exists() and shutil.which(checkov) is None:
        return {"installed": False}
    version = median_run([checkov, "--version"], repeat)
    out: dict = {"installed": True, "executable": checkov, "version": version.stdout.strip(),
                 "version_s": seconds(version.seconds)}
    for label, target in targets:
        argv = [checkov, "-d", str(target), "-o", "json", "--quiet", "--skip-download"]
        out[label] = seconds(checked(argv, run(argv)).seconds)
    return out


def verdicts(results: dict) -> dict[str, bool]:
    met = {"version": results["version"]["seconds"] <= TARGETS["version_s"],
           "seed": results["seed"]["seconds"] <= TARGETS["seed_s"]}
    for size in results["sizes"]:
        n = size["services"]
        met[f"{n}_scan_over_parse"] = size["scan_over_parse"] <= TARGETS["scan_over_parse"]
        if n in TARGETS["scan_s"]:
            met[f"{n}_scan"] = size["scan_s"] <= TARGETS["scan_s"][n]
        if n in TARGETS["peak_rss_mb"]:
            met[f"{n}_peak_rss"] = size["peak_rss_mb"] <= TARGETS["peak_rss_mb"][n]
    if "seconds" in results.get("pre_commit", {}):
        met["pre_commit"] = results["pre_commit"]["seconds"] <= TARGETS["pre_commit_s"]
    return met


def print_table(results: dict) -> None:
    m = results["machine"]
    print(f"\nastra-guard benchmark: {m['astra_guard']} ({m['commit']}; {m['module']}), Python {m['python']}, "
          f"{m['cpus']} CPUs")
    v, s = results["version"], results["seed"]
    print(f"  astra-guard --version      {v['seconds']:7.3f} s   (CPU {v['cpu_seconds']:.3f} s; target <= "
          f"{TARGETS['version_s']} s, median of {v['runs']})")
    print(f"  seed scan ({s['files']} files)      {s['seconds']:7.3f} s   (CPU {s['cpu_seconds']:.3f} s; target <= "
          f"{TARGETS['seed_s']} s, median of {s['runs']}, peak RSS {s['peak_rss_mb']} MB; JSON report, parse cache warm)")
    for label, key in (("console report (default)", "console_report_s"), ("--no-cache (every file parsed)", "no_cache_s")):
        if key in results.get("seed_variants", {}):
            print(f"    {label:<30} {results['seed_variants'][key]:7.3f} s")
    header = ("services", "files", "resources", "findings", "scan s", "scan cpu s", "files/s", "res/s", "RSS MB",
              "tree RSS MB", "parse s", "scan/parse", "us/res")
    print("\n" + " ".join(f"{h:>11}" for h in header))
    for r in results["sizes"]:
        row = (r["services"], r["files"], r["resources"], r["findings"], f"{r['scan_s']:.2f}", f"{r['scan_cpu_s']:.2f}",
               f"{r['files_per_s']:.0f}", f"{r['resources_per_s']:.0f}", f"{r['peak_rss_mb']:.0f}",
               f"{r['peak_tree_rss_mb'] or 0:.0f}", f"{r['parse_only_s']:.2f}", f"{r['scan_over_parse']:.2f}x",
               f"{r['us_per_resource']:.0f}")
        print(" ".join(f"{c:>11}" for c in row))
    limits = "--config setting limits.max_resources" if results.get("limits_config") else "default settings"
    print(f"(corpora scanned with {limits}; cold parse cache; load average at start "
          f"{', '.join(f'{x:.1f}' for x in m['load_average_at_start'])})")
    pc = results.get("pre_commit")
    if pc:
        print(f"\npre-commit, one changed file in the {pc['services']}-service repository: {pc['description']}")
        for label, wall in pc["timings"].items():
            print(f"  {label:<48} {wall:7.3f} s   (CPU {pc['cpu_timings'][label]:.3f} s, median of {pc['runs']})")
    ck = results.get("checkov")
    if ck:
        print("\ncheckov: " + (", ".join(f"{k} {v}" for k, v in ck.items()) if ck.get("installed") else "not installed"))
    print("\ntargets: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in results["met"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="astra-guard performance benchmark (issue 8)")
    parser.add_argument("--sizes", default="100,1000,10000", help="services per corpus, comma-separated")
    parser.add_argument("--vs-checkov", action="store_true",
                        help="also time Checkov on the same corpora ($ASTRA_GUARD_CHECKOV, else checkov on PATH)")
    parser.add_argument("--checkov-max", type=int, default=1000, help="largest corpus given to Checkov (default 1000)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the numbers (default {DEFAULT_JSON})")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each small measurement; the median is kept")
    parser.add_argument("--workdir", type=Path, help="where corpora are generated (default: a temporary directory)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(tempfile.mkdtemp(prefix="astra-guard-bench-", dir=args.workdir))
    # A private parse cache: corpora are scanned cold, as on a fresh CI runner; bytecode is kept.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "ASTRA_GUARD_NO_CACHE")}
    env["ASTRA_GUARD_CACHE_DIR"] = str(work / "cache")
    try:
        results: dict = {"machine": machine(), "targets": {k: v for k, v in TARGETS.items() if not isinstance(v, dict)}}
        run(scan_argv(SEED, work / "warmup.json"), env)  # compile bytecode once, outside the timings
        version = median_run([*astra_guard_command(), "--version"], args.repeat, env)
        results["version"] = {"seconds": seconds(version.seconds), "cpu_seconds": seconds(version.cpu_seconds), "runs": args.repeat}
        seed = median_run(scan_argv(SEED, work / "seed.json"), args.repeat, env)
        results["seed"] = {"seconds": seconds(seed.seconds), "cpu_seconds": seconds(seed.cpu_seconds), "runs": args.repeat,
                           "peak_rss_mb": round(seed.peak_rss_mb, 1),
                           **{k: report_summary(work / "seed.json")[k] for k in ("files", "resources", "findings")}}
        results["seed_variants"] = {  # the README's first command (console report), and a first run ever
            "console_report_s": seconds(median_run([*astra_guard_command(), "scan", str(SEED)], args.repeat, env).seconds),
            "no_cache_s": seconds(median_run(scan_argv(SEED, work / "seed.json", "--no-cache"), args.repeat, env).seconds),
        }
        corpora: dict[int, Path] = {}
        results["sizes"] = []
        config = limits_config(work, env)
        results["limits_config"] = bool(config)
        for n in sizes:
            corpora[n] = work / f"services-{n}"
            generate(n, corpora[n])
            print(f"measuring {n} services ({counts(n).files} files)...", file=sys.stderr, flush=True)
            results["sizes"].append(measure_size(n, corpora[n], work, env, config))
        if 1000 not in corpora:
            corpora[1000] = work / "services-1000"
            generate(1000, corpora[1000])
        print("measuring the pre-commit case...", file=sys.stderr, flush=True)
        results["pre_commit"] = measure_pre_commit(corpora[1000], 1000, work, env, args.repeat, astra_guard_command())
        if args.vs_checkov:
            targets = [("seed_s", SEED)] + [(f"{n}_services_s", corpora[n]) for n in sizes if n <= args.checkov_max]
            results["checkov"] = measure_checkov(targets, args.repeat)
        results["met"] = verdicts(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
