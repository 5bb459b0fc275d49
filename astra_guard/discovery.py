"""Which files a scan reads: a walk of the scan root that never leaves it."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


def _relative(path: str, root: str) -> str | None:
    """`path` (absolute, normalised) relative to `root` in POSIX form, or None when outside it."""
    if path == root:
        return "."
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not path.startswith(prefix):
        return None
    rel = path[len(prefix):]
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


def discover(paths: Sequence[Path | str], root: Path | None = None, excluded: Callable[[str], bool] = lambda _: False) -> Discovery:
    """Every file under `paths` that a loader reads, in a stable order; `excluded` prunes.

    Paths are handled as strings (a walk of a monorepo names thousands of files: `pathlib`
    per file would cost more than the walk); only the files found become `Path`s. A `str`
    in `paths` is a file a caller listed (a repository's tracked files), absolute; if it is
    no longer a file it is passed over.
    """
    given_paths = [p if isinstance(p, str) else str(p.absolute()) for p in paths]
    for p, here in zip(paths, given_paths):
        if not isinstance(p, str) and not os.path.lexists(here):
            raise UsageError(f"no such file or directory: {p}")
    root = (root or scan_root([Path(p) for p in paths])).resolve()
    top = str(root)
    found = Discovery(root)
    seen: set[str] = set()

    def named(path: str) -> str:
        """How reports name a path: relative to the root when inside it, else as given."""
        rel = _relative(path, top)
        return rel if rel is not None else Path(path).as_posix()

    def consider(path: str, explicit: bool, real_dir: str) -> None:
        """`real_dir`: the resolved path of the file's directory (resolved once per directory)."""
        rel = named(path)
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
            real = os.path.join(real_dir, os.path.basename(path)) if not os.path.islink(path) else str(Path(path).resolve())
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            found.skipped.append(Skipped(rel, 1, "symbolic link that never reaches a file (a loop); not followed"))
            return
        if _relative(real, top) is None:
            found.skipped.append(Skipped(rel, 1, "symbolic link to a file outside the scan root; not followed"))
            return
        if real in seen:
            return
        seen.add(real)
        found.files.append(SourceFile(Path(real), rel, family))

    real_dirs: dict[str, str] = {}  # a pre-commit run names thousands of files in as many directories

    def resolved_dir(directory: str) -> str:
        """`os.path.realpath(directory)`, from its parent's when it is no link (one lstat, not one per component)."""
        known = real_dirs.get(directory)
        if known is None:
            parent, name = os.path.split(directory)
            if parent == directory or name in ("", ".", "..") or os.path.islink(directory):
                known = os.path.realpath(directory)
            else:
                known = os.path.join(resolved_dir(parent), name)
            real_dirs[directory] = known
        return known

    for given, here in zip(paths, given_paths):
        if os.path.isfile(here):
            consider(here, explicit=True, real_dir=resolved_dir(os.path.dirname(here)))
            continue
        if isinstance(given, str):
            continue
        real_dirs = {here: os.path.realpath(here)}  # a directory walked into is no link: parent's + name
        for dirpath, dirnames, filenames in os.walk(here, followlinks=False):
            real_dir = real_dirs.pop(dirpath)
            for d in sorted(d for d in dirnames if d not in SKIPPED_DIRS and os.path.islink(os.path.join(dirpath, d))):
                rel = named(os.path.join(dirpath, d))
                if not excluded(rel):  # os.walk does not follow them: say so
                    found.skipped.append(Skipped(rel, 1, "symbolic link to a directory; not followed"))
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in SKIPPED_DIRS and not os.path.isfile(os.path.join(dirpath, d, "pyvenv.cfg"))  # any virtualenv
                and not ((rel := _relative(os.path.join(dirpath, d), top)) is not None and excluded(rel))
            )
            real_dirs.update((os.path.join(dirpath, d), os.path.join(real_dir, d)) for d in dirnames)
            for name in sorted(filenames):
                if name not in OWN_FILES:
                    consider(os.path.join(dirpath, name), explicit=False, real_dir=real_dir)
    found.files.sort(key=lambda f: f.rel)
    return found
