"""The pre-commit case: one file changed in the 1,000-service repository, the rest as before.

Each timed run first edits the file (a new comment line, so its content and hash are new) and
follows a scan that has already seen the repository, as a hook that runs on every commit does.
The repository is made a git work tree (`git add`, as a checkout has its files in the index).
With `scan --only-files` (issue 5), run from the repository like a pre-commit hook, that is
the measurement: the whole repository as context, findings for the changed file; it is timed
with the parse cache (the default) and without (`--no-cache`). Without that flag the case is
reported as two scans, the whole repository and the one file alone, and the output says so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generate import service_name
from measure import checked, run


def supports_only_files(command: list[str], env: dict[str, str]) -> bool:
    return "--only-files" in run([*command, "scan", "--help"], env).stdout


def _git_work_tree(repo: Path) -> bool:
    if shutil.which("git") is None:
        return False
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    return True


def _timed_after_edit(argv: list[str], changed: Path, env: dict[str, str], repeat: int,
                      cwd: Path | None = None) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `repeat` scans, each after a new edit of `changed`."""
    checked(argv, run(argv, env, cwd))  # the scan before this commit: whatever it caches is warm
    runs = []
    for attempt in range(repeat):
        with changed.open("a", encoding="utf-8") as handle:
            handle.write(f"# edited for pre-commit run {attempt}\n")
        runs.append(checked(argv, run(argv, env, cwd, sample_tree=False)))
    middle = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return round(middle.seconds, 3), round(middle.cpu_seconds, 3)


def measure_pre_commit(repo: Path, services: int, work: Path, env: dict[str, str], repeat: int,
                       command: list[str]) -> dict:
    rel = f"services/{service_name(services // 2)}/k8s.yaml"
    changed = repo / rel
    original = changed.read_bytes()
    report = str(work / "pre-commit.json")
    out: dict = {"services": services, "changed_file": rel, "runs": repeat, "timings": {}, "cpu_timings": {}}

    def timed(label: str, argv: list[str], cwd: Path | None = None) -> None:
        out["timings"][label], out["cpu_timings"][label] = _timed_after_edit(argv, changed, env, repeat, cwd)

    try:
        if supports_only_files(command, env):
            git = _git_work_tree(repo)
            argv = [*command, "scan", "--only-files", rel, "--format", "json", "--output", report]
            label = "scan --only-files <changed file>"
            timed(label, argv, repo)
            timed(label + " --no-cache", [*argv, "--no-cache"], repo)
            out["seconds"] = out["timings"][label]
            out["description"] = ("astra-guard scan --only-files <changed file>, run in the repository"
                                  + (" (a git work tree)" if git else " (not a git work tree: git is missing)"))
        else:
            whole = [*command, "scan", str(repo), "--format", "json", "--output", report]
            single = [*command, "scan", str(changed), "--root", str(repo), "--format", "json", "--output", report]
            timed("whole repository (warm cache)", whole)
            timed("the changed file alone", single)
            out["seconds"] = out["timings"]["whole repository (warm cache)"]
            out["description"] = ("--only-files (issue 5) is not available yet, so: a scan of the whole "
                                  "repository after the edit, and a scan of the changed file alone")
    finally:
        changed.write_bytes(original)
    return out
