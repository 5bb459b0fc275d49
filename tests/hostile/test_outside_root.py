"""A repository cannot make astra-guard print what lies outside it: its own files only."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from astra_guard.checklist.attestations import load_attestations
from astra_guard.checklist.items import load_items
from astra_guard.config import load_config
from astra_guard.errors import UsageError

PASSWD_FIRST_LINE = Path("/etc/passwd").read_text().splitlines()[0]


def test_a_configuration_linked_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard.yaml").symlink_to("/etc/passwd")
    with pytest.raises(UsageError, match="symbolic link out of the scan root; not read"):
        load_config(None, tmp_path)
    done = subprocess.run([sys.executable, "-m", "astra_guard", "scan", str(tmp_path)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 2 and PASSWD_FIRST_LINE not in done.stdout + done.stderr


def test_a_configuration_linked_inside_the_root_is_read(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "astra.yaml").write_text("exclude: ['x/**']\n")
    (tmp_path / ".astra-guard.yaml").symlink_to("conf/astra.yaml")
    assert load_config(None, tmp_path).exclude == ("x/**",)


def test_an_oversized_configuration_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard.yaml").write_text("# padding\n" * 200_000)
    with pytest.raises(UsageError, match="is over 1048576 bytes; not read"):
        load_config(None, tmp_path)


def test_attestations_linked_out_of_the_root_are_not_read(tmp_path: Path) -> None:
    (tmp_path / ".astra-guard").mkdir()
    (tmp_path / ".astra-guard" / "attestations.yaml").symlink_to("/etc/passwd")
    loaded = load_attestations(None, tmp_path, load_items(), dt.date(2026, 11, 27))
    assert loaded.problems == [f"{tmp_path}/.astra-guard/attestations.yaml: a symbolic link out of the scan root; not read"]
