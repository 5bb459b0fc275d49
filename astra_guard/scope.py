"""The reporting scope of a pre-commit run: report on some files, judge with the whole repository.

`scan --only-files a.yaml b.tf` loads every file of the repository (its git-tracked files in a
git work tree, else the walk of the scan root) so cross-file rules see the bindings, policies
and manifests the changed files depend on, then reports only the findings, input errors and
skipped notes of the files given. A finding on an object built from a patch counts for the
patch's file too.
"""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from astra_guard.discovery import SKIPPED_DIRS, Discovery, discover
from astra_guard.findings import Finding, ScanResult
from astra_guard.loaders import family_by_name
from astra_guard.model import Resource

GIT_TIMEOUT_SECONDS = 60


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def context_root(cwd: Path) -> Path:
    """The top of the git work tree `cwd` is in, else `cwd` itself."""
    top = _git(cwd, "rev-parse", "--show-toplevel")
    return Path(os.fsdecode(top.strip())).resolve() if top else cwd.resolve()


def git_tracked_files(root: Path) -> list[str] | None:
    """Files in the git index under `root`, relative to it; None outside a git work tree."""
    listed = _git(root, "ls-files", "-z", "--cached", "--", ".")
    if listed is None:
        return None
    return sorted({os.fsdecode(p) for p in listed.split(b"\0") if p})


def relative_to_root(path: Path, root: Path) -> str:
    """How reports name a file given on the command line (as `discover` names it)."""
    for candidate in (path.absolute(), path.resolve()):
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def discover_context(paths: list[Path], root: Path, excluded: Callable[[str], bool], only_files: tuple[Path, ...]) -> Discovery:
    """What a scan loads: `paths`; with `only_files`, the repository's tracked files and them."""
    if not only_files:
        return discover(paths, root, excluded)
    tracked = git_tracked_files(root)
    if tracked is None:
        return discover([*paths, *only_files], root, excluded)
    top = str(root)
    readable = [  # tracked files deleted from the work tree are passed over by discover
        os.path.join(top, rel) for rel in tracked
        if family_by_name(rel) and not SKIPPED_DIRS.intersection(rel.split("/")[:-1])
    ]
    return discover([*readable, *only_files], root, excluded)


def _owner_key(r: Resource) -> tuple[str | None, str | None, str | None]:
    return (r.kind, r.name, r.namespace if r.family == "kubernetes" else None)


def _owner_files(resources: list[Resource]) -> dict[tuple[str | None, str | None, str | None], list[frozenset[str]]]:
    owners: dict[tuple[str | None, str | None, str | None], list[frozenset[str]]] = defaultdict(list)
    for r in resources:
        owners[_owner_key(r)].append(frozenset({r.file, *r.merged_from}))
    return owners


def may_report(resources: list[Resource], in_scope: Callable[[Resource], bool]) -> Callable[[Resource], bool]:
    """Whether a finding on a resource can survive `restrict`: the resource comes from a file in
    scope (`in_scope`), or shares its identity with one that does. The others need not be located."""
    keys = {_owner_key(r) for r in resources if in_scope(r)}
    return lambda r: in_scope(r) or _owner_key(r) in keys


class Scope:
    """The files (and directories) given to --only-files, named as reports name files."""

    def __init__(self, only_files: tuple[Path, ...], root: Path) -> None:
        self.files = {relative_to_root(p, root) for p in only_files if not p.is_dir()}
        self.dirs = tuple(relative_to_root(p, root).rstrip("/") + "/" for p in only_files if p.is_dir())

    def __contains__(self, file: object) -> bool:
        return isinstance(file, str) and (file in self.files or bool(self.dirs) and (file.startswith(self.dirs) or "./" in self.dirs))

    def any_of(self, files: frozenset[str]) -> bool:
        return any(f in self for f in files)

    def owns(self, resource: Resource) -> bool:
        """Whether a resource comes from a file in scope (its own, or a patch merged into it)."""
        return resource.file in self or any(f in self for f in resource.merged_from)


def restrict(findings: list[Finding], result: ScanResult, resources: list[Resource], scope: Scope) -> list[Finding]:
    """Keep what belongs to the files in `scope`; errors and skipped notes of `result` too."""
    owners: dict[tuple[str | None, str | None, str | None], list[frozenset[str]]] = {}

    def in_scope(finding: Finding) -> bool:
        if finding.file in scope:
            return True
        if not owners:  # indexed only when some finding lies outside the files given
            owners.update(_owner_files(resources))
        key = (finding.resource_kind, finding.resource_name, finding.resource_namespace)
        return any(finding.file in files and scope.any_of(files) for files in owners.get(key, ()))

    result.errors = [e for e in result.errors if e.file in scope]
    result.skipped = [s for s in result.skipped if s.file in scope]
    return [f for f in findings if in_scope(f)]
