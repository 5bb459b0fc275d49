"""Timing one command: a fresh process per measurement, its wall time and its own peak RSS.

`os.wait4` returns the rusage of exactly the child waited for (with the workers it forked and
reaped), so each figure is that process's own: its CPU time, and the peak resident set of its
largest process (Linux reports `ru_maxrss` in KiB), not the maximum over every child so far as
`getrusage(RUSAGE_CHILDREN)` would. The CPU time is the figure to trust on a busy machine,
where wall time also counts the waits for a core.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


@dataclass(frozen=True)
class Run:
    """One process: how long it took, how much memory it peaked at, how it ended."""

    seconds: float
    cpu_seconds: float  # user + system, of the process and the workers it waited for
    peak_rss_mb: float
    exit_code: int
    stdout: str
    stderr: str
    peak_tree_rss_mb: float | None = None  # sampled: the process and its workers together (Linux)


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                stack += [int(c) for c in handle.read().split()]
        except OSError:
            continue
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE_KIB
    except (OSError, ValueError, IndexError):
        return 0


class _TreeMemory(threading.Thread):
    """Samples the resident set of a process and its descendants together, keeping the largest
    total. Pages a forked worker shares with its parent count twice: an upper bound. (statm,
    not smaps: reading smaps walks the page tables under the process's memory lock.)"""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(p) for p in _descendants(self.pid)))


def run(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, sample_tree: bool = True) -> Run:
    """Run `argv` to completion; stdout and stderr go to temporary files, not pipes, so a
    large report cannot block the child while the parent waits. `sample_tree=False` leaves the
    workers' memory unsampled: reading /proc every 50 ms slows a one-second command measurably
    on two cores (about 8%), and short commands are timed, not weighed."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = _TreeMemory(process.pid) if sample_tree and os.path.exists("/proc/self/statm") else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if sampler:
            sampler.done.set()
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        out.seek(0)
        err.seek(0)
        rss_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
        tree = sampler.peak_kib / 1024 if sampler and sampler.peak_kib else None
        return Run(seconds, cpu, rss_kib / 1024, process.returncode, out.read(), err.read(), tree)


def median_run(argv: list[str], repeat: int, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """The run with the median wall time of `repeat` runs (small commands are noisy)."""
    runs = sorted((checked(argv, run(argv, env, cwd, sample_tree=False)) for _ in range(repeat)), key=lambda r: r.seconds)
    return runs[len(runs) // 2]


def median(values: list[float]) -> float:
    return statistics.median(values)


class CommandFailed(RuntimeError):
    def __init__(self, argv: list[str], result: Run) -> None:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        super().__init__(f"{' '.join(argv)} exited {result.exit_code}:\n" + "\n".join(tail))


def checked(argv: list[str], result: Run, ok: tuple[int, ...] = (0, 1)) -> Run:
    """`result`, or an error when the command failed (astra-guard exits 1 for findings)."""
    if result.exit_code not in ok:
        raise CommandFailed(argv, result)
    return result
