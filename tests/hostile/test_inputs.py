"""Each hostile input, read as a scan reads it: an input error or a skip on the right line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from astra_guard.discovery import discover
from astra_guard.scan import load_file
from tests.hostile.nasty import BUILDERS, FILE_OF


def read(root: Path) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """(errors, skipped) of discovering and loading `root`, without evaluating rules."""
    found = discover([root], root)
    errors, skipped = [], [(s.file, s.line, s.reason) for s in found.skipped]
    for source in found.files:
        loaded = load_file(source)
        errors += [(e.file, e.line, e.message) for e in loaded.errors]
        skipped += [(s.file, s.line, s.reason) for s in loaded.skipped]
    return errors, skipped


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_hostile_input_ends_as_an_input_error_or_a_skip_on_its_line(name: str, tmp_path: Path) -> None:
    kind, line, words = BUILDERS[name](tmp_path)
    errors, skipped = read(tmp_path)
    reported = errors if kind == "error" else skipped
    mine = [(ln, text) for file, ln, text in reported if file == FILE_OF[name]]
    assert any(ln == line and words in text for ln, text in mine), (kind, mine)
    if kind == "skipped":
        assert not [e for e in errors if e[0] == FILE_OF[name]]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway, so it cannot be made unreadable")
def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text("apiVersion: v1\nkind: Pod\n")
    locked.chmod(0)
    try:
        errors, _ = read(tmp_path)
    finally:
        locked.chmod(0o600)
    assert errors == [("locked.yaml", 1, "cannot read the file: Permission denied")]


def test_a_symlinked_directory_inside_the_root_is_not_walked_twice(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "mirror").symlink_to("k8s")
    (tmp_path / "etc").symlink_to("/etc")
    found = discover([tmp_path], tmp_path)
    assert [f.rel for f in found.files] == ["k8s/cm.yaml"]
    assert sorted((s.file, s.reason) for s in found.skipped) == [
        ("etc", "symbolic link to a directory; not followed"), ("mirror", "symbolic link to a directory; not followed")
    ]


def test_a_file_symlink_inside_the_root_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "alias.yaml").symlink_to("cm.yaml")
    assert [f.rel for f in discover([tmp_path], tmp_path).files] == ["alias.yaml"]
