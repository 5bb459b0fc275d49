"""Loading many files fast: the cores shared, the cyclic garbage collector kept out of the way.

A scan builds millions of small containers (every key's data and span) that live until it
ends. CPython's cyclic collector would walk them again and again as they pile up, for nothing:
they hold no cycles and are freed by reference counting. `quiet_gc` pauses it while a scan
builds and judges them, then lets it run.

`load_all` loads files in order. It loads the first few here and times them: when files take
long (they are parsed, not read from the parse cache) and the rest would take long enough, it
shares the rest, in chunks, with forked workers (`astra_guard.parallel`), which send back the
loaded results pickled while this process loads its own share. Sending a result back costs
about what reading it from the cache does, so cached files stay here. Files are taken in
batches so a caller that stops early (the `limits.max_resources` ceiling) never has the whole
repository loaded first.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from astra_guard.discovery import SourceFile
from astra_guard.model import LoadResult, pack_spans_of
from astra_guard.parallel import available_jobs, run_tasks

PROBE_FILES = 32  # loaded here first, to time what a file costs
PARALLEL_MIN_FILE_SECONDS = 0.001  # a parse, not a cache hit: worth sending back from a worker
PARALLEL_MIN_SECONDS = 0.5  # the rest must take this long here for workers to pay off
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


def _load_chunk(load: Callable[[SourceFile], LoadResult], chunk: Sequence[SourceFile],
                collect: Callable[[], Any] | None) -> tuple[list[LoadResult], Any]:
    """A worker's share, spans packed (bytes pickle in a fraction of the time a dict of tuples
    does), and what `collect` gathered while loading it (the parse cache's entries)."""
    return [pack_spans_of(load(source)) for source in chunk], collect() if collect else None


def load_all(sources: Sequence[SourceFile], load: Callable[[SourceFile], LoadResult],
             jobs: int | None = None, collect: Callable[[], Any] | None = None,
             absorb: Callable[[Any], None] | None = None) -> Iterator[LoadResult]:
    """`load(source)` for every source, in order; shared with forked workers when worth it.

    A worker's state does not come back by itself: after each chunk, what `collect()` returns
    there is handed to `absorb` here."""
    jobs = available_jobs() if jobs is None else jobs
    probe = sources[:PROBE_FILES]
    started = time.process_time()
    yield from (load(source) for source in probe)
    per_file = (time.process_time() - started) / max(len(probe), 1)
    rest = sources[len(probe):]
    if jobs <= 1 or per_file < PARALLEL_MIN_FILE_SECONDS or per_file * len(rest) < PARALLEL_MIN_SECONDS:
        yield from (load(source) for source in rest)
        return
    for start in range(0, len(rest), BATCH_FILES):
        batch = rest[start:start + BATCH_FILES]
        chunks = [batch[i:i + CHUNK_FILES] for i in range(0, len(batch), CHUNK_FILES)]
        for loaded, collected in run_tasks([partial(_load_chunk, load, chunk, collect) for chunk in chunks], jobs):
            if absorb is not None and collected is not None:
                absorb(collected)
            yield from loaded
