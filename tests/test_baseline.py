"""Baselines: accept today's findings, report only new ones, survive edits that move every line."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from astra_guard.cli import main
from astra_guard.scan import ScanOptions, scan
from tests.conftest import SEED


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SEED, root)
    return root


def shift_every_line(root: Path) -> None:
    """Three comment lines on top of every file: each finding moves down by three."""
    for path in root.rglob("*"):
        if path.is_file():
            leader = "//" if path.name == "Jenkinsfile" else "#"
            path.write_text(f"{leader} moved\n" * 3 + path.read_text())


def active(root: Path, baseline: Path) -> list[tuple[str, str, int]]:
    result = scan([root], ScanOptions(root=root, baseline=baseline))
    return [(f.rule_id, f.file, f.line) for f in result.findings if not f.suppressed]


def test_a_created_baseline_is_schema_valid_has_no_lines_and_accepts_everything(repo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    before = scan([repo], ScanOptions(root=repo))
    assert main(["scan", str(repo), "--create-baseline", str(baseline), "--format", "json", "--output", str(tmp_path / "r.json")]) == 0
    document = json.loads(baseline.read_text())
    schema = json.loads(resources.files("astra_guard").joinpath("schemas/baseline.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert {e["fingerprint"] for e in document["findings"]} == {f.fingerprint for f in before.findings}
    assert all("line" not in entry for entry in document["findings"])
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["findings"] == 0 and report["summary"]["suppressed"] == len(before.findings)
    assert {f["suppression"]["kind"] for f in report["findings"]} == {"baseline"}


def test_the_baseline_survives_an_edit_that_moves_every_line(repo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    lines_before = {(f.rule_id, f.file, f.line) for f in scan([repo], ScanOptions(root=repo, create_baseline=baseline)).findings}
    shift_every_line(repo)
    moved = scan([repo], ScanOptions(root=repo, baseline=baseline))
    assert {(f.rule_id, f.file, f.line - 3) for f in moved.findings} == lines_before  # every line really moved
    assert [f for f in moved.findings if not f.suppressed] == []


def test_only_new_findings_are_reported(repo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    scan([repo], ScanOptions(root=repo, create_baseline=baseline))
    (repo / "docker" / "Dockerfile.debug").write_text("FROM alpine@sha256:" + "0" * 64 + "\nUSER root\n")
    assert active(repo, baseline) == [("docker-user-not-root", "docker/Dockerfile.debug", 2)]
    assert main(["scan", str(repo), "--baseline", str(baseline), "--format", "json", "--output", str(tmp_path / "r.json")]) == 1


def test_input_errors_are_never_baselined(repo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    (repo / "k8s" / "broken.yaml").write_text("kind: [\n")
    scan([repo], ScanOptions(root=repo, create_baseline=baseline))
    assert "input-error" not in {e["rule_id"] for e in json.loads(baseline.read_text())["findings"]}
    assert active(repo, baseline) == [("input-error", "k8s/broken.yaml", 2)]


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "is not JSON"),
    ('{"schema_version": 1, "findings": [{"rule_id": "k8s-x"}]}', "is not an astra-guard baseline: findings.0: 'fingerprint' is a required property"),
])
def test_a_malformed_baseline_is_a_usage_error(repo: Path, tmp_path: Path, capsys, content: str, message: str) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    assert main(["scan", str(repo), "--baseline", str(baseline)]) == 2
    assert message in capsys.readouterr().err


def test_baseline_and_create_baseline_together_are_a_usage_error(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text('{"schema_version": 1, "findings": []}')
    assert main(["scan", str(repo), "--baseline", str(tmp_path / "b.json"), "--create-baseline", str(tmp_path / "c.json")]) == 2
