"""A tiny SMTP server for tests: accepts every message and keeps (recipients, raw message) in memory."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    messages: list[tuple[list[str], str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, rcpts: list[str], data: str) -> None:
        with self.lock:
            self.messages.append((rcpts, data))

    def snapshot(self) -> list[tuple[list[str], str]]:
        with self.lock:
            return list(self.messages)


class _Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        self._say("220 stub ESMTP")
        rcpts: list[str] = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            cmd = raw.decode("utf-8", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self._say("250 stub")
            elif verb == "MAIL":
                rcpts = []
                self._say("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                lines: list[str] = []
                while True:
                    line = self.rfile.readline().decode("utf-8", "replace")
                    if line in {".\r\n", ".\n", ""}:
                        break
                    lines.append(line)
                self.mailbox.add(rcpts, "".join(lines))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def smtp_server() -> Iterator[tuple[str, int, Mailbox]]:
    """Serve on a free local port for the duration of the block."""
    mailbox = Mailbox()
    handler = type("Handler", (_Handler,), {"mailbox": mailbox})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield str(host), int(port), mailbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
