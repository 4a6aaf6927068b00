"""The API under load: ``sunshine bench --parts api``.

A fresh database on the PostgreSQL server (``SUNSHINE_BENCH_POSTGRES_URL``, the local ``test`` server by default)
gets the demo world (then ``ANALYZE``, ``VACUUM`` and a ``CHECKPOINT``); the service is started on it with 2
uvicorn workers on the loopback interface; an open-loop client — a fixed rate, each request sent at its time
whether or not the earlier ones were answered, latency counted from that time — drives three routes:

- matches: ``GET /api/v1/graduates/{id}/matches`` over the world's graduates (city login),
- positions: ``GET /api/v1/positions`` over the first pages (city login),
- workbench: ``GET /api/v1/tracking/workbench`` over the first caseload pages (county counselor login),

at 50, 100 and 200 requests/s, then finds each route's capacity (closed loop, as fast as 16 clients go) and sends
twice that for a while: the answers should be fast refusals (503 with Retry-After), and once it stops, the time
until a request is served normally again is the recovery time. Each phase is bounded in requests and seconds.

Targets: matches and positions p95 ≤ 30 ms at 200 requests/s with no errors; workbench p95 ≤ 150 ms at 50/s; at
twice the capacity p99 ≤ 100 ms; recovery ≤ 5 s.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import sessionmaker

RATES = (50, 100, 200)
SECONDS = 8.0  # each fixed-rate phase
OVERLOAD_SECONDS = 6.0
TIMEOUT = 5.0  # a request not answered by then is an error
TARGETS = {"matches": (200, 30.0), "positions": (200, 30.0), "workbench": (50, 150.0)}
OVERLOAD_P99_MS = 100.0
RECOVERY_S = 5.0


@dataclass
class Phase:
    route: str
    rate: float  # requests/s asked for
    sent: int
    ok: int  # 200
    shed: int  # 503 (load shed or no connection in time)
    errors: int  # any other status, a timeout or a broken connection
    achieved: float  # 200 answers per second
    p50_ms: float
    p95_ms: float
    p99_ms: float


# ---- a small keep-alive HTTP/1.1 client (cheap enough to leave the CPU to the server) ---------------------


class _Unanswered(ConnectionResetError):
    """The connection closed before the status line of the answer."""


# what a request that got no answer raises: a timeout, a broken or closed connection, a garbled status line
_FAILED = (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError)


class _Pool:
    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> int:
        while self.idle:
            try:
                return await self._send(self.idle.pop(), path)
            except _Unanswered:
                # a kept-alive connection the server closed while it was idle: send again on another one, as
                # browsers and HTTP libraries do for a request nothing was answered to
                continue
        return await self._send(await asyncio.open_connection("127.0.0.1", self.port), path)

    async def _send(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str) -> int:
        reader, writer = conn
        try:
            try:
                writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + self.head + b"\r\n")
                line = await reader.readline()
            except ConnectionError as exc:
                raise _Unanswered from exc
            if not line:
                raise _Unanswered
            status = int(line.split()[1])
            length, chunked, close = 0, False, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding" and "chunked" in value:
                    chunked = True
                elif name == "connection" and value == "close":
                    close = True
            if chunked:
                while size := int((await reader.readline()).strip() or b"0", 16):
                    await reader.readexactly(size + 2)
                await reader.readline()
            else:
                await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@contextmanager
def _client_never_stalls() -> Iterator[None]:
    """The client's own garbage collector off while a phase runs (and everything it holds frozen first): a full
    collection of the heap the world was built in stops the client for 0.1–0.2 s, and every request due in that
    time would count the client's pause as the server's latency, then arrive at once."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def _open_loop(pool: _Pool, paths: Callable[[int], str], route: str, rate: float, seconds: float) -> Phase:
    """Send ``rate × seconds`` requests at fixed times; each latency runs from the time it was due."""
    with _client_never_stalls():
        return await _send_at_rate(pool, paths, route, rate, seconds)


