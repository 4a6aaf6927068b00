"""Benchmarks of Sunshine Employment, each beside the baseline it measures on the same data in the same run.

- `benchmarks.bench_matching` — the ranker on 10k / 100k synthetic positions and graduates (index build,
  top-20 latency, batch throughput) against a rapidfuzz loop and PostgreSQL pg_trgm;
- `benchmarks.bench_import` — a generated 50,000-row registry workbook through the real import path;
- `benchmarks.bench_reports` — 附件9 over 100k generated graduates on SQLite and PostgreSQL;
- `benchmarks.run` — runs the parts in fresh processes (``sunshine bench``, ``make bench``).
"""
