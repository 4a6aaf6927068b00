"""Login throttling: failures per username and per address in a sliding window (Redis when configured)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from functools import lru_cache
from typing import Protocol

import redis

from services.config import get_settings


class Counter(Protocol):
    def hit(self, key: str, window: int) -> int: ...
    def count(self, key: str) -> int: ...
    def clear(self, key: str) -> None: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._hits: dict[str, list[float]] = defaultdict(list)
        self._windows: dict[str, int] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str) -> list[float]:
        window = self._windows.get(key, 0)
        now = time.monotonic()
        hits = [t for t in self._hits[key] if now - t < window]
        self._hits[key] = hits
        return hits

    def hit(self, key: str, window: int) -> int:
        with self._lock:
            self._windows[key] = window
            hits = self._prune(key)
            hits.append(time.monotonic())
            return len(hits)

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._prune(key))

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class RedisCounter:
    def __init__(self, client: redis.Redis[bytes]) -> None:
        self._client = client

    def hit(self, key: str, window: int) -> int:
        pipe = self._client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        value, _ = pipe.execute()
        return int(value)

    def count(self, key: str) -> int:
        value = self._client.get(key)
        return int(value) if value else 0

    def clear(self, key: str) -> None:
        self._client.delete(key)


@lru_cache(maxsize=1)
def get_counter() -> Counter:
    url = get_settings().redis_url
    if url:
        return RedisCounter(redis.Redis.from_url(url, socket_timeout=2))
    return MemoryCounter()


def keys_for(username: str, address: str) -> tuple[str, str]:
    return f"sunshine:login:user:{username.lower()}", f"sunshine:login:addr:{address}"
