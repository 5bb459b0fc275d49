"""Which files a scan reads: a walk of the scan root that never leaves it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from astra_guard.errors import UsageError
from astra_guard.loaders import family_by_name
from astra_guard.model import Skipped

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", "node_modules", "vendor", ".venv", "venv",
                          "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".astra-guard"})
OWN_FILES = frozenset({".astra-guard.yaml"})  # astra-guard's own configuration is not an input


@dataclass(frozen=True)
class SourceFile:
    """A file to load: where it is, how reports name it, which loader reads it."""

    path: Path
    rel: str
    family: str


@dataclass
class Discovery:
    """The scan root, the files to load and what was passed over."""

    root: Path
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unrecognised: int = 0


def scan_root(paths: list[Path]) -> Path:
    """A single directory is its own root; otherwise the common parent of everything given."""
    resolved = [p.resolve() for p in paths]
    if len(resolved) == 1 and resolved[0].is_dir():
        return resolved[0]
    parents = [p if p.is_dir() else p.parent for p in resolved]
    return Path(os.path.commonpath([str(p) for p in parents]))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover(paths: list[Path], root: Path | None = None, excluded: Callable[[str], bool] = lambda _: False) -> Discovery:
    """Every file under `paths` that a loader reads, in a stable order; `excluded` prunes."""
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise UsageError(f"no such file or directory: {p}")
    root = (root or scan_root(paths)).resolve()
    found = Discovery(root)
    seen: set[Path] = set()

    def consider(path: Path, explicit: bool, real_dir: str | None = None) -> None:
        """`real_dir`: the directory's resolved path, when known (a walk resolves each directory once)."""
        rel = path.relative_to(root).as_posix() if _inside(path.absolute(), root) else path.as_posix()
        if excluded(rel):
            return
        family = family_by_name(rel)
        if family is None:
            if explicit:
                found.skipped.append(Skipped(rel, 1, "not a file type astra-guard reads"))
            else:
                found.unrecognised += 1
            return
        try:
            real = Path(real_dir, path.name) if real_dir is not None and not os.path.islink(path) else path.resolve()
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            found.skipped.append(Skipped(rel, 1, "symbolic link that never reaches a file (a loop); not followed"))
            return
        if not _inside(real, root):
            found.skipped.append(Skipped(rel, 1, "symbolic link to a file outside the scan root; not followed"))
            return
        if real in seen:
            return
        seen.add(real)
        found.files.append(SourceFile(real, rel, family))

    real_parents: dict[str, str] = {}  # a pre-commit run names thousands of files in few directories
    for given in paths:
        given = given.absolute()
        if given.is_file():
            parent = str(given.parent)
            if parent not in real_parents:
                real_parents[parent] = os.path.realpath(parent)
            consider(given, explicit=True, real_dir=real_parents[parent])
            continue
        for dirpath, dirnames, filenames in os.walk(given, followlinks=False):
            here, real_dir = Path(dirpath), os.path.realpath(dirpath)
            for d in sorted(d for d in dirnames if os.path.islink(os.path.join(dirpath, d)) and d not in SKIPPED_DIRS):
                rel = (here / d).relative_to(root).as_posix() if _inside(here / d, root) else (here / d).as_posix()
                if not excluded(rel):  # os.walk does not follow them: say so
                    found.skipped.append(Skipped(rel, 1, "symbolic link to a directory; not followed"))
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in SKIPPED_DIRS and not os.path.isfile(os.path.join(dirpath, d, "pyvenv.cfg"))  # any virtualenv
                and not (_inside(here / d, root) and excluded((here / d).relative_to(root).as_posix()))
            )
            for name in sorted(filenames):
                if name not in OWN_FILES:
                    consider(Path(dirpath) / name, explicit=False, real_dir=real_dir)
    found.files.sort(key=lambda f: f.rel)
    return found
