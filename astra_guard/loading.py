"""Loading many files fast: the cores shared, the cyclic garbage collector kept out of the way.

A scan builds millions of small containers (every key's data and span) that live until it
ends. CPython's cyclic collector would walk them again and again as they pile up, for nothing:
they hold no cycles and are freed by reference counting. `quiet_gc` pauses it while a scan
builds and judges them, then lets it run.

`load_all` loads files in order. Above a size worth a fork it shares them, in chunks, with
forked workers (`astra_guard.parallel`), which send back the loaded results pickled; this
process loads its own share meanwhile. Files are taken in batches so a caller that stops
early (the `limits.max_resources` ceiling) never has the whole repository loaded first.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

from astra_guard.discovery import SourceFile
from astra_guard.model import LoadResult
from astra_guard.parallel import available_jobs, run_tasks

PARALLEL_MIN_BYTES = 512 * 1024  # below this a batch loads faster in this process alone
BATCH_FILES = 4096  # files loaded before the caller sees any of them
CHUNK_FILES = 16  # files per task handed to a worker


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees memory)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _size(source: SourceFile) -> int:
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _load_chunk(load: Callable[[SourceFile], LoadResult], chunk: Sequence[SourceFile]) -> list[LoadResult]:
    return [load(source) for source in chunk]


def load_all(sources: Sequence[SourceFile], load: Callable[[SourceFile], LoadResult],
             jobs: int | None = None) -> Iterator[LoadResult]:
    """`load(source)` for every source, in order; shared with forked workers when large."""
    jobs = available_jobs() if jobs is None else jobs
    for start in range(0, len(sources), BATCH_FILES):
        batch = sources[start:start + BATCH_FILES]
        if jobs <= 1 or sum(_size(s) for s in batch) < PARALLEL_MIN_BYTES:
            yield from (load(source) for source in batch)
            continue
        chunks = [batch[i:i + CHUNK_FILES] for i in range(0, len(batch), CHUNK_FILES)]
        for loaded in run_tasks([partial(_load_chunk, load, chunk) for chunk in chunks], jobs):
            yield from loaded
