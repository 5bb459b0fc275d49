"""Independent tasks shared between this process and forked copies of it.

regorus holds the GIL while it evaluates, so threads cannot spread Rego over the cores; forked
processes can, and they start with everything already built: the compiled policies, the input
set, the resources. Only the tasks' results travel back, never the inputs.

The tasks wait in a pipe, as 4-byte indexes written before the fork; each process reads the
next index when it is free, so the work balances itself however uneven the tasks are. A pipe
read of 4 bytes is atomic, so no task runs twice. A worker pickles each result as soon as it
has it, into a memory file of its own (never a pipe: nothing waits for a reader), so the cost
of sending results is part of the balance and nothing is left to pickle at the end; this
process reads those files between its own tasks, so unpickling is part of the balance too. A worker
that dies, or whose results cannot be read, costs only time: this process runs the tasks it
did not get back.

`ASTRA_GUARD_JOBS=1` keeps everything in this process (the default: one process per CPU this
process may use). Without `os.fork` (Windows) or with other threads running (forking a
threaded process is unsafe), the tasks run here, one after the other.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import tempfile
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

JOBS_ENV = "ASTRA_GUARD_JOBS"
_INDEX = struct.Struct(">I")
_RECORD = struct.Struct(">IQ")  # task index, payload length
_MAX_QUEUED = 60_000 // _INDEX.size  # the queue must fit the pipe buffer (64 KiB on Linux)


def available_jobs() -> int:
    """Processes to use: $ASTRA_GUARD_JOBS, else the CPUs this process may run on."""
    configured = os.environ.get(JOBS_ENV, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def _next_task(queue: int) -> int | None:
    chunk = os.read(queue, _INDEX.size)
    return _INDEX.unpack(chunk)[0] if len(chunk) == _INDEX.size else None


def _results_file() -> int:
    """An anonymous file for one worker's results: in memory where the OS offers one."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create("astra-guard-results", os.MFD_CLOEXEC)
        except OSError:
            pass
    return os.dup(tempfile.TemporaryFile().fileno())


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _worker(tasks: Sequence[Callable[[], Any]], queue: int, results: int) -> None:
    """The forked side: run tasks until the queue is empty, each result written as it comes; never return."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent handles Ctrl-C and reaps us
        while (index := _next_task(queue)) is not None:
            payload = pickle.dumps(tasks[index](), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(results, _RECORD.pack(index, len(payload)) + payload)
        code = 0
    finally:
        os._exit(code)  # no atexit handlers, no second flush of the parent's buffers


class _Results:
    """A worker's results file, read as it grows: whole records only, each once. This process
    reads between its own tasks, so unpickling what the workers sent is part of the balance,
    not a tail after it (a worker that died keeps the records it finished)."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd, self.offset = pid, fd, 0

    def take(self) -> dict[int, Any]:
        """The records written since the last call."""
        available = os.fstat(self.fd).st_size - self.offset
        if available < _RECORD.size:
            return {}
        blob = os.pread(self.fd, available, self.offset)
        done: dict[int, Any] = {}
        at = 0
        while at + _RECORD.size <= len(blob):
            index, size = _RECORD.unpack_from(blob, at)
            if at + _RECORD.size + size > len(blob):
                break  # still being written
            at += _RECORD.size
            with suppress(Exception):  # an unreadable record: the task is run again here
                done[index] = pickle.loads(blob[at:at + size])
            at += size
        self.offset += at
        return done

    def finish(self) -> dict[int, Any]:
        """The rest, once the worker has exited."""
        os.waitpid(self.pid, 0)
        return self.take()


def run_tasks(tasks: Sequence[Callable[[], Any]], jobs: int, meanwhile: Callable[[], None] | None = None) -> list[Any]:
    """Every task's result, in task order. `meanwhile` runs here while the workers start.

    Tasks should be queued longest first. A task that raises in a worker is run again here,
    where its exception propagates as it would without workers.
    """
    jobs = min(jobs, len(tasks) + 1 if meanwhile else len(tasks))
    if jobs <= 1 or len(tasks) > _MAX_QUEUED or not can_fork():
        if meanwhile:
            meanwhile()
        return [task() for task in tasks]
    queue_read, queue_write = os.pipe()
    os.write(queue_write, b"".join(_INDEX.pack(i) for i in range(len(tasks))))
    os.close(queue_write)
    workers: list[_Results] = []
    done: dict[int, Any] = {}
    try:
        for _ in range(jobs - 1):
            results = _results_file()
            pid = os.fork()
            if pid == 0:
                _worker(tasks, queue_read, results)
            workers.append(_Results(pid, results))
        if meanwhile:
            meanwhile()
        while (index := _next_task(queue_read)) is not None:
            done[index] = tasks[index]()
            for worker in workers:
                done.update(worker.take())
        while workers:
            done.update(workers[-1].finish())
            os.close(workers.pop().fd)
    finally:
        os.close(queue_read)
        for worker in workers:  # only after an exception here: stop and reap the rest
            try:
                os.kill(worker.pid, signal.SIGKILL)
                os.waitpid(worker.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(worker.fd)
    return [done[i] if i in done else tasks[i]() for i in range(len(tasks))]
