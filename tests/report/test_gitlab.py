"""GitLab Code Quality report: the fields GitLab requires, unique fingerprints, no suppressed issues."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from astra_guard.report import gitlab
from astra_guard.scan import ScanOptions, scan
from tests.conftest import SEED

# What GitLab's merge request widget requires of each issue (docs.gitlab.com, ci/testing/code_quality).
ISSUE = {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "check_name": {"type": "string", "minLength": 1},
        "fingerprint": {"type": "string", "minLength": 1},
        "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
        "location": {
            "type": "object",
            "required": ["path", "lines"],
            "properties": {
                "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(/|\\./)"}},
                "lines": {"type": "object", "required": ["begin"], "properties": {"begin": {"type": "integer", "minimum": 1}}},
            },
        },
    },
}


def test_the_seed_report_is_a_valid_code_quality_report_with_unique_fingerprints() -> None:
    result = scan([SEED])
    issues = json.loads(gitlab.render(result))
    jsonschema.Draft202012Validator({"type": "array", "items": ISSUE}).validate(issues)
    assert len(issues) == len(result.findings)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    first = result.findings[0]
    assert issues[0]["check_name"] == first.rule_id
    assert issues[0]["location"] == {"path": first.file, "lines": {"begin": first.line, "end": first.end_line}}


def test_severities_map_and_suppressed_findings_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Dockerfile").write_text('FROM alpine:3.20\n# astra-guard:ignore docker-user-not-root reason="test"\nUSER root\n')
    issues = json.loads(gitlab.render(scan([tmp_path], ScanOptions(root=tmp_path))))
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("docker-from-digest", "Dockerfile", 1, "major"),
        ("docker-user-not-root", "Dockerfile", 2, "critical"),
        ("docker-from-digest", "b/Dockerfile", 1, "major"),
    ]


def test_fingerprints_do_not_move_with_lines(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    before = [i["fingerprint"] for i in json.loads(gitlab.render(scan([tmp_path])))]
    (tmp_path / "Dockerfile").write_text("# moved\n\nFROM alpine:3.20\nUSER root\n")
    assert [i["fingerprint"] for i in json.loads(gitlab.render(scan([tmp_path])))] == before
