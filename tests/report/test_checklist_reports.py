"""The checklist report in its three formats, from the seed."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import jsonschema

from astra_guard.commands.checklist import make_report
from astra_guard.report import checklist_html, checklist_json, checklist_markdown
from astra_guard.scan import ScanOptions
from tests.conftest import SEED

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)


def seed_report():  # noqa: ANN201
    return make_report([SEED], ScanOptions(root=SEED), None, None, NOW)


def test_json_validates_against_the_shipped_schema_and_records_how_to_reproduce() -> None:
    report = json.loads(checklist_json.render(seed_report()))
    schema = json.loads(resources.files("astra_guard").joinpath("schemas/checklist-report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert [i["status"] for i in report["items"]] == ["fail"] * 6 + ["needs-evidence"]
    assert report["generated_at"] == "2026-11-27T12:00:00+00:00"
    assert report["target_kubernetes_version"]["version"] == "1.29"
    files = {i["file"]: i["sha256"] for i in report["inputs"]}
    assert len(files) == 12 and all(len(s) == 64 for s in files.values())
    item1 = report["items"][0]
    control = next(c for c in item1["controls"] if c["rule_id"] == "k8s-run-as-non-root")
    assert control["status"] == "fail" and control["findings"] == 1
    assert control["details"][0]["file"] == "k8s/40-rollout-argo.yaml" and control["details"][0]["line"] == 16


def test_markdown_has_a_summary_row_and_a_section_per_item() -> None:
    text = checklist_markdown.render(seed_report())
    assert "| 7 | Dashboards and alerts configured; KPI contract loaded in AstraOps | 📝 needs-evidence |" in text
    assert text.count("\n## ") >= 8
    assert "`k8s/40-rollout-argo.yaml:16` [high]" in text


def test_html_is_self_contained_and_quotes_the_offending_lines() -> None:
    html = checklist_html.render(seed_report())
    assert "<script" not in html and "http://" not in html.replace('href="http', "") and "<link" not in html
    assert html.count('<section class="item"') == 7
    assert '  16 | ' in html and "- name: app" in html  # the Rollout's container line, quoted
