"""The benchmark runs in quick mode and reports every figure."""

from __future__ import annotations

from benchmarks.bench_matching import run_bench
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
