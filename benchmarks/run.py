"""The runner of ``sunshine bench`` / ``make bench``: the matching, import, report, console page and API
benchmarks, and the instructions each API route costs, each in its own process (``make bench PARTS=api`` runs
one).

Each part prints its figures beside the baseline it measured in the same run on the same data, so the
ratios mean something on whatever machine runs them. Running each part in a fresh process keeps the peak
memory figures of one part from counting another's.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _matching(quick: bool, pg_dsn: str | None) -> dict[str, Any]:
    from benchmarks.bench_matching import run_bench
    from services.refdata.service import default_data_dir

    return run_bench(data_dir=default_data_dir(), pg_dsn=pg_dsn, quick=quick)


def _matching1m(quick: bool, _pg_dsn: str | None) -> dict[str, Any]:
    from benchmarks.bench_matching import run_million_bench
    from services.refdata.service import default_data_dir

    return run_million_bench(data_dir=default_data_dir(), quick=quick)


def _import(quick: bool, _pg_dsn: str | None) -> dict[str, Any]:
    from benchmarks.bench_import import run_import_bench

    return run_import_bench(rows=2_000 if quick else 50_000)


def _reports(quick: bool, pg_dsn: str | None) -> dict[str, Any]:
    from benchmarks.bench_reports import run_report_bench

    return run_report_bench(graduates=2_000 if quick else 100_000, database_url=pg_dsn)


def _pages(quick: bool, _pg_dsn: str | None) -> dict[str, Any]:
    from benchmarks.bench_pages import run_page_bench

    return run_page_bench(size=0.05 if quick else 0.1, repeats=5 if quick else 20)


def _api(quick: bool, pg_url: str | None) -> dict[str, Any]:
    from benchmarks.bench_api import run_api_bench

    return run_api_bench(pg_url, quick=quick)


def _instructions(_quick: bool, pg_url: str | None) -> dict[str, Any]:
    from benchmarks.bench_instructions import run_instruction_bench

    return run_instruction_bench(pg_url)


PARTS: dict[str, Callable[[bool, str | None], dict[str, Any]]] = {
    "matching": _matching,
    "matching1m": _matching1m,
    "import": _import,
    "reports": _reports,
    "pages": _pages,
    "api": _api,
    "instructions": _instructions,
}


def default_pg_url() -> str | None:
    """The PostgreSQL URL for the baselines and the report bench: the test server, else the configured one."""
    url = os.environ.get("SUNSHINE_BENCH_POSTGRES_URL") or os.environ.get("SUNSHINE_TEST_POSTGRES_URL")
    if not url:
        configured = os.environ.get("SUNSHINE_DATABASE_URL", "")
        url = configured if configured.startswith("postgresql") else None
    return url


def libpq_dsn(url: str | None) -> str | None:
    return url.replace("postgresql+psycopg://", "postgresql://") if url else None


def run(parts: list[str], *, quick: bool = False, pg_url: str | None = None) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    out: dict[str, Any] = {}
    for name in parts:
        fn = PARTS[name]
        dsn = libpq_dsn(pg_url) if name == "matching" else pg_url
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            out[name] = pool.submit(fn, quick, dsn).result()
    return out
