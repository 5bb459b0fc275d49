"""Baselines: accept today's findings, report only new ones.

`scan --create-baseline FILE` writes every finding that is neither suppressed nor an input
error; `scan --baseline FILE` then marks the findings whose fingerprint it lists as suppressed
(kind `baseline`), so they stay in the JSON report but no longer fail the scan. The fingerprint
is rule id + file + resource identity + path into the resource, never the line, so edits that
only move lines keep the baseline valid.
"""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from astra_guard import __version__
from astra_guard.errors import UsageError
from astra_guard.findings import Finding, Suppression
from astra_guard.output import write_atomically

SCHEMA_VERSION = 1
NEVER_BASELINED = frozenset({"input-error", "suppression-invalid", "suppression-expired", "suppression-unused"})


def _schema() -> dict[str, Any]:
    return json.loads(resources.files("astra_guard").joinpath("schemas/baseline.schema.json").read_text())


def _resource(finding: Finding) -> str | None:
    if finding.resource_kind is None:
        return None
    return "/".join(p or "" for p in (finding.resource_kind, finding.resource_namespace, finding.resource_name))


def baseline_dict(findings: list[Finding]) -> dict[str, Any]:
    """The baseline document for these findings: one entry per fingerprint, in a stable order."""
    entries: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.suppressed or f.rule_id in NEVER_BASELINED or f.fingerprint in entries:
            continue
        entries[f.fingerprint] = {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "file": f.file,
                                  "resource": _resource(f), "path": list(f.path), "message": f.message}
    ordered = sorted(entries.values(), key=lambda e: (e["file"], e["rule_id"], e["resource"] or "", e["fingerprint"]))
    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "astra-guard", "version": __version__}, "findings": ordered}


def write_baseline(path: Path, findings: list[Finding]) -> None:
    """Write the baseline file atomically (the directory is created when missing)."""
    try:
        write_atomically(path, json.dumps(baseline_dict(findings), indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write the baseline {path}: {exc.strerror or exc}") from None


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file accepts; a missing or malformed file is a usage error."""
    from jsonschema import Draft202012Validator

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"the baseline {path} is not JSON: {exc}") from None
    errors = sorted(Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise UsageError(f"the baseline {path} is not an astra-guard baseline: {where}: {errors[0].message}")
    return frozenset(entry["fingerprint"] for entry in data["findings"])


def apply_baseline(findings: list[Finding], accepted: frozenset[str], name: str) -> list[Finding]:
    """Mark the findings the baseline accepts as suppressed; the rest are new."""
    suppression = Suppression(kind="baseline", justification=f"accepted in the baseline {name}", where=name)
    return [
        replace(f, suppressed=True, suppression=suppression)
        if not f.suppressed and f.rule_id not in NEVER_BASELINED and f.fingerprint in accepted else f
        for f in findings
    ]
