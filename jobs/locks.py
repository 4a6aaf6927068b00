"""A run lock per job, held by the one worker running it and released when that worker is gone.

On PostgreSQL a session-level advisory lock on a connection of its own: a worker killed with kill -9 loses its
connection and with it the lock, so the redelivered task can take over. On SQLite (one machine) an exclusive
``flock`` on a file in the data directory, which the kernel releases when the process dies.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from services.config import get_settings
from services.db import get_engine


def _space(kind: str) -> int:
    return zlib.crc32(kind.encode()) & 0x7FFFFFFF


@contextmanager
def run_lock(kind: str, job_id: int) -> Iterator[bool]:
    """Yield True when this process now holds the lock of job ``kind``/``job_id``, False when another does."""
    settings = get_settings()
    if settings.is_sqlite:
        folder = settings.data_dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f"{kind}-{job_id}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return
    with get_engine().connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k, :j)"), {"k": _space(kind), "j": job_id}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k, :j)"), {"k": _space(kind), "j": job_id})
                conn.commit()
