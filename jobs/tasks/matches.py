"""Stored top-k per graduate: rematch one, rematch all in fixed-size chunks across workers, and catch up after
catalog changes. Each task reloads what it needs by id; chunks are idempotent (safe to run twice, acks_late)."""

from __future__ import annotations

from typing import Any

from jobs.base import task
from services.db import session_scope
from services.matches import stored
from services.queue import send_now

CHUNK_TASK = "sunshine.matches.rematch_chunk"


@task("sunshine.matches.rematch_graduate", idempotent=True)
def rematch_graduate(graduate_id: int, force: bool = True) -> dict[str, int]:
    """Recompute one graduate's stored top-k (after a profile change, say)."""
    with session_scope() as session:
        return stored.rematch_graduates(session, graduate_ids=[graduate_id], force=force).as_dict()


@task("sunshine.matches.rematch_chunk", idempotent=True, time_limit=1500)
def rematch_chunk(graduate_ids: list[int], force: bool = False) -> dict[str, int]:
    """Recompute the stored top-k of one chunk of graduates (skips those already current unless ``force``)."""
    with session_scope() as session:
        return stored.rematch_graduates(session, graduate_ids=graduate_ids, force=force).as_dict()


def _fan_out(chunks: list[list[int]], force: bool) -> dict[str, Any]:
    """One ``rematch_chunk`` task per chunk; returns the counts and the task ids (to wait on or inspect)."""
    task_ids = [str(send_now(CHUNK_TASK, chunk, force).id) for chunk in chunks]
    return {"chunks": len(chunks), "graduates": sum(len(c) for c in chunks), "task_ids": task_ids}


@task("sunshine.matches.rematch_all", idempotent=True)
def rematch_all(chunk_size: int = stored.CHUNK_SIZE, force: bool = True) -> dict[str, Any]:
    """Every graduate, in chunks of ``chunk_size`` ids, each chunk a ``rematch_chunk`` task (nightly)."""
    with session_scope() as session:
        chunks = stored.graduate_id_chunks(session, size=chunk_size)
    return _fan_out(chunks, force)


@task("sunshine.matches.refresh_after_catalog_change", idempotent=True)
def refresh_after_catalog_change(chunk_size: int = stored.CHUNK_SIZE) -> dict[str, Any]:
    """Drop stored results of positions no longer open, then rematch the graduates whose lists are stale."""
    with session_scope() as session:
        chunks = stored.refresh_after_catalog_change(session, size=chunk_size)
    return _fan_out(chunks, False)


@task("sunshine.matches.backfill_position_occupations", idempotent=True, time_limit=3000)
def backfill_position_occupations(batch: int = 500) -> dict[str, int]:
    """Suggest CSCO occupations for positions that have none yet (existing rows; nightly catches stragglers)."""
    from services.catalog.service import bump_version
    from services.matches import occupations

    with session_scope() as session:
        done = occupations.backfill(session, batch=batch)
        if done:
            bump_version(session)
    return {"positions": done}
