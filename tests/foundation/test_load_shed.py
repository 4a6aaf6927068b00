"""Load shedding in front of every route: a request that would only queue behind the others is answered 503 at
once — past the fixed limit, or when the process already has more in flight than it answers, working, in the
sojourn bound — while a quiet process with a few slow requests is never refused, nor a half-idle one taken for
a slow one."""

from __future__ import annotations

import asyncio

from starlette.types import Message, Receive, Scope, Send

from services.middleware import LoadShedMiddleware
from tests.own_loop import run_in_own_loop as _run


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Gate:
    """An app whose requests stay in flight until released; each takes `service` seconds of the clock."""

    def __init__(self, clock: Clock | None = None, service: float = 0.0) -> None:
        self.release = asyncio.Event()
        self.clock = clock
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.release.wait()
        if self.clock is not None:
            self.clock.now += self.service
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _request(shed: LoadShedMiddleware, path: str = "/api/v1/positions") -> int:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await shed({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


async def _answered(shed: LoadShedMiddleware, gate: Gate, clock: Clock, count: int, every: float) -> None:
    """``count`` requests answered one after another, each taking the gate's service time, ``every`` seconds of
    idle between them; the gate stays shut afterwards."""
    gate.release.set()
    for _ in range(count):
        assert await _request(shed) == 200
        clock.now += every
    gate.release.clear()
    gate.service = 0.0


async def _in_flight(shed: LoadShedMiddleware, count: int) -> list[asyncio.Task[int]]:
    tasks = [asyncio.create_task(_request(shed)) for _ in range(count)]
    await asyncio.sleep(0)
    return tasks


def test_a_quiet_process_admits_slow_requests_up_to_the_floor() -> None:
    async def run() -> None:
        gate, clock = Gate(), Clock()
        shed = LoadShedMiddleware(gate, limit=24, sojourn=0.05, floor=4, clock=clock)
        held = await _in_flight(shed, 3)  # nothing answered yet: three slow requests are still let in
        assert shed.in_flight == 3 and not shed.full()
        held += await _in_flight(shed, 1)
        # four in flight and none answered in the last second: a fifth would wait for as long as they take
        assert await _request(shed) == 503
        gate.release.set()
        assert [await t for t in held] == [200, 200, 200, 200]

    _run(run)


def test_past_what_the_process_answers_in_the_sojourn_a_request_is_refused() -> None:
    async def run() -> None:
        clock = Clock()
        gate = Gate(clock, service=0.01)
        shed = LoadShedMiddleware(gate, limit=24, sojourn=0.05, floor=4, clock=clock)
        await _answered(shed, gate, clock, 100, 0.0)  # busy the whole last second: 100 answered, 10 ms each
        held = await _in_flight(shed, 5)  # 5 in flight at 100/s: 50 ms to get through them
        assert shed.in_flight == 5 and not shed.full()
        held += await _in_flight(shed, 1)
        assert shed.full()  # 6 / 100 per second = 60 ms
        assert await _request(shed) == 503
        probe = asyncio.create_task(_request(shed, "/health/ready"))  # probes pass, and are not counted
        await asyncio.sleep(0)
        assert shed.in_flight == 6 and not probe.done()
        clock.now += 5.0  # a quiet second: what it answered long ago says nothing of now
        gate.release.set()
        assert [await t for t in held] == [200] * 6 and await probe == 200
        assert await _request(shed) == 200, "once the burst is over the next request is served at once"

    _run(run)


def test_a_half_idle_process_is_judged_by_what_it_answers_while_busy() -> None:
    async def run() -> None:
        clock = Clock()
        gate = Gate(clock, service=0.005)
        shed = LoadShedMiddleware(gate, limit=24, sojourn=0.05, floor=4, clock=clock)
        # 50 answered in the last second, 5 ms each: busy a quarter of the time, 200 an answer-second while busy
        await _answered(shed, gate, clock, 50, 0.015)
        held = await _in_flight(shed, 10)  # a burst of 10: 50 ms at 200/s, although only 50 came in that second
        assert shed.in_flight == 10 and not shed.full()
        held += await _in_flight(shed, 1)
        assert shed.full()  # 11 / 200 per second = 55 ms
        gate.release.set()
        assert [await t for t in held] == [200] * 11

    _run(run)


def test_the_fixed_limit_holds_whatever_the_rate() -> None:
    async def run() -> None:
        gate, clock = Gate(), Clock()
        shed = LoadShedMiddleware(gate, limit=3, sojourn=60.0, floor=1, clock=clock)
        await _answered(shed, gate, clock, 50, 0.001)
        held = await _in_flight(shed, 3)
        assert await _request(shed) == 503
        gate.release.set()
        assert [await t for t in held] == [200] * 3

    _run(run)


def test_a_quiet_process_remembers_one_window_of_answers() -> None:
    async def run() -> None:
        gate, clock = Gate(), Clock()
        shed = LoadShedMiddleware(gate, limit=24, sojourn=0.05, floor=4, clock=clock)
        gate.clock, gate.service = clock, 0.002
        await _answered(shed, gate, clock, 1000, 0.008)  # ten seconds, never more than one in flight
        assert len(shed._answered) <= 101
        assert len(shed._busy) <= 101

    _run(run)
