"""Run Checkov offline on the scan's inputs and read its verdicts.

Checkov cannot be imported into astra-guard's environment: it requires `bc-python-hcl2`, which
installs a top-level module `hcl2` over the `python-hcl2` our Terraform loader needs (and pins
`packaging<24`). So it runs in its own environment, as a subprocess: `ASTRA_GUARD_CHECKOV` names
its executable, else `checkov` on PATH. It gets the scan root as working directory and the
scanned files it understands as `-f` arguments, and an environment that keeps it offline: no
update check against PyPI, no download of policies or id mappings from the Prisma Cloud
(Bridgecrew) platform, no GitHub/GitLab configuration fetch, no API key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astra_guard.errors import UsageError

EXECUTABLE_ENV = "ASTRA_GUARD_CHECKOV"
TIMEOUT_SECONDS = 600
FRAMEWORKS = {"kubernetes": "kubernetes", "dockerfile": "dockerfile", "terraform": "terraform",
              "github-actions": "github_actions"}
OFFLINE_ENV = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # the banner asks PyPI for a newer version otherwise
    "BC_SKIP_MAPPING": "TRUE",  # no download of the Bridgecrew id mapping
    "CKV_GITHUB_CONFIG_FETCH_DATA": "false",
    "CKV_GITLAB_CONFIG_FETCH_DATA": "false",
    "LOG_LEVEL": "ERROR",
}
PLATFORM_ENV_PREFIXES = ("BC_API_KEY", "BC_API_URL", "PRISMA_", "CKV_API_KEY")
INSTALL_HINT = ("install Checkov in its own environment (it cannot share astra-guard's: both ship a module "
                "named hcl2), e.g. `python3 -m venv ~/.checkov && ~/.checkov/bin/pip install checkov==3.3.30`, "
                f"and set {EXECUTABLE_ENV}=~/.checkov/bin/checkov (or put checkov on PATH)")


@dataclass(frozen=True)
class CheckovResult:
    check_id: str
    check_name: str
    passed: bool
    file: str  # relative to the scan root, "/" separators
    start_line: int
    end_line: int
    resource: str


def executable() -> str:
    configured = os.environ.get(EXECUTABLE_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise UsageError(f"{EXECUTABLE_ENV}={configured} is not an executable Checkov; {INSTALL_HINT}")
        return str(path)
    found = shutil.which("checkov")
    if not found:
        raise UsageError(f"--corroborate checkov needs Checkov: {INSTALL_HINT}")
    return found


def offline_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_ENV_PREFIXES)}
    env.update(OFFLINE_ENV)
    return env


def run_checkov(root: Path, files: list[tuple[str, str]]) -> tuple[str, list[CheckovResult]]:
    """(Checkov's version, its verdicts) on `files` ((relative path, our family) pairs) under `root`."""
    chosen = [(f, FRAMEWORKS[family]) for f, family in files if family in FRAMEWORKS]
    if not chosen:
        return "", []
    command = [executable(), "-o", "json", "--skip-download", "--skip-results-upload",
               "--framework", *sorted({fw for _, fw in chosen})]
    for file, _ in chosen:
        command += ["-f", file]
    try:
        process = subprocess.run(command, cwd=root, env=offline_environment(), capture_output=True, text=True,
                                 timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise UsageError(f"Checkov did not finish within {TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise UsageError(f"cannot run Checkov ({command[0]}): {exc.strerror or exc}") from None
    try:
        reports = json.loads(process.stdout)
    except ValueError:
        last = [line for line in process.stderr.splitlines() if line.strip()][-1:] or ["no output"]
        raise UsageError(f"Checkov failed (exit {process.returncode}): {last[0].strip()}") from None
    return parse_reports(reports)


def parse_reports(reports: Any) -> tuple[str, list[CheckovResult]]:
    """Checkov's JSON output: one report, or a list of them (one per framework)."""
    version = ""
    results: list[CheckovResult] = []
    for report in reports if isinstance(reports, list) else [reports]:
        if not isinstance(report, dict) or not isinstance(report.get("results"), dict):
            continue  # e.g. {"passed": 0, "failed": 0, ...} when a framework found nothing
        version = str(report.get("summary", {}).get("checkov_version", version))
        for key, passed in (("passed_checks", True), ("failed_checks", False)):
            for check in report["results"].get(key) or []:
                lines = check.get("file_line_range") or [1, 1]
                path = str(check.get("repo_file_path") or check.get("file_path") or "").lstrip("/")
                results.append(CheckovResult(str(check.get("check_id")), str(check.get("check_name", "")), passed,
                                             path, int(lines[0]), int(lines[-1]), str(check.get("resource", ""))))
    return version, results
