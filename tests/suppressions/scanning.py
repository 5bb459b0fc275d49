"""Helpers for the suppression tests: scan a small tree, list findings compactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from astra_guard.findings import Finding, ScanResult
from astra_guard.scan import ScanOptions, scan

TODAY = date(2026, 6, 1)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  revisionHistoryLimit: 0
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          image: ghcr.io/org/api:1.0
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def scan_tree(root: Path, files: dict[str, str] | None = None, **options: Any) -> ScanResult:
    write(root, files or {})
    options.setdefault("today", TODAY)
    return scan([root], ScanOptions(root=root, **options))


def rows(result: ScanResult, *rules: str) -> list[tuple[str, str, int, bool]]:
    """(rule id, file, line, suppressed) of the findings of `rules` (all when none given)."""
    return [(f.rule_id, f.file, f.line, f.suppressed) for f in result.findings if not rules or f.rule_id in rules]


def only(result: ScanResult, rule: str, file: str | None = None) -> Finding:
    (finding,) = [f for f in result.findings if f.rule_id == rule and (file is None or f.file == file)]
    return finding
