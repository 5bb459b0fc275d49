"""Configuration waivers: `waivers:` in `.astra-guard.yaml`, already validated by its schema.

    waivers:
      - rule: k8s-image-digest
        path: "k8s/legacy/**"          # glob on the finding's file, like `exclude`
        kind: Deployment               # optional: kind, namespace, name of the resource
        reason: "replaced by the v2 chart in Q2"
        owner: platform-team@example.com
        expires: 2027-03-31            # the last day it applies
"""

from __future__ import annotations

import os
from pathlib import Path

from astra_guard.config import Config
from astra_guard.suppressions.model import WaiverDirective, parse_day


def config_file(config: Config, root: Path) -> str:
    """The configuration's path as reports name files: relative to the scan root, `/`-separated."""
    source = Path(config.source or ".astra-guard.yaml").resolve()
    try:
        return source.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(source, root)).as_posix()


def waiver_directives(config: Config, root: Path) -> list[WaiverDirective]:
    """One directive per waiver, located at its entry in the configuration."""
    waivers = config.raw.get("waivers") or []
    if not waivers:
        return []
    file = config_file(config, root)
    directives = []
    for index, waiver in enumerate(waivers):
        line = config.waiver_lines[index] if index < len(config.waiver_lines) else 1
        reason = str(waiver.get("reason", "")).strip()
        expires_text = waiver.get("expires")
        expires = parse_day(str(expires_text)) if expires_text is not None else None
        problem = None
        if not reason:
            problem = "it has no reason: add reason: why this is accepted"
        elif expires_text is not None and expires is None:
            problem = f"expires: {expires_text} is not a day written YYYY-MM-DD"
        directives.append(WaiverDirective(
            kind="waiver", rules=(str(waiver.get("rule", "")),), reason=reason, file=file, line=line,
            expires=expires, owner=waiver.get("owner"), problem=problem, path_glob=waiver.get("path"),
            resource_kind=waiver.get("kind"), namespace=waiver.get("namespace"), name=waiver.get("name"),
        ))
    return directives
