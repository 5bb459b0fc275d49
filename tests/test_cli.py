"""The command line as users meet it: exit codes, outputs, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from astra_guard.cli import main
from tests.conftest import REPO, SEED


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "astra_guard", *args], capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=120)


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip().startswith("astra-guard ")


def test_scanning_the_seed_fails_with_exit_1_and_a_json_report_on_stdout() -> None:
    out = run("scan", str(SEED), "--format", "json")
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["summary"]["findings"] == len([f for f in report["findings"] if not f["suppressed"]])


def test_fail_on_never_exits_0_and_fail_on_critical_ignores_high_findings(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    assert main(["scan", str(tmp_path), "--format", "json", "--output", str(tmp_path / "r.json"), "--fail-on", "never"]) == 0
    assert main(["scan", str(tmp_path), "--format", "json", "--output", str(tmp_path / "r.json"), "--fail-on", "critical"]) == 0
    assert main(["scan", str(tmp_path), "--format", "json", "--output", str(tmp_path / "r.json")]) == 1


def test_a_clean_input_exits_0(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nUSER 10001:10001\n")
    assert main(["scan", str(tmp_path), "--format", "json", "--output", str(tmp_path / "r.json")]) == 0


def test_unparseable_input_fails_closed_even_when_no_rule_fires(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [1,\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine@sha256:" + "0" * 64 + "\nUSER 10001\n")
    out = run("scan", str(tmp_path), "--format", "json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["errors"][0]["file"] == "bad.yaml" and report["errors"][0]["line"] == 2  # where the file ended early
    assert [(f["rule_id"], f["file"]) for f in report["findings"]] == [("input-error", "bad.yaml")]
    assert "Traceback" not in out.stderr


def test_usage_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    for args in (("scan", str(tmp_path / "missing")), ("scan", "--format", "nope"), ("rules", "show", "no-such-rule")):
        out = run(*args)
        assert out.returncode == 2, args
        assert "Traceback" not in out.stderr and out.stderr.strip(), args


def test_output_is_written_atomically_and_reports_can_be_paired_with_formats(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    code = main(["scan", str(tmp_path), "--format", "json", "--output", str(tmp_path / "out/r.json"),
                 "--format", "sarif", "--output", str(tmp_path / "out/r.sarif"), "--fail-on", "never"])
    assert code == 0
    assert "docker-user-not-root" in {f["rule_id"] for f in json.loads((tmp_path / "out/r.json").read_text())["findings"]}
    assert json.loads((tmp_path / "out/r.sarif").read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["r.json", "r.sarif"]  # no temp files left


def test_two_reports_on_stdout_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path), "--format", "json", "--format", "sarif"]) == 2


def test_parse_prints_resources_with_line_spans() -> None:
    out = run("parse", str(SEED / "k8s/40-rollout-argo.yaml"))
    assert out.returncode == 0
    assert "- Rollout astra-agents/support-agent (kubernetes, document 0)" in out.stdout
    assert "    16:11-19     spec.template.spec.containers[0]\n" in out.stdout


def test_parse_json_gives_data_and_spans() -> None:
    out = run("parse", str(SEED / "docker/Dockerfile"), "--format", "json")
    parsed = json.loads(out.stdout)
    spans = {tuple(s["path"]): s["line"] for s in parsed["resources"][0]["spans"]}
    assert spans[("stages", 0, "user")] == 26


def test_rules_list_filters_by_checklist_item() -> None:
    out = run("rules", "list", "--checklist", "1", "--format", "json")
    rules = json.loads(out.stdout)
    assert rules and all(r["checklist_item"] == 1 for r in rules)
    assert "k8s-run-as-non-root" in {r["id"] for r in rules}


@pytest.mark.parametrize("fmt", ["console", "json", "sarif"])
def test_every_format_renders_the_seed(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"report.{fmt}"
    assert main(["scan", str(SEED), "--format", fmt, "--output", str(target)]) == 1
    assert "40-rollout-argo.yaml" in target.read_text()
