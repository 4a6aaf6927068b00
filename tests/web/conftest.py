"""Browser fixtures: the app served on a free port in this process's world, and Debian's chromium driven by
Playwright (``SUNSHINE_BROWSER``, default /usr/bin/chromium). Under CI a missing browser fails the run."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.conftest import missing_service

BROWSER = os.environ.get("SUNSHINE_BROWSER", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SUNSHINE_SCREENSHOTS", "var/screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(BROWSER).exists():
        missing_service(f"chromium ({BROWSER})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=BROWSER, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class _OneAtATime:
    """The app answering one HTTP request at a time: the `db` fixture gives every request the same connection,
    whose savepoints would interleave (and one request release another's) if a page's requests overlapped."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock: asyncio.Lock | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.lock = self.lock or asyncio.Lock()
        async with self.lock:
            await self.app(scope, receive, send)


class LiveServer:
    def __init__(self, app: object) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(_OneAtATime(app), host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def screenshot(page: object, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under the screenshots folder (``SUNSHINE_SCREENSHOTS``) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, timeout=90_000)  # type: ignore[attr-defined]
    return path
