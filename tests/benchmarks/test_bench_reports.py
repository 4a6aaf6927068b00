"""The 附件9 benchmark fills a scratch database and times the report (tiny size here; 100k in `sunshine bench`)."""

from __future__ import annotations

from benchmarks.bench_reports import run_report_bench


def test_report_bench_runs_on_a_scratch_database() -> None:
    result = run_report_bench(graduates=300)
    figures = result["sqlite"]
    assert figures["graduates"] == figures["registered"] == 300
    assert figures["status_changes"] >= 300 and figures["services"] > 0 and figures["contacts"] > 0
    assert figures["annex9_city_seconds"] < figures["goal_seconds"]
    assert figures["rows"] >= 4 * 7  # four cohorts for every county-level unit
