"""Attestations: what a person states, with evidence, for a checklist item's requirement.

File (default `.astra-guard/attestations.yaml` in the scan root):

    attestations:
      - item: 6
        requirement: rollback-tested
        statement: Rolled 1.0.1 back to 1.0.0 in staging; traffic recovered in 40 s.
        evidence: https://wiki.example/astradesk/rollback-2026-11   # or a path in the repository
        by: jane.doe@example.com
        date: 2026-11-20
        expires: 2027-02-20

An attestation that is malformed, names an unknown item or requirement, points at a missing
repository path, is dated in the future, or has expired does not count; it is listed with why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astra_guard.checklist.items import Item
from astra_guard.loaders.text import decode
from astra_guard.loaders.yaml_source import load_yaml_stream

DEFAULT_PATH = Path(".astra-guard") / "attestations.yaml"
REQUIRED = ("item", "requirement", "statement", "evidence", "by", "date")


@dataclass(frozen=True)
class Attestation:
    item: int | None
    requirement: str
    statement: str
    evidence: str
    by: str
    date: str
    expires: str | None
    line: int
    problem: str | None = None  # why it does not count; None when valid
    age_days: int | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def evidence_is_link(self) -> bool:
        return self.evidence.startswith(("https://", "http://"))


@dataclass
class AttestationFile:
    source: str | None
    attestations: list[Attestation]
    problems: list[str]  # file-level problems (unreadable, not a list)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _check(entry: dict[str, Any], items: dict[int, Item], root: Path, today: dt.date) -> str | None:
    missing = [k for k in REQUIRED if not entry.get(k)]
    if missing:
        return f"missing {', '.join(missing)}"
    item = items.get(entry["item"]) if isinstance(entry["item"], int) else None
    if item is None:
        return f"unknown checklist item {entry['item']!r}"
    if entry["requirement"] not in {e.id for e in item.evidence}:
        known = ", ".join(e.id for e in item.evidence) or "none"
        return f"item {item.id} has no evidence requirement '{entry['requirement']}' (known: {known})"
    date, expires = _date(entry["date"]), _date(entry["expires"]) if entry.get("expires") else None
    if date is None:
        return f"date {entry['date']!r} is not YYYY-MM-DD"
    if entry.get("expires") and expires is None:
        return f"expires {entry['expires']!r} is not YYYY-MM-DD"
    if date > today:
        return f"dated in the future ({date})"
    if expires is not None and expires < today:
        return f"expired on {expires}"
    evidence = str(entry["evidence"])
    if not evidence.startswith(("https://", "http://")):
        target = (root / evidence).resolve()
        if not target.is_relative_to(root.resolve()) or not target.exists():
            return f"evidence path '{evidence}' does not exist in the repository"
    return None


def load_attestations(path: Path | None, root: Path, items: tuple[Item, ...], today: dt.date) -> AttestationFile:
    """Read and judge every attestation; a missing default file is simply empty."""
    explicit = path is not None
    path = path or root / DEFAULT_PATH
    if not path.is_file():
        problems = [f"attestations file {path} does not exist"] if explicit else []
        return AttestationFile(str(path) if explicit else None, [], problems)
    if not explicit and not path.resolve().is_relative_to(root.resolve()):  # nothing from outside the root
        return AttestationFile(str(path), [], [f"{path}: a symbolic link out of the scan root; not read"])
    decoded = decode(path.read_bytes())
    if decoded.error or decoded.binary:
        return AttestationFile(str(path), [], [f"{path}: {decoded.error or 'binary content'}"])
    stream = load_yaml_stream(decoded.text, str(path))
    if stream.errors:
        return AttestationFile(str(path), [], [f"{path}:{e.line}: {e.message}" for e in stream.errors])
    data = stream.documents[0].data if stream.documents else {}
    entries = data.get("attestations") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return AttestationFile(str(path), [], [f"{path}: expected a mapping with an 'attestations' list"])
    spans = stream.documents[0].spans
    by_id = {i.id: i for i in items}
    result = []
    for index, entry in enumerate(entries):
        line = spans[("attestations", index)].line
        if not isinstance(entry, dict):
            result.append(Attestation(None, "", "", "", "", "", None, line, "not a mapping"))
            continue
        problem = _check(entry, by_id, root, today)
        date = _date(entry.get("date"))
        result.append(Attestation(
            item=entry.get("item") if isinstance(entry.get("item"), int) else None,
            requirement=str(entry.get("requirement", "")),
            statement=str(entry.get("statement", "")),
            evidence=str(entry.get("evidence", "")),
            by=str(entry.get("by", "")),
            date=str(entry.get("date", "")),
            expires=str(entry["expires"]) if entry.get("expires") else None,
            line=line,
            problem=problem,
            age_days=(today - date).days if date else None,
        ))
    return AttestationFile(str(path), result, [])
