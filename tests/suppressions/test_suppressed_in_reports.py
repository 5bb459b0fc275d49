"""Suppressed findings in each report: JSON keeps them, SARIF only on request, the console counts them."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from astra_guard.cli import main
from tests.conftest import SHARED
from tests.suppressions.scanning import write

FILES = {
    "Dockerfile": 'FROM alpine:3.20\n# astra-guard:ignore docker-user-not-root reason="build stage only"\nUSER root\n',
    "legacy/Dockerfile": "FROM alpine:3.20\nUSER root\n",
    ".astra-guard.yaml": "waivers:\n  - {rule: docker-user-not-root, path: \"legacy/**\", reason: retired in Q3, owner: ops}\n",
}


def scan_cli(root: Path, *args: str) -> int:
    return main(["scan", str(root), "--fail-on", "never", *args])


def test_the_json_report_keeps_suppressed_findings_with_their_justification(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    assert scan_cli(tmp_path, "--format", "json", "--output", str(tmp_path / "r.json")) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    schema = json.loads(resources.files("astra_guard").joinpath("schemas/scan-report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    suppressed = [(f["file"], f["line"], f["suppression"]) for f in report["findings"] if f["suppressed"]]
    assert suppressed == [
        ("Dockerfile", 3, {"kind": "inline", "justification": "build stage only", "where": "Dockerfile:2",
                           "expires": None, "owner": None}),
        ("legacy/Dockerfile", 2, {"kind": "waiver", "justification": "retired in Q3", "where": ".astra-guard.yaml:2",
                                  "expires": None, "owner": "ops"}),
    ]
    assert report["summary"]["suppressed"] == 2
    assert report["summary"]["findings"] == len(report["findings"]) - 2
    assert all("suppression" not in f for f in report["findings"] if not f["suppressed"])


def test_sarif_leaves_suppressed_findings_out_unless_asked(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    validator = jsonschema.Draft4Validator(json.loads((SHARED / "schemas/sarif-schema-2.1.0.json").read_text()))
    assert scan_cli(tmp_path, "--format", "sarif", "--output", str(tmp_path / "plain.sarif")) == 0
    plain = json.loads((tmp_path / "plain.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in plain] == ["docker-from-digest", "docker-from-digest"]

    assert scan_cli(tmp_path, "--format", "sarif", "--output", str(tmp_path / "all.sarif"), "--sarif-include-suppressed") == 0
    log = json.loads((tmp_path / "all.sarif").read_text())
    validator.validate(log)
    suppressions = [r["suppressions"] for r in log["runs"][0]["results"] if "suppressions" in r]
    assert suppressions == [
        [{"kind": "inSource", "status": "accepted", "justification": "build stage only"}],
        [{"kind": "external", "status": "accepted", "justification": "retired in Q3"}],
    ]


def test_the_console_counts_suppressed_findings(tmp_path: Path, capsys) -> None:
    write(tmp_path, FILES)
    assert scan_cli(tmp_path) == 0
    out = capsys.readouterr().out
    assert "2 suppressed" in out
    assert "docker-user-not-root" not in out


def test_suppressed_findings_do_not_fail_the_scan_but_malformed_ones_do(tmp_path: Path) -> None:
    write(tmp_path, {"Dockerfile": 'FROM alpine@sha256:' + "0" * 64 + '\n# astra-guard:ignore docker-user-not-root reason="ok"\nUSER root\n'})
    out = str(tmp_path / "r.json")
    assert main(["scan", str(tmp_path), "--format", "json", "--output", out]) == 0
    write(tmp_path, {"Dockerfile": 'FROM alpine@sha256:' + "0" * 64 + '\n# astra-guard:ignore docker-user-not-root\nUSER root\n'})
    assert main(["scan", str(tmp_path), "--format", "json", "--output", out]) == 1


def test_strict_suppressions_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"Dockerfile": 'FROM alpine:3.20\n# astra-guard:ignore k8s-image-digest reason="wrong file"\nUSER 10001\n'})
    out = tmp_path / "r.json"
    scan_cli(tmp_path, "--format", "json", "--output", str(out))
    assert [f["rule_id"] for f in json.loads(out.read_text())["findings"]] == ["docker-from-digest"]
    scan_cli(tmp_path, "--format", "json", "--output", str(out), "--strict-suppressions")
    assert [(f["rule_id"], f["line"]) for f in json.loads(out.read_text())["findings"]] == [
        ("docker-from-digest", 1), ("suppression-unused", 2)]
