"""Ctrl-C: exit 130, one line on stderr, no traceback, and no partial report file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# Runs the CLI with one function replaced by a stand-in that says "ready" and then blocks, so
# the signal arrives at a known point (mid-scan, or mid-write of the report) and not at import.
DRIVER = """
import pathlib, sys, time
import {module} as target
def blocked(*args, **kwargs):
    pathlib.Path({ready!r}).touch()
    time.sleep(120)
target.{function} = blocked
from astra_guard.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def interrupt(tmp_path: Path, module: str, function: str, args: list[str], group: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI, wait until it blocks in `module.function`, then press Ctrl-C: to the process,
    or (`group`) to its whole process group, as a terminal does, forked workers included."""
    ready = tmp_path / "ready"
    code = DRIVER.format(module=module, function=function, ready=str(ready))
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=group)
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    if group:
        time.sleep(0.5)  # let every forked worker reach the blocking call too
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    return root


def test_ctrl_c_during_the_scan_exits_130_without_a_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = interrupt(tmp_path, "astra_guard.scan", "load_file",
                     ["scan", str(repo(tmp_path)), "--format", "json", "--output", str(report)])
    assert done.returncode == 130
    assert done.stderr.strip() == "astra-guard: interrupted" and "Traceback" not in done.stderr
    assert not report.exists() and done.stdout == ""


def test_ctrl_c_while_the_report_is_written_leaves_the_previous_report_whole(tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    report.write_text('{"previous": true}\n')
    done = interrupt(tmp_path, "os", "fsync",  # write_atomically fsyncs before the rename
                     ["scan", str(repo(tmp_path)), "--format", "json", "--output", str(report)])
    assert done.returncode == 130
    assert done.stderr.strip() == "astra-guard: interrupted" and "Traceback" not in done.stderr
    assert report.read_text() == '{"previous": true}\n'
    assert [p.name for p in report.parent.iterdir()] == ["report.json"]  # the temporary file is gone


def test_ctrl_c_to_the_whole_process_group_while_workers_load_is_still_one_line(tmp_path: Path) -> None:
    root = repo(tmp_path)
    for i in range(48):  # over astra_guard.loading.PARALLEL_MIN_BYTES, so the loading is shared with forked workers
        (root / f"cm-{i:02}.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n" + "  k: v\n" * 2000)
    report = tmp_path / "report.json"
    done = interrupt(tmp_path, "astra_guard.scan", "load_file",
                     ["scan", str(root), "--format", "json", "--output", str(report)], group=True)
    assert done.returncode == 130
    assert done.stderr.strip() == "astra-guard: interrupted" and "Traceback" not in done.stderr
    assert not report.exists()
