"""A wall-clock guard for the hostile suite: a hang fails the test instead of the CI run."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

GUARD_SECONDS = 120  # generous: each input takes well under a second; only a hang gets near this


class Hang(Exception):
    pass


@pytest.fixture(autouse=True)
def hang_guard() -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"no result after {GUARD_SECONDS} s: the input hangs the scan")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
