"""The long-lived part of a worker's heap kept out of the cyclic garbage collector's way.

A worker holds about half a million long-lived objects (the match index, the reference catalogs, compiled
statements and models). A full collection walks them all — about 0.2 s with every thread stopped, which
arrives now and then under load as a stall that fills the queue. After :func:`settle` the collector walks only
what was made since.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

_settled = False


def settle() -> float:
    """Collect, then move every object that survived into the collector's permanent generation (whatever was
    settled before is returned to it first, so garbage from an earlier settle is collected now). Call it after
    building something that will live as long as the process (the match index); it costs one full collection.
    Returns the seconds it took."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    global _settled
    _settled = True
    took = time.perf_counter() - started
    log.info("heap settled: %d objects frozen in %.3f s", gc.get_freeze_count(), took)
    return took


def resettle() -> float | None:
    """:func:`settle` again in a worker that settled when it started (the service's workers); a process that never
    did (a test run, a command) is left alone. Returns the seconds it took, or None."""
    return settle() if _settled else None
