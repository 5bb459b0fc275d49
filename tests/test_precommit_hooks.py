"""The pre-commit hook definitions: what they run and which files they hand over."""

from __future__ import annotations

import re

import pytest
import yaml

from astra_guard.loaders import family_by_name
from tests.conftest import REPO

NAMES = [
    "Dockerfile", "docker/Dockerfile", "Containerfile", "Dockerfile.prod", "Containerfile.dev", "app.dockerfile",
    "infra/main.tf", "infra/main.TF", "prod.tfvars", "plan.tf.json", "x.tfvars.json", "k8s/deploy.yaml",
    "k8s/deploy.yml", "k8s/obj.json", ".github/workflows/ci.yml", "Jenkinsfile", "ci/Jenkinsfile.release",
    "ci/release.jenkinsfile", "README.md", "main.py", "Makefile", "docker/.dockerignore", "Dockerfile.dockerignore",
    "notes.txt", "MyDockerfile", "yaml/README", "app.dockerfile.bak",
]


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}


def selected(hook: dict, name: str) -> bool:
    """pre-commit's selection: `files` searched, `exclude` not, both as Python regular expressions."""
    return bool(re.search(hook.get("files", ""), name)) and not re.search(hook.get("exclude", "^$"), name)


def test_pre_commit_itself_accepts_the_manifest() -> None:
    from pre_commit.clientlib import load_manifest

    loaded = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert [hook["id"] for hook in loaded] == ["astra-guard", "astra-guard-full"]


def test_the_two_hooks() -> None:
    found = hooks()
    assert set(found) == {"astra-guard", "astra-guard-full"}
    changed, full = found["astra-guard"], found["astra-guard-full"]
    assert (changed["entry"], changed["language"], changed["pass_filenames"], changed["require_serial"]) == (
        "astra-guard scan --only-files", "python", True, True)
    assert (full["entry"], full["pass_filenames"], full["always_run"]) == ("astra-guard scan", False, True)


@pytest.mark.parametrize("name", NAMES)
def test_the_hook_hands_over_exactly_the_files_the_loaders_read(name: str) -> None:
    assert selected(hooks()["astra-guard"], name) == (family_by_name(name) is not None)
