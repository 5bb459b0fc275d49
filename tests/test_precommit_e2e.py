"""The pre-commit hook end to end: the real `pre-commit try-repo` on a temporary git repository.

pre-commit builds the hook's own virtualenv from a copy of this checkout (`pip install .`, as it
does for users), so this test takes about a minute and needs the package index. One staged change
passes and is committed; the next one, a Dockerfile that runs as root, is blocked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HOOK_REPO_FILES = ("astra_guard", "rego", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
CLEAN_DOCKERFILE = "FROM alpine@sha256:" + "0" * 64 + "\nUSER 10001:10001\n"
ROOT_DOCKERFILE = "FROM alpine@sha256:" + "0" * 64 + "\nUSER root\n"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=astra-guard tests", "-c", "user.email=tests@example.invalid",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    return {**env, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as it is on disk (committed or not), as a git repository pre-commit can clone."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in (*HOOK_REPO_FILES, *(p.name for p in REPO.glob("LICENSE*"))):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "astra-guard under test")
    return repo


def try_repo(project: Path, hook_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "astra-guard"],
                          cwd=project, env=environment(home), capture_output=True, text=True, timeout=600, check=False)


def test_a_clean_commit_passes_and_a_root_dockerfile_is_blocked(hook_repo: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "docker").mkdir(parents=True)
    git(project, "init", "-q")
    (project / "docker" / "Dockerfile").write_text(CLEAN_DOCKERFILE)
    (project / "notes.md").write_text("not astra-guard's business\n")
    git(project, "add", "-A")

    passed = try_repo(project, hook_repo, tmp_path / "pre-commit-home")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "astra-guard (changed files)" in passed.stdout and "Passed" in passed.stdout
    git(project, "commit", "-q", "-m", "a clean image")

    (project / "docker" / "Dockerfile").write_text(ROOT_DOCKERFILE)
    git(project, "add", "docker/Dockerfile")
    blocked = try_repo(project, hook_repo, tmp_path / "pre-commit-home")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "Failed" in blocked.stdout
    assert "docker/Dockerfile" in blocked.stdout
    assert re.search(r"^\s+2:1\s+HIGH\s+docker-user-not-root\s+the final stage runs as USER root", blocked.stdout, re.MULTILINE)
    assert git(project, "rev-list", "--count", "HEAD").strip() == "1"
