"""The benchmark runs in quick mode and reports every figure."""

from __future__ import annotations

from benchmarks.bench_matching import bench_million, million_positions, run_bench
from matching.catalogs import load_catalogs
from services.refdata.service import default_data_dir


def test_quick_bench_reports_all_keys() -> None:
    result = run_bench(quick=True)
    assert result["data_dir"] == str(default_data_dir())
    assert {"machine", "sizes", "goals", "catalog_load_s", "quick"} <= set(result)
    (size,) = result["sizes"]
    assert {
        "build_s",
        "graduate_table_s",
        "build_traced_peak_mb",
        "index_bytes_columns_and_text",
        "top20_ms",
        "top20_without_reasons_ms",
        "top20_cpu_ms",
        "batch",
        "baseline_rapidfuzz_loop",
        "baseline_pg_trgm",
    } <= set(size)
    assert {"median", "p99", "queries"} <= set(size["top20_ms"])
    assert {"workers_1", "workers_2"} <= set(size["batch"])
    assert size["batch"]["workers_2"]["graduates_per_second"] > 0
    assert size["baseline_rapidfuzz_loop"]["extrapolated"] is True
    assert "skipped" in size["baseline_pg_trgm"]


def test_the_million_position_bench_reports_the_query_beside_the_numpy_floor() -> None:
    catalogs = load_catalogs(default_data_dir())
    positions = million_positions(catalogs, 3_000, distinct=200, seed=3)
    assert [p.id for p in positions] == list(range(1, 3_001))
    assert all(p.pay_min is None or (p.pay_max is not None and p.pay_min <= p.pay_max) for p in positions)
    assert len({(p.title, p.pay_min, p.deadline) for p in positions}) > 200  # repeated titles, drawn terms
    result = bench_million(catalogs, n=3_000, distinct=200, queries=5, seed=3)
    # the memory held is the process's growth while building: a 3,000-position index may fit in freed pages (0 MB)
    assert result["positions"] == 3_000 and result["build_s"] > 0 and 0 <= result["index_held_mb"] < 200
    assert result["goals"]["index_memory_ok"] is True
    assert result["top20_ms"]["queries"] == 5 and result["top20_without_reasons_ms"]["queries"] == 5
    assert result["baseline_numpy_floor"]["top20_ms"]["median"] > 0
    assert result["times_floor"]["with_reasons"] >= result["times_floor"]["without_reasons"] > 0
    assert set(result["goals"]) == {"targets", "top20_median_ok", "index_memory_ok"}
