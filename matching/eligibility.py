"""Eligibility: the hard rules of `matching.rules` as boolean masks over the stored position rows (one
graduate × every position) or over a graduate table (one position × every graduate).

A pair failing any rule is never returned, in either direction, at any k.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from matching.encoding import EncodedGraduate, GraduateTable
from matching.records import age_on
from matching.rules import (
    any_failing,
    failing_masks,
    fails_age,
    fails_deadline,
    fails_education,
    fails_education_levels,
    fails_employer,
    fails_flags,
    fails_graduation,
    fails_headcount,
    fails_status,
    fails_student,
)
from matching.scoring import Scoring, member
from matching.storage import I64, Bool


class Eligibility(Scoring):
    """Rule masks over the stored positions, cached per index version."""

    def _eligible(self, g: EncodedGraduate, today: date) -> Bool:
        """Rows the graduate may take (every hard rule passes)."""
        cols = self._cols
        rec = g.record
        if not rec.open_to_matching:
            return np.zeros(cols.n, dtype=np.bool_)
        day = today.toordinal()
        edu = int(rec.education)
        age = -1 if rec.birth_date is None else age_on(rec.birth_date, today)
        held = np.uint64(self._flag_bits(rec.flags, intern=False))
        get = self._cache.get
        static = get(
            ("static", day),
            lambda: (
                ~(
                    fails_status(cols["open"])
                    | fails_employer(cols["verified"])
                    | fails_deadline(cols["deadline"], day)
                    | fails_headcount(cols["full"])
                )
            ),
        )
        education = get(
            ("education", edu),
            lambda: ~(fails_education(cols["min_edu"], edu) | fails_education_levels(cols["edu_levels"], edu)),
        )
        age_ok = get(("age", age), lambda: ~fails_age(cols["max_age"], age))
        year = rec.graduation_year
        grad_ok = get(("graduation", year), lambda: ~fails_graduation(cols["grad_min"], cols["grad_max"], year))
        flags_ok = get(("flags", int(held)), lambda: ~fails_flags(cols["flags"], held))
        hukou_ok = get(("hukou", g.home_code), lambda: self._hukou_ok(g.home_code))
        out = static & education
        if rec.in_school:
            grad = rec.graduation_date.toordinal() if rec.graduation_date else -1
            student_ok = get(
                ("student", grad, day),
                lambda: ~fails_student(cols["kind_bit"], cols["starts"], True, grad, day),
            )
            np.logical_and(out, student_ok, out=out)
        for mask in (
            age_ok,
            grad_ok,
            flags_ok,
            hukou_ok,
            self._kind_part(g.wanted)[2],
            self._major_part(g)[2],
        ):
            np.logical_and(out, mask, out=out)
        return out

    def _eligible_rows(self, g: EncodedGraduate, today: date, rows: I64, kind_major_ok: Bool) -> Bool:
        """`_eligible` over the given rows (`kind_major_ok`: the kind and major rules there, from `_score_rows`)."""
        cols = self._cols
        rec = g.record
        if not rec.open_to_matching:
            return np.zeros(rows.size, dtype=np.bool_)
        day = today.toordinal()
        edu = int(rec.education)
        age = -1 if rec.birth_date is None else age_on(rec.birth_date, today)
        held = np.uint64(self._flag_bits(rec.flags, intern=False))
        failing = (
            fails_status(cols["open"][rows])
            | fails_employer(cols["verified"][rows])
            | fails_deadline(cols["deadline"][rows], day)
            | fails_headcount(cols["full"][rows])
        )
        failing |= fails_education(cols["min_edu"][rows], edu)
        failing |= fails_education_levels(cols["edu_levels"][rows], edu)
        if rec.in_school:
            grad = rec.graduation_date.toordinal() if rec.graduation_date else -1
            failing |= fails_student(cols["kind_bit"][rows], cols["starts"][rows], True, grad, day)
        failing |= fails_age(cols["max_age"][rows], age)
        failing |= fails_graduation(cols["grad_min"][rows], cols["grad_max"][rows], rec.graduation_year)
        failing |= fails_flags(cols["flags"][rows], held)
        out = ~failing
        np.logical_and(out, self._hukou_rows(g.home_code, rows), out=out)
        np.logical_and(out, kind_major_ok, out=out)
        return out

    def _hukou_rows(self, home_code: int, rows: I64) -> Bool:
        """`_hukou_ok` over the given (ascending) rows."""
        ok: Bool = self._cols["local"][rows] == 0
        if self._local_row and home_code > 0:
            row = self._cached_array("local_row", lambda: np.array(self._local_row, dtype=np.int64))
            code = self._cached_array("local_code", lambda: np.array(self._local_code, dtype=np.int64))
            div = self._cached_array("local_div", lambda: np.array(self._local_div, dtype=np.int64))
            ok |= member(rows, row[code == home_code // div])
        return ok

    def _within_rows(self, areas: list[str], rows: I64) -> Bool:
        """`_within` over the given rows."""
        return np.asarray(self._best_places(self._within_table(areas), rows), dtype=np.bool_)

    def _hukou_ok(self, home_code: int) -> Bool:
        ok: Bool = self._cols["local"] == 0
        if self._local_row and home_code > 0:
            row = self._cached_array("local_row", lambda: np.array(self._local_row, dtype=np.int64))
            code = self._cached_array("local_code", lambda: np.array(self._local_code, dtype=np.int64))
            div = self._cached_array("local_div", lambda: np.array(self._local_div, dtype=np.int64))
            ok[row[code == home_code // div]] = True
        return ok

    def _within(self, areas: list[str]) -> Bool:
        return np.asarray(self._gather_places(self._within_table(areas)), dtype=np.bool_)

    def _within_table(self, areas: list[str]) -> Bool:
        """Place rows inside one of the areas (never the null place)."""
        rows = self.places.rows(areas)
        code = self.places.code
        inside = np.zeros(len(self.places), dtype=np.bool_)
        for r in rows:
            a = int(code[r])
            if a % 10000 == 0:
                inside |= code // 10000 == a // 10000
            elif a % 100 == 0:
                inside |= code // 100 == a // 100
            else:
                inside |= code == a
        inside[0] = False
        return inside

    def _graduate_eligible(self, row: int, t: GraduateTable, today: date, major_ok: Bool) -> Bool:
        """Graduates of the table who may take the position at `row` (every hard rule passes)."""
        p = self._records.get(row)
        cols = self._cols
        n = len(t)
        hukou_ok = np.full(n, not p.requires_local_hukou, dtype=np.bool_)
        if p.requires_local_hukou:
            div = 10000 if p.hukou_scope == "province" else 100
            for place_code in p.places:
                hukou_ok |= (t.home_code // div == int(place_code) // div) & (t.home_code > 0)
        held = np.fromiter((self._flag_bits(f, intern=False) for f in t.flags), dtype=np.uint64, count=n)
        masks = failing_masks(
            graduate_open=t.open,
            position_open=bool(cols["open"][row]),
            employer_verified=bool(cols["verified"][row]),
            deadline_day=int(cols["deadline"][row]),
            full=bool(cols["full"][row]),
            kind_bit=int(cols["kind_bit"][row]),
            wanted_kinds=t.wanted,
            min_education=int(cols["min_edu"][row]),
            education=t.education,
            education_levels=int(cols["edu_levels"][row]),
            max_age=int(cols["max_age"][row]),
            age=t.ages(today),
            graduation_min=int(cols["grad_min"][row]),
            graduation_max=int(cols["grad_max"][row]),
            graduation_year=t.graduation_year,
            major_ok=major_ok,
            hukou_ok=hukou_ok,
            required_flags=np.uint64(int(cols["flags"][row])),
            held_flags=held,
            today_day=today.toordinal(),
            starts_day=int(cols["starts"][row]),
            in_school=t.in_school,
            graduation_day=t.graduation_day,
        )
        return np.broadcast_to(~any_failing(masks), (n,)).copy()
