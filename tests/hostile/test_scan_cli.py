"""The CLI on a directory holding every hostile input beside one normal file, as CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

from jsonschema import Draft4Validator, Draft202012Validator

from tests.conftest import SHARED
from tests.hostile.nasty import BUILDERS, FILE_OF, GOOD_POD, GOOD_POD_FINDING

WALL_CLOCK_GUARD_SECONDS = 600  # a hang fails this test; a healthy run takes seconds


def test_every_hostile_input_is_reported_and_the_normal_file_is_still_judged(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    expected = {name: build(repo) for name, build in BUILDERS.items()}
    (repo / "good.yaml").write_text(GOOD_POD)
    json_out, sarif_out = tmp_path / "report.json", tmp_path / "report.sarif"
    done = subprocess.run(
        [sys.executable, "-m", "astra_guard", "scan", str(repo), "--format", "json", "--output", str(json_out),
         "--format", "sarif", "--output", str(sarif_out), "--format", "console"],
        capture_output=True, text=True, timeout=WALL_CLOCK_GUARD_SECONDS, env={**os.environ, "NO_COLOR": "1"}, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    report = json.loads(json_out.read_text())
    Draft202012Validator(json.loads(resources.files("astra_guard").joinpath("schemas/scan-report.schema.json").read_text())).validate(report)
    sarif = json.loads(sarif_out.read_text())
    Draft4Validator(json.loads((SHARED / "schemas/sarif-schema-2.1.0.json").read_text())).validate(sarif)

    for name, (kind, line, words) in expected.items():
        entries = report["errors"] if kind == "error" else report["skipped"]
        text_key = "message" if kind == "error" else "reason"
        assert any(e["file"] == FILE_OF[name] and e["line"] == line and words in e[text_key] for e in entries), name
        if kind == "error":  # and, failing closed, as a finding of the input-error rule on that line
            assert any(f["rule_id"] == "input-error" and f["file"] == FILE_OF[name] and f["line"] == line
                       for f in report["findings"]), name
    rule, file, line = GOOD_POD_FINDING
    assert any(f["rule_id"] == rule and f["file"] == file and f["line"] == line for f in report["findings"])

    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for text in (json_out.read_text(), sarif_out.read_text(), done.stdout):
        assert passwd not in text  # nothing from outside the scan root
    assert "\x1b" not in done.stdout and "new\\nline ünï\\x1b[31m.yaml" in done.stdout  # a name cannot drive the terminal
