"""Benchmark of the matcher on synthetic data drawn from the real catalogs.

    python -m benchmarks.bench_matching [--data-dir DIR] [--sizes 10000,100000] [--pg-dsn DSN] [--json] [--quick]

For each size N: N positions and N graduates from `matching.synth`; index build time and memory
(tracemalloc peak while building, and the bytes held by columns and text segments); top-20 latency for one
graduate (median and p99 over the queries, with reasons and without); batch throughput with 1 and 2 worker
processes. Wall-clock and CPU time are both reported: on a shared machine the wall clock also measures the
other tenants (the load average is in the output).

Baselines on the same data: a per-pair Python loop (rules + rapidfuzz `partial_ratio` of graduate text
against position title), timed on a subsample of positions and extrapolated to N; and, with `--pg-dsn`, a
PostgreSQL pg_trgm top-20 query on a temporary table of the titles (GIN index, `%` filter, ordered by
similarity), all inside one transaction that is rolled back (the extension, if it had to be created, goes
with it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from matching.catalogs import Catalogs, load_catalogs
from matching.features import FEATURES
from matching.index import MatchIndex
from matching.records import GraduateRecord, PositionRecord, age_on
from matching.synth import Generator
from matching.text import default_bridge, default_space
from services.refdata.service import default_data_dir

TODAY = date(2024, 6, 1)
GOALS = {"top20_median_ms": 5.0, "top20_p99_ms": 20.0, "batch_100k_seconds": 60.0, "index_mb_100k": 300.0}


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples, dtype=np.float64) * 1000.0
    return {
        "median": round(float(np.median(arr)), 3),
        "p99": round(float(np.percentile(arr, 99)), 3),
        "mean": round(float(arr.mean()), 3),
        "queries": len(samples),
    }


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (batch workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _python_eligible(p: PositionRecord, g: GraduateRecord) -> bool:
    """The hard rules as a naive per-pair loop would write them (majors left out)."""
    if p.status != "open" or not p.employer_verified or (p.deadline is not None and p.deadline < TODAY):
        return False
    if p.headcount is not None and p.filled >= p.headcount:
        return False
    if g.education < p.min_education or (g.wanted_kinds and p.kind not in g.wanted_kinds):
        return False
    return not (p.max_age is not None and (g.birth_date is None or age_on(g.birth_date, TODAY) > p.max_age))


def rapidfuzz_baseline(
    positions: Sequence[PositionRecord], graduates: Sequence[GraduateRecord], *, sample: int, n_total: int
) -> dict[str, Any]:
    """Per-pair Python loop on `sample` positions for a few graduates, extrapolated to `n_total` positions."""
    subset = positions[:sample]
    times = []
    for g in graduates:
        text = f"{g.major_name} {g.skills} {g.wishes}"
        start = time.perf_counter()
        scored = [(fuzz.partial_ratio(text, p.title), p.id) for p in subset if _python_eligible(p, g)]
        scored.sort(reverse=True)
        times.append(time.perf_counter() - start)
    per_graduate = statistics.median(times) * n_total / len(subset)
    return {
        "method": "Python loop over pairs: rules + rapidfuzz.fuzz.partial_ratio(graduate text, title)",
        "positions_timed": len(subset),
        "graduates_timed": len(graduates),
        "extrapolated": True,
        "ms_per_graduate": round(per_graduate * 1000.0, 2),
    }


def pg_trgm_baseline(
    dsn: str, positions: Sequence[PositionRecord], graduates: Sequence[GraduateRecord]
) -> dict[str, Any]:
    """Top-20 titles by pg_trgm similarity on a temporary table with a GIN index."""
    try:
        import psycopg
    except ImportError as exc:
        return {"skipped": f"psycopg not importable: {exc}"}
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.execute("CREATE TEMP TABLE bench_positions (id bigint PRIMARY KEY, title text NOT NULL)")
            start = time.perf_counter()
            with conn.cursor().copy("COPY bench_positions (id, title) FROM STDIN") as copy:
                for p in positions:
                    copy.write_row((p.id, p.title))
            conn.execute("CREATE INDEX ON bench_positions USING gin (title gin_trgm_ops)")
            conn.execute("ANALYZE bench_positions")
            load_s = time.perf_counter() - start
            conn.execute("SET pg_trgm.similarity_threshold = 0.1")
            times = []
            for g in graduates:
                query = f"{g.skills} {g.wishes}".strip() or g.major_name
                t0 = time.perf_counter()
                conn.execute(
                    "SELECT id FROM bench_positions WHERE title %% %s ORDER BY similarity(title, %s) DESC LIMIT 20",
                    (query, query),
                ).fetchall()
                times.append(time.perf_counter() - t0)
            conn.rollback()
        return {
            "method": "PostgreSQL pg_trgm: title % query ORDER BY similarity DESC LIMIT 20 (GIN index); "
            "titles only, no rules, no majors or places",
            "load_and_index_s": round(load_s, 3),
            "top20_ms": _percentiles(times),
        }
    except (psycopg.Error, OSError) as exc:
        return {"skipped": f"{type(exc).__name__}: {exc}"}


def bench_size(
    catalogs: Catalogs,
    n: int,
    *,
    queries: int,
    batch_sample: int,
    baseline_sample: int,
    pg_dsn: str | None,
    seed: int,
    full_batch: bool,
) -> dict[str, Any]:
    gen = Generator(catalogs, seed=seed, today=TODAY)
    t0 = time.perf_counter()
    positions = gen.positions(n)
    graduates = gen.graduates(n)
    generate_s = time.perf_counter() - t0

    tracemalloc.start()
    t0 = time.perf_counter()
    index = MatchIndex(positions, catalogs)
    build_s = time.perf_counter() - t0
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    t0 = time.perf_counter()
    table = index.graduate_table(graduates)
    table_s = time.perf_counter() - t0

    probe = graduates[: queries + 20]
    for g in probe[:20]:
        index.rank_positions(g, 20, today=TODAY)
    with_reasons, with_reasons_cpu = [], []
    for g in probe[20:]:
        start, cpu = time.perf_counter(), time.process_time()
        index.rank_positions(g, 20, today=TODAY)
        with_reasons.append(time.perf_counter() - start)
        with_reasons_cpu.append(time.process_time() - cpu)
    without, without_cpu = [], []
    for g in probe[20:]:
        start, cpu = time.perf_counter(), time.process_time()
        index.rank_positions(g, 20, today=TODAY, explain=False)
        without.append(time.perf_counter() - start)
        without_cpu.append(time.process_time() - cpu)

    batch: dict[str, Any] = {}
    sample_rows = list(range(min(batch_sample, n)))
    sample = index.graduate_table([graduates[i] for i in sample_rows])
    for workers in (1, 2):
        start, cpu = time.perf_counter(), _cpu_seconds()
        index.rank_batch(sample, 20, today=TODAY, workers=workers)
        seconds, cpu_seconds = time.perf_counter() - start, _cpu_seconds() - cpu
        batch[f"workers_{workers}"] = {
            "graduates": len(sample),
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu_seconds, 3),
            "graduates_per_second": round(len(sample) / seconds, 1),
            "cpu_ms_per_graduate": round(cpu_seconds / len(sample) * 1000, 3),
        }
    if full_batch:
        start, cpu = time.perf_counter(), _cpu_seconds()
        index.rank_batch(table, 20, today=TODAY, workers=2)
        seconds, cpu_seconds = time.perf_counter() - start, _cpu_seconds() - cpu
        batch["full_workers_2"] = {
            "graduates": n,
            "positions": n,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2),
            "graduates_per_second": round(n / seconds, 1),
            "cpu_ms_per_graduate": round(cpu_seconds / n * 1000, 3),
        }

    baseline = rapidfuzz_baseline(positions, graduates[:5], sample=min(baseline_sample, n), n_total=n)
    median_ms = _percentiles(with_reasons)["median"]
    baseline["ratio_vs_index_top20"] = round(baseline["ms_per_graduate"] / median_ms, 1) if median_ms else None
    result: dict[str, Any] = {
        "positions": n,
        "graduates": n,
        "open_positions": sum(1 for p in positions if p.status == "open"),
        "generate_s": round(generate_s, 2),
        "build_s": round(build_s, 2),
        "graduate_table_s": round(table_s, 2),
        "index_bytes_columns_and_text": index.nbytes(),
        "build_traced_peak_mb": round(peak / 2**20, 1),
        "index_traced_mb": round(held / 2**20, 1),
        "top20_ms": _percentiles(with_reasons),
        "top20_without_reasons_ms": _percentiles(without),
        "top20_cpu_ms": _percentiles(with_reasons_cpu),
        "top20_without_reasons_cpu_ms": _percentiles(without_cpu),
        "batch": batch,
        "baseline_rapidfuzz_loop": baseline,
    }
    if pg_dsn:
        pg = pg_trgm_baseline(pg_dsn, positions, graduates[20 : 20 + min(queries, 100)])
        if "top20_ms" in pg and median_ms:
            pg["ratio_vs_index_top20"] = round(pg["top20_ms"]["median"] / median_ms, 1)
        result["baseline_pg_trgm"] = pg
    else:
        result["baseline_pg_trgm"] = {"skipped": "no --pg-dsn given"}
    return result


MILLION_GOALS = {"top20_median_ms": 20.0, "index_held_mb": 1024.0}


def _rss_mb() -> float:
    """The resident set of this process now, in MB."""
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def million_positions(catalogs: Catalogs, n: int, *, distinct: int, seed: int) -> list[PositionRecord]:
    """``n`` positions: ``distinct`` drawn by `matching.synth`, repeated under new ids with pay, headcount and
    deadline drawn per position in one numpy pass each (the generator itself would take minutes for a million)."""
    base = Generator(catalogs, seed=seed, today=TODAY).positions(distinct)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, distinct, size=n)
    pay = (rng.integers(25, 120, size=n) * 100).tolist()
    spread = (rng.integers(0, 30, size=n) * 100).tolist()
    days = rng.integers(-20, 200, size=n).tolist()
    heads = rng.integers(1, 20, size=n).tolist()
    out = []
    for i, b in enumerate(pick.tolist()):
        p = base[b]
        deadline = None if p.deadline is None else date.fromordinal(TODAY.toordinal() + days[i])
        has_pay = p.pay_min is not None or p.pay_max is not None
        out.append(
            replace(
                p,
                id=i + 1,
                pay_min=pay[i] if has_pay else None,
                pay_max=pay[i] + spread[i] if has_pay else None,
                headcount=heads[i] if p.headcount is not None else None,
                filled=0,
                deadline=deadline,
            )
        )
    return out


def numpy_floor(n: int, *, queries: int, seed: int, k: int = 20) -> dict[str, Any]:
    """The physical floor of one query: one numpy pass over as many float32 feature columns as the matcher
    scores and a boolean rule mask of ``n`` rows, then the top ``k`` of the eligible rows."""
    rng = np.random.default_rng(seed)
    columns = rng.random((len(FEATURES), n), dtype=np.float32)
    eligible = rng.random(n) < 0.6
    weights = rng.random(len(FEATURES), dtype=np.float32)
    times = []
    for _ in range(queries):
        start = time.perf_counter()
        scores = weights @ columns
        scores = np.where(eligible, scores, np.float32(-np.inf))
        top = np.argpartition(scores, -k)[-k:]
        top[np.argsort(-scores[top])]
        times.append(time.perf_counter() - start)
    return {
        "method": f"numpy: {len(FEATURES)} float32 columns × weights, rule mask, argpartition top-{k}",
        "top20_ms": _percentiles(times),
    }


def bench_million(
    catalogs: Catalogs, *, n: int = 1_000_000, distinct: int = 20_000, queries: int = 100, seed: int = 7
) -> dict[str, Any]:
    """Top-20 of ``n`` positions for one graduate, with rules and reasons and without reasons, beside the numpy
    floor measured in the same run; the memory the index holds (resident set growth over generating the
    positions and building the index, which keeps the records) and its build time."""
    before = _rss_mb()
    t0 = time.perf_counter()
    positions = million_positions(catalogs, n, distinct=distinct, seed=seed)
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = MatchIndex(positions, catalogs)
    build_s = time.perf_counter() - t0
    del positions
    held_mb = _rss_mb() - before
    graduates = Generator(catalogs, seed=seed + 1, today=TODAY).graduates(queries + 10)
    for g in graduates[:10]:
        index.rank_positions(g, 20, today=TODAY)
    with_reasons, without = [], []
    for g in graduates[10:]:
        start = time.perf_counter()
        index.rank_positions(g, 20, today=TODAY)
        with_reasons.append(time.perf_counter() - start)
    for g in graduates[10:]:
        start = time.perf_counter()
        index.rank_positions(g, 20, today=TODAY, explain=False)
        without.append(time.perf_counter() - start)
    floor = numpy_floor(n, queries=queries, seed=seed)
    top20 = _percentiles(with_reasons)
    bare = _percentiles(without)
    floor_median = floor["top20_ms"]["median"]
    return {
        "positions": n,
        "distinct_positions": distinct,
        "generate_s": round(generate_s, 2),
        "build_s": round(build_s, 2),
        "index_held_mb": round(held_mb, 1),
        "index_bytes_columns_and_text": index.nbytes(),
        "top20_ms": top20,
        "top20_without_reasons_ms": bare,
        "baseline_numpy_floor": floor,
        "times_floor": {
            "with_reasons": round(top20["median"] / floor_median, 1) if floor_median else None,
            "without_reasons": round(bare["median"] / floor_median, 1) if floor_median else None,
        },
        "goals": {
            "targets": MILLION_GOALS,
            "top20_median_ok": top20["median"] <= MILLION_GOALS["top20_median_ms"],
            "index_memory_ok": held_mb <= MILLION_GOALS["index_held_mb"],
        },
        "load_average": list(os.getloadavg()),
    }


def run_million_bench(
    *, data_dir: str | os.PathLike[str] | None = None, quick: bool = False, seed: int = 7
) -> dict[str, Any]:
    """``sunshine bench --parts matching1m``: :func:`bench_million` over a million positions (50,000 with
    ``quick``)."""
    catalogs = load_catalogs(data_dir if data_dir is not None else default_data_dir())
    default_space(catalogs)
    default_bridge(catalogs)
    if quick:
        return bench_million(catalogs, n=50_000, distinct=5_000, queries=20, seed=seed)
    return bench_million(catalogs, seed=seed)


def run_bench(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    sizes: Sequence[int] = (10_000, 100_000),
    pg_dsn: str | None = None,
    quick: bool = False,
    queries: int = 200,
    seed: int = 7,
    catalogs: Catalogs | None = None,
) -> dict[str, Any]:
    """Run the benchmark; `quick` uses one small size and few queries (for tests).

    `catalogs` saves loading them again when the caller has them (the load time is then reported as 0).
    """
    if quick:
        sizes, queries = (1000,), 30
    start = time.perf_counter()
    if catalogs is None:
        catalogs = load_catalogs(data_dir if data_dir is not None else default_data_dir())
    default_space(catalogs)
    default_bridge(catalogs)
    load_s = time.perf_counter() - start
    results = [
        bench_size(
            catalogs,
            n,
            queries=queries,
            batch_sample=min(n, 400 if quick else 20_000),
            baseline_sample=300 if quick else 5_000,
            pg_dsn=pg_dsn,
            seed=seed,
            full_batch=not quick,
        )
        for n in sizes
    ]
    goals: dict[str, Any] = {"targets": GOALS}
    for r in results:
        if r["positions"] == 100_000:
            goals["top20_median_ok"] = r["top20_ms"]["median"] <= GOALS["top20_median_ms"]
            goals["top20_p99_ok"] = r["top20_ms"]["p99"] <= GOALS["top20_p99_ms"]
            goals["top20_cpu_median_ok"] = r["top20_cpu_ms"]["median"] <= GOALS["top20_median_ms"]
            goals["top20_cpu_p99_ok"] = r["top20_cpu_ms"]["p99"] <= GOALS["top20_p99_ms"]
            goals["index_memory_ok"] = r["build_traced_peak_mb"] <= GOALS["index_mb_100k"]
            if "full_workers_2" in r["batch"]:
                full = r["batch"]["full_workers_2"]
                goals["batch_ok"] = full["seconds"] <= GOALS["batch_100k_seconds"]
                # two workers on two cores: the wall time an idle machine would give is about CPU / 2
                goals["batch_cpu_over_two_cores_ok"] = full["cpu_seconds"] / 2 <= GOALS["batch_100k_seconds"]
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
            "load_average": list(os.getloadavg()),
        },
        "data_dir": str(catalogs.data_dir),
        "quick": quick,
        "today": TODAY.isoformat(),
        "catalog_load_s": round(load_s, 2),
        "sizes": results,
        "goals": goals,
    }


def _print_human(result: dict[str, Any]) -> None:
    print(f"catalogs loaded in {result['catalog_load_s']} s; machine {result['machine']}")
    for r in result["sizes"]:
        print(f"\n== {r['positions']} positions × {r['graduates']} graduates")
        peak, held = r["build_traced_peak_mb"], r["index_traced_mb"]
        print(f"build {r['build_s']} s (traced peak {peak} MB, held {held} MB)")
        print(f"graduate table {r['graduate_table_s']} s")
        print(f"top-20 with reasons: {r['top20_ms']}")
        print(f"top-20 without reasons: {r['top20_without_reasons_ms']}")
        print(f"top-20 CPU: {r['top20_cpu_ms']}; without reasons {r['top20_without_reasons_cpu_ms']}")
        for name, b in r["batch"].items():
            print(f"batch {name}: {b}")
        print(f"baseline rapidfuzz loop: {r['baseline_rapidfuzz_loop']}")
        print(f"baseline pg_trgm: {r['baseline_pg_trgm']}")
    print(f"\ngoals: {result['goals']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_matching", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="reference data directory (default: the shipped one)")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated position/graduate counts")
    parser.add_argument("--pg-dsn", default=None, help="PostgreSQL DSN for the pg_trgm baseline")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="one small size (seconds)")
    parser.add_argument("--queries", type=int, default=200, help="single-graduate queries per size")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    result = run_bench(data_dir=args.data_dir, sizes=sizes, pg_dsn=args.pg_dsn, quick=args.quick, queries=args.queries)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_human(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
