"""Docs are code: every shell block of README.md runs, in order, in one bash (``set -euo pipefail``) against a
fresh demo — ``sunshine demo`` on SQLite with eager Celery, in a temporary directory, on a free port — and the
tour runs twice, so it works as written and can be repeated. A block that cannot run in a test carries a
``<!-- readme-test: not run — why -->`` comment on the line before it, and :data:`NOT_RUN` names each of them:
marking another block, or dropping a mark, fails here."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SHELLS = {"bash", "sh", "shell", "console"}
MARK = re.compile(r"^<!--\s*readme-test:\s*not run\s*[—-]\s*(?P<why>.+?)\s*-->$")
#: The blocks that are not run, by their first line, each with the reason given in the README.
NOT_RUN = {
    "make demo   # creates .venv, migrates ./var/sunshine.db, loads catalogs and a generated 亳州市 world,",
    "export SUNSHINE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sunshine",
}
DEMO_SIZE = "0.05"  # the smallest world in which every role's login is linked to records
STARTUP_SECONDS = 420
TOUR_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Block:
    line: int  # the fence's line number in README.md
    info: str
    text: str
    not_run: str | None  # the reason given, for a marked block

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0] if self.text else ""

    @property
    def commands(self) -> str:
        """What bash runs: the block as it is; of a ``console`` block, the lines after its ``$ `` prompts."""
        if self.info != "console":
            return self.text
        return "\n".join(line[2:] for line in self.text.splitlines() if line.startswith("$ "))


def shell_blocks(markdown: str) -> list[Block]:
    """The fenced blocks whose info string names a shell, with the mark on the line before each, if any."""
    lines = markdown.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^(`{3,}|~{3,})\s*(\S*)", lines[i])
        if not fence:
            i += 1
            continue
        start, marker, info = i, fence.group(1), fence.group(2).lower()
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith(marker):
            body.append(lines[i])
            i += 1
        i += 1
        if info not in SHELLS:
            continue
        before = lines[start - 1].strip() if start > 0 else ""
        mark = MARK.match(before)
        out.append(Block(start + 1, info, "\n".join(body), mark.group("why") if mark else None))
    return out


def test_the_readme_marks_exactly_the_blocks_the_test_does_not_run() -> None:
    blocks = shell_blocks(README.read_text("utf-8"))
    marked = {b.first_line: b.not_run for b in blocks if b.not_run is not None}
    assert set(marked) == NOT_RUN
    assert all(len(why) >= 10 for why in marked.values() if why), marked
    assert len([b for b in blocks if b.not_run is None]) >= 5  # the tour itself


def test_a_mark_must_be_on_the_line_just_before_its_block() -> None:
    text = "para\n<!-- readme-test: not run — needs a production database -->\n```bash\nmake x\n```\n\n```sh\nls\n```\n"
    blocks = shell_blocks(text)
    assert [(b.first_line, b.not_run) for b in blocks] == [("make x", "needs a production database"), ("ls", None)]
    assert shell_blocks("```python\nprint(1)\n```\n") == []
    (console,) = shell_blocks("```console\n$ echo hi\nhi\n$ ls\n```\n")
    assert console.commands == "echo hi\nls"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status) == 200
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class Demo:
    url: str
    workdir: Path
    env: dict[str, str]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_")}
    env.update(
        SUNSHINE_ENVIRONMENT="development",
        SUNSHINE_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # python3 is this interpreter
        COLUMNS="200",
        LC_ALL="C.UTF-8",
    )
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    for tool in ("bash", "curl"):
        if shutil.which(tool) is None:
            missing_service(tool)
    home = tmp_path_factory.mktemp("readme-demo")
    workdir = home / "tour"
    workdir.mkdir()
    env = _environment(home / "var")
    port = _free_port()
    log = (home / "demo.log").open("wb")
    command = [sys.executable, "-m", "services.cli", "demo", "--size", DEMO_SIZE, "--port", str(port)]
    proc = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(f"{url}/login"):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                output = (home / "demo.log").read_text("utf-8", errors="replace")[-4000:]
                pytest.fail(f"`sunshine demo` did not start serving (exit {proc.poll()}):\n{output}")
            time.sleep(1)
        yield Demo(url=url, workdir=workdir, env=env)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def _script(blocks: list[Block], rounds: int) -> str:
    parts = ["set -euo pipefail"]
    for round_no in range(1, rounds + 1):
        for block in blocks:
            parts.append(f"echo '>>> round {round_no}, README.md line {block.line}' >&2")
            parts.append(block.commands)
        parts.append(f"echo '>>> round {round_no} done' >&2")
    return "\n".join(parts) + "\n"


def test_every_shell_block_of_the_readme_runs_against_a_fresh_demo_twice(demo: Demo) -> None:
    blocks = [b for b in shell_blocks(README.read_text("utf-8")) if b.not_run is None]
    env = {**demo.env, "API": demo.url}
    done = subprocess.run(
        ["bash", "-c", _script(blocks, rounds=2)],
        cwd=demo.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TOUR_SECONDS,
        check=False,
    )
    steps = re.findall(r"^>>> (.*)$", done.stderr, flags=re.MULTILINE)
    where = steps[-1] if steps else "before the first block"
    assert done.returncode == 0, (
        f"the README tour failed at {where} (exit {done.returncode}):\n"
        f"--- stdout (end) ---\n{done.stdout[-3000:]}\n--- stderr (end) ---\n{done.stderr[-3000:]}"
    )
    assert steps[-1] == "round 2 done" and len(steps) == 2 * (len(blocks) + 1)
    assert "Traceback" not in done.stderr
    # what the tour says a reader sees
    assert "学历不符：要求博士及以上" in done.stdout
    assert "身份证号校验位错误，请核对" in done.stdout
    assert "面试洽谈中" in done.stdout
    for name in ("template.xlsx", "errors.xlsx", "annex9.xlsx"):
        assert (demo.workdir / name).read_bytes()[:2] == b"PK", name  # an xlsx, not an error page