async def _send_at_rate(pool: _Pool, paths: Callable[[int], str], route: str, rate: float, seconds: float) -> Phase:
    loop = asyncio.get_running_loop()
    count = max(1, int(rate * seconds))
    start = loop.time() + 0.05
    answers: list[tuple[int, float, float]] = []  # status (0 = error), latency, finished

    async def one(i: int, due: float) -> None:
        try:
            status = await asyncio.wait_for(pool.get(paths(i)), TIMEOUT)
        except _FAILED:
            status = 0
        now = loop.time()
        answers.append((status, now - due, now))

    tasks = []
    for i in range(count):
        due = start + i / rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(i, due)))
    await asyncio.gather(*tasks)
    ok = [lat for status, lat, _ in answers if status == 200]
    shed = sum(status == 503 for status, _, _ in answers)
    done = [lat for status, lat, _ in answers if status in (200, 503)]
    span = max(end for _, _, end in answers) - start
    return Phase(
        route=route,
        rate=rate,
        sent=count,
        ok=len(ok),
        shed=shed,
        errors=count - len(ok) - shed,
        achieved=round(len(ok) / span, 1) if span > 0 else 0.0,
        p50_ms=round(_percentile(done, 0.50) * 1000, 1),
        p95_ms=round(_percentile(done, 0.95) * 1000, 1),
        p99_ms=round(_percentile(done, 0.99) * 1000, 1),
    )


