"""Login throttling: failures per account and per address in a sliding window (Redis when configured).

An account's own failures lock that account for the window. An address's failures never lock an account: past
``login_address_failures`` the address is slowed to one attempt per ``login_address_delay_seconds`` (others get
429 with ``Retry-After``), so a spray from one address crawls while the people behind it can still sign in.
Keys hold a keyed hash of the username, never the typed name; the client address is taken from
X-Forwarded-For only when the connection comes from a configured trusted proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import defaultdict
from functools import lru_cache
from ipaddress import ip_address
from typing import Protocol

import redis

from services.config import get_settings


class Counter(Protocol):
    def hit(self, key: str, window: int) -> int: ...
    def count(self, key: str) -> int: ...
    def clear(self, key: str) -> None: ...
    def claim(self, key: str, seconds: int) -> bool: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._hits: dict[str, list[float]] = defaultdict(list)
        self._windows: dict[str, int] = {}
        self._claims: dict[str, float] = {}
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

    def claim(self, key: str, seconds: int) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._claims.get(key, 0.0) > now:
                return False
            self._claims[key] = now + seconds
            return True


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

    def claim(self, key: str, seconds: int) -> bool:
        return bool(self._client.set(key, b"1", nx=True, ex=seconds))


@lru_cache(maxsize=1)
def get_counter() -> Counter:
    url = get_settings().redis_url
    if url:
        return RedisCounter(redis.Redis.from_url(url, socket_timeout=2))
    return MemoryCounter()


def account_digest(username: str) -> str:
    """A keyed hash of the username as typed (case-folded): the same name gives the same key, and the key
    does not tell what was typed."""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, b"login-throttle\x00" + username.strip().lower().encode(), hashlib.sha256).hexdigest()


def keys_for(username: str, address: str) -> tuple[str, str]:
    return f"sunshine:login:user:{account_digest(username)}", f"sunshine:login:addr:{address}"


def slow_key(address: str) -> str:
    return f"sunshine:login:slow:{address}"


def _trusted(host: str) -> bool:
    try:
        addr = ip_address(host)
    except ValueError:
        return False
    return any(addr in net for net in get_settings().trusted_networks)


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The client's address: the connection's peer, unless the peer is a trusted proxy, in which case the
    right-most address in X-Forwarded-For that is not itself a trusted proxy."""
    host = peer or "unknown"
    if not forwarded_for or not _trusted(host):
        return host
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            return host  # a malformed chain: believe only the connection
        if not _trusted(hop):
            return hop
    return hops[0] if hops else host
