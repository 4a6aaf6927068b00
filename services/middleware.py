"""ASGI middleware in front of every route: load shedding, the body-size cap and the text guard."""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.errors import FieldError, PayloadTooLarge, ServiceBusy, ValidationFailed, problem_response


class LoadShedMiddleware:
    """At most ``limit`` requests worked on at once in this process, and no more than it finishes in
    ``sojourn`` seconds; the next one is answered 503 at once.

    The second bound is Little's law: with ``n`` requests in flight and the process answering ``rate`` per second
    while it works, a newcomer waits about ``n / rate``. The rate is what it answered over the last second divided
    by the time in that second it had at least one request in flight — what it gets through when busy, not how
    many happened to arrive, so a half-idle process is not taken for a slow one. Past ``sojourn`` (and with at
    least ``floor`` in flight, so a quiet process with a few slow requests is never refused) a request is turned
    away instead of queued behind the others — whatever a request costs, the admitted ones stay fast. Nothing
    queues, so a burst never leaves work behind it: when the load stops, the next request is served normally.
    Health and metrics stay outside the count so probes still see the process.
    """

    EXEMPT = ("/health/", "/metrics")
    WINDOW = 1.0

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        *,
        sojourn: float = 0.05,
        floor: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limit = limit
        self.sojourn = sojourn
        self.floor = floor
        self.clock = clock
        self.in_flight = 0
        self._answered: deque[float] = deque()
        self._busy_since: float | None = None  # when the current stretch with something in flight began
        self._busy: deque[tuple[float, float]] = deque()  # the stretches that ended, (start, end)

    def full(self) -> bool:
        """Whether a request arriving now is refused."""
        if self.in_flight >= self.limit:
            return True
        if self.in_flight < self.floor:
            return False
        now = self.clock()
        answered = self._recent(now)
        if answered == 0:
            return True  # nothing finished in the window: the ones in flight are slower than the bound
        busy = self._busy_time(now)
        return busy > 0 and self.in_flight * busy / answered > self.sojourn

    def _recent(self, now: float) -> int:
        """Requests answered within the last `WINDOW` (older ones are forgotten)."""
        horizon = now - self.WINDOW
        while self._answered and self._answered[0] < horizon:
            self._answered.popleft()
        while self._busy and self._busy[0][1] < horizon:
            self._busy.popleft()
        return len(self._answered)

    def _busy_time(self, now: float) -> float:
        """Seconds of the last `WINDOW` with at least one request in flight."""
        horizon = now - self.WINDOW
        total = sum(end - max(start, horizon) for start, end in self._busy)
        if self._busy_since is not None:
            total += now - max(self._busy_since, horizon)
        return total

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.EXEMPT):
            await self.app(scope, receive, send)
            return
        if self.full():
            await problem_response(BUSY.problem(), {"Retry-After": "1"})(scope, receive, send)
            return
        if self.in_flight == 0:
            self._busy_since = self.clock()
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            now = self.clock()
            self._answered.append(now)
            if self.in_flight == 0 and self._busy_since is not None:
                self._busy.append((self._busy_since, now))
                self._busy_since = None
            self._recent(now)  # the queues hold one window, however long the process stays below the floor


BUSY = ServiceBusy("当前访问人数较多，请稍后重试")


class BodyLimitMiddleware:
    """Refuse bodies larger than the limit before reading them (Content-Length) or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_large = PayloadTooLarge(f"上传内容不得超过 {self.limit // (1024 * 1024)} MB")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await problem_response(too_large.problem())(scope, receive, send)
            return
        seen = 0
        exceeded = False

        async def limited() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise too_large
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except PayloadTooLarge:
            exceeded = True
        if exceeded:
            await problem_response(too_large.problem())(scope, receive, send)


# In a JSON body: a lone UTF-16 surrogate escape (a high one not followed by a low one, or a low one without a
# high one before it), and the control characters other than tab, line feed and carriage return.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_CONTROL = re.compile(rb"\\u00[01][0-9a-fA-F]|\\u007[fF]")
_BAD_TEXT_REASON = "包含无法识别的字符（孤立的代理字符或控制字符），请删除后重新输入"


def _bad_char(ch: str) -> bool:
    code = ord(ch)
    return 0xD800 <= code <= 0xDFFF or (code < 0x20 and ch not in "\t\n\r") or code == 0x7F


def bad_text_fields(value: Any, path: str = "") -> list[str]:
    """The dotted paths of the strings in ``value`` that hold a lone surrogate or a control character."""
    if isinstance(value, str):
        return [path or "body"] if any(_bad_char(ch) for ch in value) else []
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in bad_text_fields(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in bad_text_fields(v, f"{path}.{i}" if path else str(i))]
    return []


class TextGuardMiddleware:
    """Refuse JSON bodies whose strings hold a lone surrogate or a control character, naming each field.

    Such a string can be neither stored in PostgreSQL nor written back in an answer, so it is refused with 422
    before any route sees it; every other body reaches the route unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if scope["type"] != "http" or not headers.get(b"content-type", b"").startswith(b"application/json"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away before the body was complete
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if _LONE_SURROGATE.search(body) or _CONTROL.search(body):
            try:
                fields = bad_text_fields(json.loads(body))
            except ValueError:
                fields = []
            if fields:
                problem = ValidationFailed(_BAD_TEXT_REASON, field=fields[0]).problem()
                problem.errors = [FieldError(field=f, reason=_BAD_TEXT_REASON, code="bad_text") for f in fields]
                await problem_response(problem)(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
