"""A cache of parsed files, by content: what makes a pre-commit scan of a large repository fast.

A pre-commit hook loads the whole repository as context on every commit, and every file but
the one or two changed parses to exactly what it parsed to last time. The cache keeps each
file's `LoadResult`, keyed by the SHA-256 of everything the result depends on:

- the file's bytes (their SHA-256), its path as reports name it, its loader family and the YAML limits;
- the code that parses it: astra-guard's loaders and model (their source, hashed), every
  other module of the package (its size and modification time), the Python version, and the
  installed PyYAML, python-hcl2, lark and dockerfile-parse.

So an entry is never stale: change a byte of the file, of a loader or of a parser library and
the key changes. Entries are written to a temporary file (a name no other process uses,
opened exclusively) and renamed into place (atomic on POSIX and Windows), so concurrent scans, even of different versions, read either a whole entry
or none; each entry carries the digest of its payload and the full key, and anything that does
not verify is a miss. Values are `marshal`led plain data (no pickle: reading the cache never
runs code). Entries, and the directories of other code versions, not written for
`MAX_AGE_DAYS` are removed, at most once a day.

A scan keeps a pack per repository (scan root): one file holding the entries its last scan
used, read at once instead of a thousand entry files; entry files are written only for the
few files parsed since (see `ParseCache.use_pack`).

Location: `$ASTRA_GUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/astra-guard`, else
`~/.cache/astra-guard`. `astra-guard scan --no-cache` (or `ASTRA_GUARD_NO_CACHE=1`) disables it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import marshal
import os
import secrets
import shutil
import sys
import time
from contextlib import suppress
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from astra_guard import __version__
from astra_guard.loaders import load_bytes
from astra_guard.loaders.yaml_source import YamlLimits
from astra_guard.masking import file_secrets
from astra_guard.model import (
    InputError,
    LoadResult,
    PackedSpans,
    Resource,
    Skipped,
    pack_spans,
    pack_spans_of,
)

CACHE_DIR_ENV = "ASTRA_GUARD_CACHE_DIR"
NO_CACHE_ENV = "ASTRA_GUARD_NO_CACHE"
FORMAT = b"astra-guard parse cache 2\n"
MAX_AGE_DAYS = 14
PACK_SLACK = 32  # entries a pack may lack, or hold unused, before it is rewritten
PRUNE_EVERY_SECONDS = 24 * 3600
PARSERS = ("yaml", "_yaml", "hcl2", "lark", "dockerfile_parse")
_PACKAGE = Path(__file__).resolve().parent


def default_cache_dir() -> Path | None:
    """Where the cache lives, or None when the environment disables it."""
    if os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0"):
        return None
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "astra-guard"


@cache
def code_key() -> str:
    """What the parse of a file depends on besides the file: our parsing code, the parsers."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0{marshal.version}\0".encode())
    for path in sorted([*(_PACKAGE / "loaders").glob("*.py"), _PACKAGE / "model.py", Path(__file__)]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(_PACKAGE.rglob("*.py")):  # anything else the loaders may come to import: any edit
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for name in PARSERS:  # an upgrade rewrites the package's files: their size and time change
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        stat = os.stat(origin) if origin and os.path.exists(origin) else None
        digest.update(f"{name}\0{origin}\0{stat.st_size if stat else 0}\0{stat.st_mtime_ns if stat else 0}\0".encode())
    for cls in (LoadResult, Resource, InputError, Skipped):
        digest.update(",".join(f.name for f in fields(cls)).encode())
    return digest.hexdigest()


# --- LoadResult <-> marshal-able plain data -----------------------------------------------------

_RESOURCE_FIELDS = tuple(f.name for f in fields(Resource))
_RESULT_FIELDS = tuple(f.name for f in fields(LoadResult) if f.name not in ("resources", "errors", "skipped"))


def flatten(result: LoadResult) -> tuple[Any, ...]:
    """Plain tuples, lists, dicts and bytes; span indexes shared between resources stay shared."""
    tables: dict[int, int] = {}
    span_tables: list[bytes] = []
    resources = []
    for resource in result.resources:
        spans = resource.spans
        if id(spans) not in tables:
            tables[id(spans)] = len(span_tables)
            span_tables.append(pack_spans(spans))
        resources.append(tuple(tables[id(spans)] if name == "spans" else getattr(resource, name) for name in _RESOURCE_FIELDS))
    return (
        tuple(getattr(result, name) for name in _RESULT_FIELDS),
        span_tables,
        resources,
        [(e.file, e.line, e.message, e.column) for e in result.errors],
        [(s.file, s.line, s.reason) for s in result.skipped],
    )


def unflatten(flat: tuple[Any, ...]) -> LoadResult:
    header, span_tables, resources, errors, skipped = flat
    indexes = [PackedSpans(packed) for packed in span_tables]
    spans_at = _RESOURCE_FIELDS.index("spans")
    result = LoadResult(**dict(zip(_RESULT_FIELDS, header, strict=True)))
    for values in resources:
        values = list(values)
        values[spans_at] = indexes[values[spans_at]]
        result.resources.append(Resource(*values))
    result.errors = [InputError(*e) for e in errors]
    result.skipped = [Skipped(*s) for s in skipped]
    return result


# --- the cache ------------------------------------------------------------------------------------


class ParseCache:
    """Parsed files by content, under `directory/parsed/<code version>/`."""

    def __init__(self, directory: Path) -> None:
        self.root = directory / "parsed"
        self.directory = self.root / code_key()[:32]
        self._dir = str(self.directory)
        self._folders: set[str] = set()  # created by this process
        self._names = itertools.count()  # temporary names: pid, counter and salt, opened exclusively
        self._salt = secrets.token_hex(4)
        self._pack: dict[str, bytes] | None = None  # key -> payload, from `use_pack`
        self._pack_path: str | None = None
        self._used: dict[str, bytes] | None = None  # key -> payload this scan used, for `save_pack`

    def load(self, raw: bytes, rel: str, family: str, limits: YamlLimits | None = None,
             digest: str | None = None) -> LoadResult:
        """`load_bytes(raw, rel, family, limits)`, from the cache when this exact parse was done before.

        `digest`: the SHA-256 of `raw` when the caller has it already (every file's is reported)."""
        digest = digest or hashlib.sha256(raw).hexdigest()
        key = hashlib.sha256(f"{code_key()}\0{rel}\0{family}\0{limits!r}\0{digest}".encode()).hexdigest()
        path = os.path.join(self._dir, key[:2], key)
        payload = self._pack.get(key) if self._pack is not None else None
        if payload is None:
            payload = _verified(_read_bytes(path))
        result = _decode(payload, key) if payload is not None else None
        if result is None:
            result = load_bytes(raw, rel, family, limits)
            result.secrets = file_secrets(result)  # what masking needs, cached with the parse
            pack_spans_of(result)  # stored packed: this scan keeps them so too (less memory)
            try:
                payload = marshal.dumps((key, flatten(result)))
            except ValueError:  # a value marshal cannot hold: this file is simply not cached
                return result
            if self._pack_path is None or self._pack:  # cold, the pack alone will hold it
                self._store(path, _sealed(payload))
        if self._used is not None:
            self._used[key] = payload
        return result

    def take_used(self) -> dict[str, bytes]:
        """The entries used since the last call (a forked loader hands them to its parent)."""
        if self._used is None:
            return {}
        used, self._used = self._used, {}
        return used

    def absorb(self, used: dict[str, bytes]) -> None:
        """Entries another process used for this scan (see `take_used`)."""
        if self._used is not None:
            self._used.update(used)

    def use_pack(self, name: str) -> None:
        """Read the entries the last scan of one repository used from a single file, the pack
        `name`, and keep those this scan uses for `save_pack`. A pre-commit run loads the same
        thousand files every time: one read instead of a thousand. Without a pack yet (a first
        scan), what is parsed goes to the pack alone: one file written, not a thousand; with
        one, the few files parsed get entry files of their own until the pack is rewritten."""
        self._pack_path = os.path.join(self._dir, "packs", name)
        body = _verified(_read_bytes(self._pack_path))
        try:
            pack = marshal.loads(body) if body is not None else {}
        except (ValueError, TypeError, EOFError):
            pack = {}
        self._pack = pack if isinstance(pack, dict) else {}
        self._used = {}

    def save_pack(self) -> None:
        """Write the pack with exactly the entries this scan used, once it has drifted from them.

        A commit changes a file or two: their new entries are read from their own files until
        more than `PACK_SLACK` entries (or 2%) were, or went unused, rather than rewriting
        the whole pack on every commit."""
        if self._pack_path is None or self._used is None:
            return
        pack = self._pack or {}
        outside = sum(1 for key in self._used if key not in pack)
        unused = len(pack) - (len(self._used) - outside)
        if pack and outside + unused <= max(PACK_SLACK, len(self._used) // 50):
            return
        self._store(self._pack_path, _sealed(marshal.dumps(self._used)))

    def _store(self, path: str, blob: bytes) -> None:
        """Write `blob` to `path` atomically: a temporary file of our own, renamed into place."""
        folder = os.path.dirname(path)
        temporary = f"{folder}/.tmp-{os.getpid()}-{next(self._names)}-{self._salt}"
        try:
            if folder not in self._folders:
                os.makedirs(folder, mode=0o700, exist_ok=True)
                self._folders.add(folder)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            try:
                _write_all(handle, blob)
            finally:
                os.close(handle)
            os.replace(temporary, path)
        except OSError:  # a read-only or full disk costs speed, never the scan
            with suppress(OSError):
                os.unlink(temporary)

    def prune(self, now: float | None = None) -> None:
        """At most once a day: drop entries and other code versions' directories not written for MAX_AGE_DAYS."""
        now = time.time() if now is None else now
        stamp = self.root / ".pruned"
        try:
            if now - stamp.stat().st_mtime < PRUNE_EVERY_SECONDS:
                return
        except FileNotFoundError:
            pass
        except OSError:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            stamp.touch()
            cutoff = now - MAX_AGE_DAYS * 24 * 3600
            for version in self.root.iterdir():
                if version.is_dir() and version != self.directory and version.stat().st_mtime < cutoff:
                    shutil.rmtree(version, ignore_errors=True)
            for entry in self.directory.glob("*/*") if self.directory.is_dir() else ():
                if entry.stat().st_mtime < cutoff:
                    entry.unlink(missing_ok=True)
        except OSError:
            return


_HEADER = len(FORMAT) + 32  # the format line, then the SHA-256 of the payload


def _sealed(payload: bytes) -> bytes:
    return FORMAT + hashlib.sha256(payload).digest() + payload


def _verified(blob: bytes | None) -> bytes | None:
    """The payload of a sealed blob, or None when it is missing, foreign or damaged."""
    if blob is None or not blob.startswith(FORMAT):
        return None
    payload = blob[_HEADER:]
    return payload if hashlib.sha256(payload).digest() == blob[len(FORMAT):_HEADER] else None


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _decode(payload: bytes, key: str) -> LoadResult | None:
    try:
        stored_key, flat = marshal.loads(payload)
        return unflatten(flat) if stored_key == key else None
    except (ValueError, TypeError, EOFError, IndexError, KeyError):
        return None


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def open_cache(directory: Path | None) -> ParseCache | None:
    """The cache under `directory` (None: no cache), pruned if it is time."""
    if directory is None:
        return None
    parse_cache = ParseCache(directory)
    parse_cache.prune()
    return parse_cache
