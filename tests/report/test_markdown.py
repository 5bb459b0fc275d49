from __future__ import annotations

from astra_guard.report import markdown
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import scan
from tests.conftest import SEED


def test_one_collapsible_section_per_file_with_every_finding_on_its_line() -> None:
    result = scan([SEED])
    text = markdown.render(result, load_catalog())
    files = {f.file for f in result.findings}
    assert text.count("<details>") == text.count("</details>") == len(files)
    assert "<summary>🔴 <code>k8s/40-rollout-argo.yaml</code>" in text
    assert "| 16 | high | [`k8s-run-as-non-root`](https://github.com/astradesk/astra-guard/blob/main/docs/rules.md#k8s-run-as-non-root) | 1 |" in text
    assert text.count("\n| ") - len(files) == len(result.findings)  # one row per finding plus one header row per table
