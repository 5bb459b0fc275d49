"""`astra-guard parse FILE`: what the loaders see, for policy authors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from astra_guard.discovery import SourceFile
from astra_guard.errors import UsageError
from astra_guard.loaders import KUBERNETES, family_by_name
from astra_guard.model import LoadResult, Resource
from astra_guard.model import Path as DocPath
from astra_guard.scan import load_file


def dotted(path: DocPath) -> str:
    """`spec.containers[0].image` from ("spec", "containers", 0, "image")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "."


def _paths(resource: Resource) -> list[tuple[DocPath, Any]]:
    n = len(resource.origin)
    return sorted(
        ((p[n:], s) for p, s in resource.spans.items() if p[:n] == resource.origin),
        key=lambda item: (item[1].line, item[1].column, len(item[0])),
    )


def as_dict(loaded: LoadResult) -> dict[str, Any]:
    return {
        "file": loaded.file,
        "family": loaded.family,
        "resources": [
            {
                "family": r.family, "kind": r.kind, "name": r.name, "namespace": r.namespace,
                "api_version": r.api_version, "document": r.document, "origin": list(r.origin),
                "data": r.data,
                "spans": [
                    {"path": list(p), "line": s.line, "column": s.column, "end_line": s.end_line, "end_column": s.end_column}
                    for p, s in _paths(r)
                ],
            }
            for r in loaded.resources
        ],
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in loaded.errors],
        "skipped": [{"line": s.line, "reason": s.reason} for s in loaded.skipped],
    }


def as_text(loaded: LoadResult) -> str:
    lines = [f"{loaded.file}: {len(loaded.resources)} resource(s) [{loaded.family}]"]
    for r in loaded.resources:
        where = f"{r.namespace}/" if r.namespace else ""
        lines.append(f"- {r.kind} {where}{r.name} ({r.family}, document {r.document})")
        for path, span in _paths(r):
            extent = f"{span.line}:{span.column}" + (f"-{span.end_line}" if span.end_line != span.line else "")
            lines.append(f"    {extent:<12} {dotted(path)}")
    for e in loaded.errors:
        lines.append(f"error   {loaded.file}:{e.line}:{e.column}: {e.message}")
    for s in loaded.skipped:
        lines.append(f"skipped {loaded.file}:{s.line}: {s.reason}")
    return "\n".join(lines) + "\n"


def run_parse(file: Path, fmt: str) -> int:
    rel = file.name if file.is_absolute() else file.as_posix()
    family = family_by_name(rel) or family_by_name(file.name)
    if family is None:
        raise UsageError(f"{file}: not a file type astra-guard reads (Dockerfile, Terraform, Kubernetes YAML/JSON, workflow, Jenkinsfile)")
    loaded = load_file(SourceFile(file.resolve(), rel, family or KUBERNETES))
    print(json.dumps(as_dict(loaded), indent=2) if fmt == "json" else as_text(loaded), end="" if fmt == "text" else "\n")
    return 1 if loaded.errors else 0
