"""Loading shared with forked workers gives exactly what loading here does, in order."""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path

import pytest

from astra_guard import loading
from astra_guard.discovery import discover
from astra_guard.loading import load_all, quiet_gc
from astra_guard.scan import load_file
from tests.benchmarks.test_generate import generate


def test_loading_over_workers_returns_what_loading_here_does_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate.generate(30, tmp_path)
    (tmp_path / "broken.yaml").write_text("a: [1,\n")
    sources = discover([tmp_path], tmp_path).files
    here = list(load_all(sources, load_file, jobs=1))
    monkeypatch.setattr(loading, "PROBE_FILES", 2)
    monkeypatch.setattr(loading, "PARALLEL_MIN_FILE_SECONDS", 0.0)
    monkeypatch.setattr(loading, "PARALLEL_MIN_SECONDS", 0.0)
    monkeypatch.setattr(loading, "BATCH_FILES", 7)
    monkeypatch.setattr(loading, "CHUNK_FILES", 3)
    shared = list(load_all(sources, partial(load_file), jobs=2))
    assert [r.file for r in shared] == [s.rel for s in sources]
    assert shared == here
    assert any(r.errors for r in shared)  # the broken file's error came back too


def test_quiet_gc_pauses_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with quiet_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
