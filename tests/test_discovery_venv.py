"""Virtualenvs are never walked, whatever their name (CI makes .ci-venv and .ci-checkov)."""

from __future__ import annotations

from pathlib import Path

from astra_guard.discovery import discover


def test_a_directory_with_pyvenv_cfg_is_not_walked(tmp_path: Path) -> None:
    env = tmp_path / ".ci-whatever"
    (env / "lib").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "lib" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    assert [f.rel for f in discover([tmp_path]).files] == ["Dockerfile"]
