"""Tasks shared with forked workers: every result once, in order, whatever a worker does."""

from __future__ import annotations

import os
import select
from pathlib import Path

import pytest

from astra_guard import parallel
from astra_guard.parallel import run_tasks


def test_results_come_back_in_task_order_from_this_process_and_the_workers() -> None:
    here, (started, signal) = os.getpid(), os.pipe()

    def task(i: int) -> tuple[int, int]:
        if os.getpid() != here:
            os.write(signal, b"w")  # a worker has taken a task
        return i * i, os.getpid()

    def meanwhile() -> None:  # this process starts on the queue only once a worker has
        if parallel.can_fork():
            assert select.select([started], [], [], 30)[0], "no worker took a task"
        calls.append(os.getpid())

    calls: list[int] = []
    results = run_tasks([lambda i=i: task(i) for i in range(40)], jobs=2, meanwhile=meanwhile)
    os.close(started)
    os.close(signal)
    assert [square for square, _ in results] == [i * i for i in range(40)]
    assert calls == [here]  # meanwhile ran here, once
    if parallel.can_fork():
        assert any(pid != here for _, pid in results)  # a worker's results came back


def test_a_task_that_fails_in_a_worker_is_run_again_here_where_its_error_propagates() -> None:
    here = os.getpid()

    def flaky() -> int:
        if os.getpid() != here:
            raise RuntimeError("only in the worker")
        return 7

    assert run_tasks([flaky] * 8, jobs=2) == [7] * 8

    def broken() -> int:
        raise ValueError("broken everywhere")

    with pytest.raises(ValueError, match="broken everywhere"):
        run_tasks([broken] * 4, jobs=2)


def test_a_worker_that_dies_costs_time_not_results() -> None:
    here = os.getpid()

    def dies_in_worker() -> str:
        if os.getpid() != here:
            os._exit(3)
        return "done here"

    assert run_tasks([dies_in_worker] * 6, jobs=2) == ["done here"] * 6


def test_one_job_runs_everything_here_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    order: list[str] = []
    results = run_tasks([lambda: order.append("a") or 1, lambda: order.append("b") or 2],
                        jobs=parallel.available_jobs(), meanwhile=lambda: order.append("meanwhile"))
    assert results == [1, 2] and order == ["meanwhile", "a", "b"]


def test_results_are_read_as_they_grow_whole_records_only_each_once(tmp_path: Path) -> None:
    import pickle

    from astra_guard.parallel import _RECORD, _Results

    first, second = pickle.dumps("first"), pickle.dumps(["second"] * 100)
    with (tmp_path / "results").open("w+b") as handle:
        reader = _Results(os.getpid(), handle.fileno())
        record = _RECORD.pack(1, len(second)) + second
        handle.write(_RECORD.pack(0, len(first)) + first + record[:10])
        handle.flush()
        assert reader.take() == {0: "first"}  # the second record is still being written
        handle.write(record[10:])
        handle.flush()
        assert reader.take() == {1: ["second"] * 100}
        assert reader.take() == {}
