"""Instructions per request: ``sunshine bench --parts instructions``.

The load benchmark (``--parts api``) measures time, which moves with the machine's speed from run to run. This
part counts what a request costs instead: the world of the API benchmark (size 1.0, in a fresh PostgreSQL
database), the app started in process as a served worker starts (its lifespan with the warm start), 30 requests
of a route to warm it, then ``REQUESTS`` more (other graduates and pages) counted by valgrind's callgrind
(``--instr-atstart=no``, switched on and off around them with ``callgrind_control``; every thread of the process
counted) — the total divided by the requests. The same code on the same world gives the same
count to about 0.1 %, whatever else the machine is doing, so two commits can be compared on a busy machine. The
baseline beside the routes is the liveness route (no login, no database): what the framework alone costs.

Needs valgrind (``valgrind``, ``callgrind_control`` on the PATH). Each route takes about a minute and a half.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REQUESTS = 40
WARM = 30
ROUTES = ("liveness", "matches", "positions", "workbench")
_TOTALS = re.compile(rb"^totals:\s*(\d+)", re.MULTILINE)


def _paths(data: dict[str, Any]) -> dict[str, tuple[str | None, Callable[[int], str]]]:
    graduates: list[int] = data["graduates"]
    return {
        "liveness": (None, lambda _: "/health/live"),
        "matches": ("city", lambda i: f"/api/v1/graduates/{graduates[i % len(graduates)]}/matches"),
        "positions": ("city", lambda i: f"/api/v1/positions?offset={(i % 10) * 20}"),
        "workbench": ("counselor", lambda i: f"/api/v1/tracking/workbench?offset={(i % 5) * 20}"),
    }


def totals(callgrind_file: bytes) -> int:
    """The instructions a callgrind output file counted (its ``totals:`` line)."""
    found = _TOTALS.search(callgrind_file)
    if found is None:
        raise ValueError("no totals line in the callgrind output")
    return int(found.group(1))


def _inner(route: str, requests: int, world_file: str) -> None:
    """Runs under valgrind: the app started as ``sunshine serve`` starts a worker (its lifespan with the warm
    start: the index built, the heap settled), the route warmed, then ``requests`` more of it counted — on other
    graduates and pages than the warm-up's, each answered 200."""
    import time

    import httpx

    from services.app import create_app

    data = json.loads(Path(world_file).read_text(encoding="utf-8"))
    login, path = _paths(data)[route]
    headers = data["headers"][login] if login else {}
    app = create_app()

    def toggle(state: str) -> None:
        # polled, not waited for: valgrind's gdbserver reaches a process through a thread that runs, and without
        # ptrace it cannot reach one whose threads all sit in a system call
        control = subprocess.Popen(["callgrind_control", "-i", state, str(os.getpid())], stdout=subprocess.DEVNULL)  # noqa: S603, S607
        while control.poll() is None:
            time.sleep(0.002)
        if control.returncode != 0:
            raise RuntimeError(f"callgrind_control -i {state} failed")

    async def main() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for i in range(WARM):
                    _check(route, await client.get(path(i), headers=headers))
                toggle("on")
                answers = [await client.get(path(WARM + i), headers=headers) for i in range(requests)]
                toggle("off")
                for answer in answers:
                    _check(route, answer)

    asyncio.run(main())


def _check(route: str, answer: Any) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"{route}: {answer.status_code} {answer.text[:200]}")


def count(url: str, data: dict[str, Any], route: str, *, requests: int = REQUESTS) -> float:
    """Millions of instructions per request of ``route`` on the world ``data`` in the database ``url``."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise RuntimeError("the instruction count needs valgrind (apt install valgrind)")
    with tempfile.TemporaryDirectory(prefix="sunshine-instructions-") as tmp:
        world_file = Path(tmp) / "world.json"
        world_file.write_text(json.dumps({"graduates": data["graduates"], "headers": data["headers"]}))
        out = Path(tmp) / "callgrind.out"
        env = {
            **os.environ,
            "SUNSHINE_DATABASE_URL": url,
            "SUNSHINE_DATA_DIR": str(Path(tmp) / "data"),
            "SUNSHINE_LOG_LEVEL": "WARNING",
            "SUNSHINE_WARM_START": "1",
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        env.pop("SUNSHINE_REDIS_URL", None)
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        cmd += [sys.executable, "-m", "benchmarks.bench_instructions", route, str(requests), str(world_file)]
        done = subprocess.run(cmd, env=env, capture_output=True, check=False)  # noqa: S603 - fixed argv
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"{route}: valgrind failed: {done.stderr.decode(errors='replace')[-1500:]}")
        return round(totals(out.read_bytes()) / requests / 1e6, 3)


def run_instruction_bench(server_url: str | None) -> dict[str, Any]:
    """The world in a fresh database on ``server_url``'s PostgreSQL server, then each route counted."""
    from benchmarks.bench_api import _database, build_world

    if not (server_url or "").startswith("postgresql"):
        raise RuntimeError("the instruction count needs PostgreSQL: set SUNSHINE_BENCH_POSTGRES_URL")
    with _database(server_url or "") as url:
        data = build_world(url, size=1.0)
        per_request = {route: count(url, data, route) for route in ROUTES}
    return {
        "requests": REQUESTS,
        "million_instructions_per_request": per_request,
        "beside_liveness": {
            route: round(value / per_request["liveness"], 1)
            for route, value in per_request.items()
            if route != "liveness"
        },
    }


if __name__ == "__main__":
    _inner(sys.argv[1], int(sys.argv[2]), sys.argv[3])
