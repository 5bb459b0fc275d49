"""The parse cache: the same result as parsing, keyed by everything the parse depends on."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from astra_guard import parse_cache
from astra_guard.loaders import load_bytes
from astra_guard.model import PackedSpans
from astra_guard.parse_cache import ParseCache, default_cache_dir, flatten, unflatten
from astra_guard.scan import ScanOptions, scan

LIST = b"""apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec: {containers: [{name: c, image: "r/c:1"}]}
"""


def entries(cache: ParseCache) -> list[Path]:
    return sorted(p for p in cache.directory.glob("*/*") if p.is_file())


def test_a_cached_parse_is_the_parse_and_spans_shared_by_a_list_stay_shared(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    fresh = load_bytes(LIST, "k/list.yaml", "kubernetes")
    first = cache.load(LIST, "k/list.yaml", "kubernetes")
    again = cache.load(LIST, "k/list.yaml", "kubernetes")
    assert len(entries(cache)) == 1
    assert first == fresh and again == fresh
    assert again.resources[0].spans is again.resources[1].spans  # one document, one span index
    assert unflatten(flatten(fresh)) == fresh


def test_a_hit_decodes_spans_only_when_read_and_keeps_the_secrets_masking_needs(tmp_path: Path) -> None:
    secret = b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {API_TOKEN: hunter2-value}\n"
    cache = ParseCache(tmp_path)
    cache.load(secret, "k/s.yaml", "kubernetes")
    hit = cache.load(secret, "k/s.yaml", "kubernetes")
    spans = hit.resources[0].spans
    assert isinstance(spans, PackedSpans) and spans._index is None  # nothing decoded yet
    assert hit.resources[0].locate(("stringData", "API_TOKEN"))[0].line == 4
    assert spans == load_bytes(secret, "k/s.yaml", "kubernetes").resources[0].spans
    assert pickle.loads(pickle.dumps(spans)) == spans  # as a forked worker sends it back
    assert hit.secrets == ("hunter2-value",)


def test_a_pack_serves_the_entries_the_last_run_used_and_follows_what_this_one_uses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = LIST.replace(b"name: p", b"name: q")
    first = ParseCache(tmp_path)
    first.use_pack("repo")
    first.load(LIST, "k/list.yaml", "kubernetes")
    first.save_pack()
    (pack,) = (first.directory / "packs").iterdir()
    for entry in entries(first):
        if entry.parent.name != "packs":
            entry.unlink()  # what follows can only come from the pack
    second = ParseCache(tmp_path)
    second.use_pack("repo")
    assert second.load(LIST, "k/list.yaml", "kubernetes") == load_bytes(LIST, "k/list.yaml", "kubernetes")
    written = pack.stat().st_mtime_ns
    second.save_pack()
    assert pack.stat().st_mtime_ns == written  # the same entries: not rewritten
    second.load(other, "k/list.yaml", "kubernetes")
    second.save_pack()
    assert pack.stat().st_mtime_ns == written  # one new entry: read from its own file until more drift
    monkeypatch.setattr(parse_cache, "PACK_SLACK", 0)
    second.save_pack()
    third = ParseCache(tmp_path)
    third.use_pack("repo")
    assert third._pack is not None and len(third._pack) == 2
    pack.write_bytes(pack.read_bytes()[:-5])  # damaged: ignored, the entries decide
    fourth = ParseCache(tmp_path)
    fourth.use_pack("repo")
    assert fourth._pack == {}
    assert fourth.load(other, "k/list.yaml", "kubernetes") == load_bytes(other, "k/list.yaml", "kubernetes")


def test_a_first_scan_writes_one_pack_and_no_entry_files_even_from_forked_loaders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from astra_guard import loading

    for name, value in (("PROBE_FILES", 1), ("CHUNK_FILES", 4), ("PARALLEL_MIN_FILE_SECONDS", 0), ("PARALLEL_MIN_SECONDS", 0)):
        monkeypatch.setattr(loading, name, value)
    monkeypatch.setenv("ASTRA_GUARD_JOBS", "2")
    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    for i in range(40):
        (repo / "k8s" / f"list-{i}.yaml").write_bytes(LIST.replace(b"name: p", f"name: p{i}".encode()))
    cold = scan([repo], ScanOptions(cache_dir=tmp_path / "cache"))
    cache = ParseCache(tmp_path / "cache")
    (pack,) = (cache.directory / "packs").iterdir()
    assert [e for e in entries(cache) if e.parent.name != "packs"] == []
    cache.use_pack(pack.name)
    assert cache._pack is not None and len(cache._pack) == 40
    warm = scan([repo], ScanOptions(cache_dir=tmp_path / "cache"))
    assert warm.findings == cold.findings


def test_entries_a_worker_used_reach_the_parent(tmp_path: Path) -> None:
    worker, parent = ParseCache(tmp_path), ParseCache(tmp_path)
    worker.use_pack("repo")
    parent.use_pack("repo")
    worker.load(LIST, "k/list.yaml", "kubernetes")
    parent.absorb(worker.take_used())
    assert worker.take_used() == {}  # taken once
    parent.save_pack()
    again = ParseCache(tmp_path)
    again.use_pack("repo")
    assert again._pack is not None and len(again._pack) == 1


def test_the_key_covers_content_path_family_and_limits(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    cache.load(LIST, "k/list.yaml", "kubernetes")
    cache.load(LIST + b"# changed\n", "k/list.yaml", "kubernetes")
    cache.load(LIST, "k/other.yaml", "kubernetes")
    moved = cache.load(LIST, "k/other.yaml", "kubernetes")
    assert len(entries(cache)) == 3
    assert {r.file for r in moved.resources} == {"k/other.yaml"}


def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    cache.load(LIST, "k/list.yaml", "kubernetes")
    (entry,) = entries(cache)
    entry.write_bytes(entry.read_bytes()[:-10])  # truncated: the digest no longer matches
    assert cache.load(LIST, "k/list.yaml", "kubernetes") == load_bytes(LIST, "k/list.yaml", "kubernetes")
    entry.write_bytes(b"not a cache entry")
    assert cache.load(LIST, "k/list.yaml", "kubernetes") == load_bytes(LIST, "k/list.yaml", "kubernetes")


def test_an_unwritable_cache_costs_speed_never_the_scan(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    assert ParseCache(blocker).load(LIST, "k/list.yaml", "kubernetes") == load_bytes(LIST, "k/list.yaml", "kubernetes")


def test_a_scan_with_the_cache_reports_exactly_what_one_without_does(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    (repo / "k8s" / "list.yaml").write_bytes(LIST)
    (repo / "k8s" / "bad.yaml").write_text("a: [1,\n")
    (repo / "Dockerfile").write_text("FROM alpine:3\nUSER root\n")
    plain = scan([repo], ScanOptions())
    cold = scan([repo], ScanOptions(cache_dir=tmp_path / "cache"))
    warm = scan([repo], ScanOptions(cache_dir=tmp_path / "cache"))
    for result in (cold, warm):
        assert result.findings == plain.findings and result.errors == plain.errors
        assert [f.sha256 for f in result.files] == [f.sha256 for f in plain.files]


def test_pruning_drops_old_entries_and_old_versions_at_most_once_a_day(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    cache.load(LIST, "k/list.yaml", "kubernetes")
    old_version = cache.root / ("0" * 32)
    old_version.mkdir()
    (entry,) = entries(cache)
    long_ago = entry.stat().st_mtime - 100 * 24 * 3600
    os.utime(entry, (long_ago, long_ago))
    os.utime(old_version, (long_ago, long_ago))
    cache.prune()
    assert entries(cache) == [] and not old_version.exists()
    cache.load(LIST, "k/list.yaml", "kubernetes")
    (entry,) = entries(cache)
    os.utime(entry, (long_ago, long_ago))
    cache.prune()  # pruned less than a day ago: nothing happens
    assert entries(cache) == [entry]


def test_the_environment_chooses_or_disables_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(parse_cache.CACHE_DIR_ENV, str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.setenv(parse_cache.NO_CACHE_ENV, "1")
    assert default_cache_dir() is None
    monkeypatch.delenv(parse_cache.NO_CACHE_ENV)
    monkeypatch.delenv(parse_cache.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "astra-guard"