async def _capacity(pool: _Pool, paths: Callable[[int], str], seconds: float = 4.0, clients: int = 16) -> float:
    """Answers per second when 16 clients send as fast as they are answered."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    served = 0
    counter = iter(range(10**9))

    async def client() -> None:
        nonlocal served
        while loop.time() < end:
            try:
                if await asyncio.wait_for(pool.get(paths(next(counter))), TIMEOUT) == 200:
                    served += 1
            except _FAILED:
                pass

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(clients)))
    return served / (loop.time() - started)


async def _recovery(pool: _Pool, paths: Callable[[int], str], limit: float = 30.0) -> float:
    """Seconds from now until a request is answered 200, asking every 20 ms."""
    loop = asyncio.get_running_loop()
    stopped = loop.time()
    i = 0
    while loop.time() - stopped < limit:
        try:
            if await asyncio.wait_for(pool.get(paths(i)), TIMEOUT) == 200:
                return round(loop.time() - stopped, 3)
        except _FAILED:
            pass
        i += 1
        await asyncio.sleep(0.02)
    return float("inf")


# ---- the world and the service ---------------------------------------------------------------------------


@contextmanager
def _database(server_url: str) -> Iterator[str]:
    """A fresh database on the server of ``server_url``, dropped afterwards."""
    name = f"sunshine_api_bench_{uuid.uuid4().hex[:8]}"
    server = server_url.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_world(url: str, *, size: float) -> dict[str, Any]:
    """Migrate, load what ``sunshine demo`` loads, build the demo world of ``size``, ANALYZE; the ids to ask for
    and a token per login the client uses."""
    from services import config, migrate
    from services import db as dbmod
    from services.catalog import service as catalog
    from services.demo import logins, world
    from services.demo.logins import DEMO_PASSWORD, DEMO_USERS
    from services.orgs import service as orgs
    from services.refdata import service as refdata
    from services.registry.models import Graduate, Stage
    from services.security import tokens
    from services.security.models import User

    os.environ["SUNSHINE_DATABASE_URL"] = url
    config.get_settings.cache_clear()
    dbmod.reset_engine()
    engine = dbmod.get_engine()
    migrate.upgrade(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    started = time.perf_counter()
    with factory.begin() as session:
        if not world.has_world(session):
            orgs.load_tree(session, rows=orgs.read_tree())
            refdata.load_all(session)
            catalog.seed_rule_sets(session)
    with factory.begin() as session:
        summary = world.build_world(session, size=size) if not world.has_world(session) else None
    with factory.begin() as session:
        logins.ensure_logins(session, password=DEMO_PASSWORD, specs=DEMO_USERS)
    dbmod.analyze(engine)
    built = time.perf_counter() - started
    settle(engine)
    with factory() as session:
        graduates = list(
            session.scalars(
                select(Graduate.id).where(Graduate.stage == Stage.GRADUATE.value).order_by(Graduate.id).limit(500)
            )
        )
        users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(["city", "counselor"])))}
        headers = {
            name: {"Authorization": f"Bearer {tokens.issue(user_id=u.id, role=u.role, version=u.token_version)}"}
            for name, u in users.items()
        }
    dbmod.reset_engine()
    return {
        "graduates": graduates,
        "headers": headers,
        "build_seconds": round(built, 1),
        "world": asdict(summary) if summary is not None else None,
    }


def settle(engine: Engine) -> None:
    """Vacuum the new rows (their statistics are in already) and write them out before the load starts, so that
    neither autovacuum nor a checkpoint of the build shares the cores with the phases that are measured."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("CHECKPOINT")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(url: str, *, workers: int = 2) -> Iterator[int]:
    """The service on ``url`` with ``workers`` uvicorn workers on a free loopback port (access log off)."""
    port = _free_port()
    env = {
        **os.environ,
        "SUNSHINE_DATABASE_URL": url,
        "SUNSHINE_DATA_DIR": tempfile.mkdtemp(prefix="sunshine-api-bench-"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "SUNSHINE_LOG_LEVEL": "WARNING",
        "SUNSHINE_WARM_START": "1",
    }
    env.pop("SUNSHINE_REDIS_URL", None)
    cmd = [sys.executable, "-m", "uvicorn", "services.app:create_app", "--factory", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603 - fixed argv
        try:
            _wait_ready(proc, port, errors)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(proc: subprocess.Popen[bytes], port: int, errors: Any) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"the service stopped: {errors.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b" 200 " in s.recv(100):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the service did not get ready in 120 s")


def _routes(data: dict[str, Any]) -> dict[str, tuple[str, Callable[[int], str]]]:
    graduates: list[int] = data["graduates"]
    return {
        "matches": ("city", lambda i: f"/api/v1/graduates/{graduates[i % len(graduates)]}/matches"),
        "positions": ("city", lambda i: f"/api/v1/positions?offset={(i % 10) * 20}"),
        "workbench": ("counselor", lambda i: f"/api/v1/tracking/workbench?offset={(i % 5) * 20}"),
    }


def machine_seconds(steps: int = 5_000_000) -> float:
    """Seconds one core takes for a fixed pure-Python loop: how fast this machine was during the run (it varies
    from day to day and within a day), so that runs can be compared."""
    started = time.perf_counter()
    total = 0
    for i in range(steps):
        total += i
    return round(time.perf_counter() - started, 3)


def machine_parallel_seconds(steps: int = 5_000_000, *, processes: int = 2) -> float:
    """Seconds the slower of ``processes`` copies of :func:`machine_seconds` takes when they run at once: on a
    shared host the second core may give far less than the first (the service, PostgreSQL and the client share
    them), which a single loop does not show."""
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return max(pool.map(machine_seconds, [steps] * processes))


async def floor_capacity(port: int) -> float:
    """Answers per second of the liveness route (no login, no database) under the same closed loop as the routes'
    capacity: what the server and the client cost with no work behind them, the ceiling of any route."""
    pool = _Pool(port, {})
    try:
        with _client_never_stalls():
            return round(await _capacity(pool, lambda _: "/health/live"), 1)
    finally:
        pool.close()


async def drive(port: int, data: dict[str, Any], *, rates: tuple[int, ...], seconds: float) -> dict[str, Any]:
    phases: list[Phase] = []
    overload: list[dict[str, Any]] = []
    floor = await floor_capacity(port)
    await asyncio.sleep(1.0)
    for route, (login, paths) in _routes(data).items():
        pool = _Pool(port, data["headers"][login])
        try:
            # warm both workers (the matcher index, statement caches, connections); not counted
            await _open_loop(pool, paths, route, 25, 2.0)
            for rate in rates:
                phases.append(await _open_loop(pool, paths, route, rate, seconds))
                await asyncio.sleep(1.0)
            with _client_never_stalls():
                capacity = await _capacity(pool, paths)
            await asyncio.sleep(1.0)
            with _client_never_stalls():
                burst = await _send_at_rate(pool, paths, route, round(2 * capacity), OVERLOAD_SECONDS)
                recovery = await _recovery(pool, paths)
            overload.append({"capacity": round(capacity, 1), "phase": asdict(burst), "recovery_s": recovery})
        finally:
            pool.close()
        await asyncio.sleep(1.0)
    return {"phases": [asdict(p) for p in phases], "overload": overload, "floor_capacity": floor}


def verdict(result: dict[str, Any]) -> dict[str, bool]:
    """Each target met or not."""
    out: dict[str, bool] = {}
    for route, (rate, p95) in TARGETS.items():
        phase = next((p for p in result["phases"] if p["route"] == route and p["rate"] == rate), None)
        if phase is not None:
            out[f"{route} p95 ≤ {p95:g} ms at {rate}/s, no errors"] = (
                phase["p95_ms"] <= p95 and phase["errors"] == 0 and phase["shed"] == 0
            )
    for item in result["overload"]:
        route = item["phase"]["route"]
        out[f"{route} at 2× capacity: p99 ≤ {OVERLOAD_P99_MS:g} ms, no errors"] = (
            item["phase"]["p99_ms"] <= OVERLOAD_P99_MS and item["phase"]["errors"] == 0
        )
        out[f"{route} recovery ≤ {RECOVERY_S:g} s"] = item["recovery_s"] <= RECOVERY_S
    return out


def run_api_bench(
    server_url: str | None, *, quick: bool = False, size: float | None = None, database_url: str | None = None
) -> dict[str, Any]:
    """The whole part: world, service, load. ``database_url`` reuses a database that holds a world already
    (kept afterwards); otherwise a fresh one on ``server_url``'s server is built and dropped."""
    if database_url is None and not (server_url or "").startswith("postgresql"):
        raise RuntimeError("the API benchmark needs PostgreSQL: set SUNSHINE_BENCH_POSTGRES_URL")
    world_size = size if size is not None else (0.1 if quick else 1.0)
    rates = (50,) if quick else RATES
    seconds = 3.0 if quick else SECONDS

    def measure(url: str) -> dict[str, Any]:
        data = build_world(url, size=world_size)
        load_before = os.getloadavg()
        speed_before = machine_seconds()
        parallel_before = machine_parallel_seconds()
        with serving(url) as port:
            result = asyncio.run(drive(port, data, rates=rates, seconds=seconds))
        result["machine_seconds"] = [speed_before, machine_seconds()]
        result["machine_parallel_seconds"] = [parallel_before, machine_parallel_seconds()]
        result["world_size"] = world_size
        result["build_seconds"] = data["build_seconds"]
        result["load_average"] = [round(x, 2) for x in load_before]
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        result["targets"] = verdict(result)
        return result

    if database_url is not None:
        return measure(database_url)
    assert server_url is not None
    with _database(server_url) as url:
        return measure(url)


def table(result: dict[str, Any]) -> str:
    """The README's table (markdown) of one run."""
    lines = [
        "| route, rate | p50 / p95 / p99 | 200 / 503 / errors | achieved |",
        "|---|---|---|---|",
    ]
    for p in result["phases"]:
        lines.append(
            f"| {p['route']} {p['rate']:g}/s | {p['p50_ms']:g} / {p['p95_ms']:g} / {p['p99_ms']:g} ms "
            f"| {p['ok']} / {p['shed']} / {p['errors']} | {p['achieved']:g}/s |"
        )
    for item in result["overload"]:
        p = item["phase"]
        lines.append(
            f"| {p['route']} at 2× capacity ({p['rate']:g}/s; capacity {item['capacity']:g}/s) "
            f"| {p['p50_ms']:g} / {p['p95_ms']:g} / {p['p99_ms']:g} ms | {p['ok']} / {p['shed']} / {p['errors']} "
            f"| {p['achieved']:g}/s; recovery {item['recovery_s']:g} s |"
        )
    if "floor_capacity" in result:
        lines.append(f"| liveness route, no work (the ceiling) | | | capacity {result['floor_capacity']:g}/s |")
    if "machine_seconds" in result:
        before, after = result["machine_seconds"]
        lines += ["", f"A 5-million-step Python loop took {before:g} s before the load and {after:g} s after it."]
    if "machine_parallel_seconds" in result:
        before, after = result["machine_parallel_seconds"]
        lines.append(
            f"Two such loops at once took {before:g} s (before) and {after:g} s (after) each: the second core "
            "is worth as much as the first when these equal the single loop's time."
        )
    return "\n".join(lines)
