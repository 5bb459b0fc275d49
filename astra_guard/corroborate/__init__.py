"""Corroboration: an independent scanner's verdict set beside each of our controls.

`--corroborate checkov` runs Checkov on the scan's own inputs, maps its check ids to our rules
(`checkov_map.py`, documented in docs/checkov-mapping.md) and says, per control, whether Checkov
agrees, disagrees or has no opinion. Nothing here is imported unless it is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from astra_guard.corroborate.compare import Corroboration
    from astra_guard.findings import ScanResult
    from astra_guard.rules.catalog import RuleCatalog


def corroborate_scan(tools: tuple[str, ...], result: ScanResult, catalog: RuleCatalog) -> list[Corroboration]:
    """Each asked-for tool's corroboration of this scan (only `checkov` exists)."""
    if not tools:
        return []
    from astra_guard.corroborate.checkov import run_checkov
    from astra_guard.corroborate.compare import corroborate

    version, results = run_checkov(Path(result.root), [(f.file, f.family) for f in result.files])
    return [corroborate(result, catalog, version, results)]


def add_sections(fmt: str, text: str, corroborations: list[Corroboration]) -> str:
    """The report text with each corroboration's section (the text itself when none was asked for)."""
    if not corroborations:
        return text
    from astra_guard.corroborate.render import add

    for c in corroborations:
        text = add(fmt, text, c)
    return text
