"""The load client of the API benchmark: what it counts as an answer and as an error."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field

import pytest

from benchmarks.bench_api import _open_loop, _Pool, floor_capacity, machine_parallel_seconds, machine_seconds, table
from tests.own_loop import run_in_own_loop as _run

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@dataclass
class Served:
    connections: int = 0
    paths: list[str] = field(default_factory=list)


async def _server(answers_per_connection: int, *, answer: bool = True) -> tuple[asyncio.Server, int, Served]:
    """A server that answers `answers_per_connection` requests on a connection, then closes it without a word
    (as a server does with a kept-alive connection that sat idle past its timeout)."""
    served = Served()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.connections += 1
        for _ in range(answers_per_connection):
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.startswith(b"GET "):
                    served.paths.append(line.split()[1].decode())
            if not line or not answer:
                break
            writer.write(OK)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], served


def test_a_kept_alive_connection_the_server_closed_is_sent_again_on_a_new_one() -> None:
    async def scenario() -> tuple[list[int], int]:
        server, port, served = await _server(1)
        async with server:
            pool = _Pool(port, {})
            statuses = [await pool.get("/a"), await pool.get("/b"), await pool.get("/c")]
            pool.close()
        return statuses, served.connections

    statuses, connections = _run(scenario)
    assert statuses == [200, 200, 200]
    assert connections == 3


def test_a_new_connection_closed_before_any_answer_is_an_error() -> None:
    async def scenario() -> int:
        server, port, _ = await _server(1, answer=False)
        async with server:
            return await _Pool(port, {}).get("/a")

    with pytest.raises(ConnectionResetError):
        _run(scenario)


def test_the_open_loop_counts_answers_and_errors_apart() -> None:
    async def scenario() -> tuple[int, int, int]:
        server, port, _ = await _server(1, answer=False)
        async with server:
            phase = await _open_loop(_Pool(port, {}), lambda i: f"/{i}", "x", rate=50, seconds=0.2)
        return phase.sent, phase.ok, phase.errors

    sent, ok, errors = _run(scenario)
    assert sent == 10
    assert ok == 0
    assert errors == 10


def test_the_client_collects_no_garbage_while_a_phase_runs_and_does_again_after() -> None:
    collecting: list[bool] = []

    def path(i: int) -> str:
        collecting.append(gc.isenabled())
        return f"/{i}"

    async def scenario() -> None:
        server, port, _ = await _server(1, answer=False)
        async with server:
            await _open_loop(_Pool(port, {}), path, "x", rate=50, seconds=0.2)

    _run(scenario)
    assert collecting == [False] * 10  # a collection would stall the client and count as server latency
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_ceiling_is_the_liveness_route_under_the_same_closed_loop() -> None:
    async def scenario() -> tuple[float, set[str]]:
        server, port, served = await _server(10**6)
        async with server:
            return await floor_capacity(port), set(served.paths)

    capacity, paths = _run(scenario)
    assert capacity > 50
    assert paths == {"/health/live"}


def test_the_table_names_the_ceiling_and_how_fast_the_machine_was() -> None:
    phase = {"route": "matches", "rate": 50, "sent": 400, "ok": 400, "shed": 0, "errors": 0, "achieved": 50.0}
    phase |= {"p50_ms": 12.1, "p95_ms": 15.3, "p99_ms": 16.7}
    result = {"phases": [phase], "overload": [], "floor_capacity": 812.5, "machine_seconds": [0.31, 0.33]}
    result["machine_parallel_seconds"] = [0.52, 0.55]
    text = table(result)
    assert "| matches 50/s | 12.1 / 15.3 / 16.7 ms | 400 / 0 / 0 | 50/s |" in text
    assert "capacity 812.5/s" in text
    assert "0.31 s before the load and 0.33 s after" in text
    assert "Two such loops at once took 0.52 s (before) and 0.55 s (after) each" in text
    assert "ceiling" not in table({"phases": [phase], "overload": []})
    assert 0 < machine_seconds(100_000) < 5
    assert 0 < machine_parallel_seconds(100_000) < 5
