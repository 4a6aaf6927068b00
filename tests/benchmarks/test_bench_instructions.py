"""The instruction count: what it reads from callgrind's output, and a clear refusal without valgrind."""

from __future__ import annotations

import pytest

from benchmarks import bench_instructions
from benchmarks.bench_instructions import count, totals


def test_the_total_is_read_from_the_totals_line_not_the_summary() -> None:
    out = b"version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 0\nfn=(1) main\n16 5\ntotals: 731164072\n"
    assert totals(out) == 731_164_072


def test_an_output_without_totals_is_an_error() -> None:
    with pytest.raises(ValueError, match="totals"):
        totals(b"events: Ir\nsummary: 12\n")


def test_without_valgrind_the_count_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_instructions.shutil, "which", lambda _name: None)
    with pytest.raises(RuntimeError, match="valgrind"):
        count("postgresql+psycopg://nowhere/none", {"graduates": [], "headers": {}}, "liveness")
