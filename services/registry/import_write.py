"""The write phase of an import: upserts keyed on the ID blind index, new records inserted in batches, one
history row per record created or changed."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, insert, select

from services.registry import families as family_rules
from services.registry import graduates, import_rows
from services.registry.import_rows import Row, RunState
from services.registry.majors import ResolvedMajor, resolve
from services.registry.models import Family, FamilyMember, FamilyStatus, Graduate, RegistryChange, Stage


class RegistryWrites(RunState):
    majors: dict[tuple[str | None, str | None], ResolvedMajor | None]
    _pending: list[tuple[str, Family | FamilyMember | Graduate, bool, dict[str, Any], int | None]]
    _created: list[tuple[str, int, int | None, int]]  # (entity type, id, family id, org unit)

    def _new(self, model: type[Family] | type[FamilyMember] | type[Graduate], **values: Any) -> SimpleNamespace:
        """A record to be inserted in bulk: every column present, so that one statement sends the whole chunk."""
        return SimpleNamespace(**{**_NULLS[model], "created_at": self.now, "updated_at": self.now, **values})

    def _insert(
        self, model: type[Family] | type[FamilyMember] | type[Graduate], records: list[dict[str, Any]]
    ) -> dict[str, int]:
        """Insert new records in one batch; returns their ids by ID blind index (unique in each table)."""
        if not records:
            return {}
        self.session.connection().execute(insert(cast(Table, model.__table__)), records)
        keys = [r["id_number_bidx"] for r in records]
        found = self.session.execute(select(model.id_number_bidx, model.id).where(model.id_number_bidx.in_(keys)))
        return dict(found.all())

    def _write_families(self, family_rows: Sequence[Row], member_rows: Sequence[Row]) -> None:
        by_head: dict[str, list[Row]] = {}
        for m in member_rows:
            by_head.setdefault(m.head_bidx or "", []).append(m)
        for chunk in self._chunks(family_rows):
            existing = {
                f.id_number_bidx: f
                for f in self.session.scalars(select(Family).where(Family.id_number_bidx.in_([r.bidx for r in chunk])))
            }
            new: list[dict[str, Any]] = []
            updated: list[tuple[Row, Family, dict[str, Any]]] = []
            for row in chunk:
                self.at = (row.sheet, row.number)
                family = existing.get(row.bidx)
                if family is not None and self.job.existing == "skip":
                    self.report.skipped_existing += 1 + len(by_head.pop(row.bidx, []))
                    del existing[row.bidx]
                    continue
                if family is not None:
                    changes: dict[str, Any] = {}
                    family_rules.apply_family_values(family, _values(row), changes, row.sealed)
                    updated.append((row, family, changes))
                    continue
                record = self._new(
                    Family,
                    org_unit_id=self.job.org_unit_id,
                    entered_by_id=self.job.created_by_id,
                    status=FamilyStatus.ACTIVE.value,
                    attachments=[],
                    secondary_causes=[],
                )
                family_rules.apply_family_values(record, _values(row), None, row.sealed)
                listed = by_head.get(row.bidx, [])
                income = family_rules.compute_income(
                    head_monthly=row.data["monthly_income"],
                    other_annual=row.data["other_annual_income"],
                    member_monthly=[m.data["monthly_income"] for m in listed],
                    employed=[
                        family_rules.head_employed(record, self.employed),
                        *(m.data.get("work_status") in self.employed for m in listed),
                    ],
                )
                family_rules.set_income(record, income, None)
                new.append(vars(record))
                self.report.count("created")
                self.written += 1
            self._write_new_families(new, by_head)
            current = self._members_of([f.id for _, f, _ in updated])
            for row, family, changes in updated:
                members = current.setdefault(family.id, [])
                member_changed, incomes = self._write_members(family, members, by_head.pop(row.bidx, []))
                family_rules.recompute(
                    family,
                    members=members,
                    employed_codes=self.employed,
                    changes=changes,
                    head_monthly=row.data.get("monthly_income"),
                    other_annual=row.data.get("other_annual_income"),
                    member_monthly=incomes,
                )
                self._pending.append(("family", family, False, changes, family.id))
                self.report.count("updated" if changes or member_changed else "unchanged")
                self.written += 1
            self._flush_history()
            self._release([f for _, f, _ in updated], current)
            self._tick()
        self._write_members_of_archived(by_head)

    def _write_new_families(self, new: list[dict[str, Any]], by_head: dict[str, list[Row]]) -> None:
        ids = self._insert(Family, new)
        members: list[dict[str, Any]] = []
        for record in new:
            family_id = ids[record["id_number_bidx"]]
            self._created.append(("family", family_id, family_id, record["org_unit_id"]))
            for row in by_head.pop(record["id_number_bidx"], []):
                member = self._new(FamilyMember, family_id=family_id, org_unit_id=record["org_unit_id"])
                family_rules.apply_member_values(member, _values(row), None, row.sealed)
                members.append(vars(member))
                self.report.count("created")
                self.written += 1
        member_ids = self._insert(FamilyMember, members)
        for record in members:
            self._created.append(
                ("member", member_ids[record["id_number_bidx"]], record["family_id"], record["org_unit_id"])
            )

    def _members_of(self, family_ids: Sequence[int]) -> dict[int, list[FamilyMember]]:
        current: dict[int, list[FamilyMember]] = {}
        if family_ids:
            stmt = select(FamilyMember).where(FamilyMember.family_id.in_(family_ids)).order_by(FamilyMember.id)
            for m in self.session.scalars(stmt):
                current.setdefault(m.family_id, []).append(m)
        return current

    def _write_members(
        self, family: Family, members: list[FamilyMember], rows: Sequence[Row]
    ) -> tuple[bool, dict[str, Any]]:
        """Upsert the sheet's member rows into ``members`` (the family's members, extended in place); returns
        whether anything changed and the members' monthly incomes by ID blind index."""
        by_bidx = {m.id_number_bidx: m for m in members}
        incomes: dict[str, Any] = {}
        changed = False
        for row in rows:
            member = by_bidx.get(row.bidx)
            creating = member is None
            if member is None:
                member = FamilyMember(
                    **{**_NULLS[FamilyMember], "family_id": family.id, "org_unit_id": family.org_unit_id}
                )
                self.session.add(member)
                members.append(member)
            changes: dict[str, Any] = {}
            family_rules.apply_member_values(member, _values(row), None if creating else changes, row.sealed)
            incomes[row.bidx] = row.data["monthly_income"]
            self._pending.append(("member", member, creating, changes, family.id))
            outcome = "created" if creating else "updated" if changes else "unchanged"
            changed = changed or outcome != "unchanged"
            self.report.count(outcome)
            self.written += 1
        return changed, incomes

    def _write_members_of_archived(self, by_head: dict[str, list[Row]]) -> None:
        """Member rows whose head is an archive already in the database (not in this file)."""
        heads = [h for h in by_head if h]
        if self.job.existing == "skip":  # rows below an archive already registered are left out with it
            self.report.skipped_existing += sum(len(by_head[h]) for h in heads)
            return
        for start in range(0, len(heads), import_rows.CHUNK):
            part = heads[start : start + import_rows.CHUNK]
            families = list(self.session.scalars(select(Family).where(Family.id_number_bidx.in_(part))))
            current = self._members_of([f.id for f in families])
            for family in families:
                members = current.setdefault(family.id, [])
                changed, incomes = self._write_members(family, members, by_head.get(family.id_number_bidx, []))
                if changed:
                    changes: dict[str, Any] = {}
                    family_rules.recompute(
                        family, members=members, employed_codes=self.employed, changes=changes, member_monthly=incomes
                    )
                    self._pending.append(("family", family, False, changes, family.id))
            self._flush_history()
            self._release(families, current)
            self._tick()

    def _write_graduates(self, rows: Sequence[Row]) -> None:
        for chunk in self._chunks(rows):
            keys = [r.bidx for r in chunk]
            existing = {
                g.id_number_bidx: g
                for g in self.session.scalars(select(Graduate).where(Graduate.id_number_bidx.in_(keys)))
            }
            heads = [r.head_bidx for r in chunk if r.head_bidx]
            families = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.id).where(Family.id_number_bidx.in_(heads))
                ).all()
            )
            members = {
                (fid, bidx): mid
                for mid, fid, bidx in self.session.execute(
                    select(FamilyMember.id, FamilyMember.family_id, FamilyMember.id_number_bidx).where(
                        FamilyMember.id_number_bidx.in_(keys)
                    )
                ).all()
            }
            new: list[dict[str, Any]] = []
            written: list[Graduate] = []
            for row in chunk:
                self.at = (row.sheet, row.number)
                if row.bidx in existing and self.job.existing == "skip":
                    self.report.skipped_existing += 1
                    continue
                family_id = families.get(row.head_bidx) if row.head_bidx else None
                link: graduates.FamilyLink | None = graduates.FamilyLink(
                    family_id, members.get((family_id, row.bidx)) if family_id else None
                )
                graduate = existing.get(row.bidx)
                if graduate is None:
                    record = self._new(
                        Graduate,
                        org_unit_id=self.job.org_unit_id,
                        stage=Stage.GRADUATE.value,
                        intentions=[],
                        preferred_places=[],
                        skills=[],
                        employment_status="unemployed",
                        enterprise_visible=False,
                    )
                    graduates.apply_graduate_values(
                        record, _values(row), None, link=link, resolve_major=self._major, sealed=row.sealed
                    )
                    new.append(vars(record))
                    self.report.count("created")
                    self.written += 1
                    continue
                if "family_head_id_number" not in row.columns:
                    link = None  # the sheet has no family column: keep the link as it is
                changes: dict[str, Any] = {}
                graduates.apply_graduate_values(
                    graduate, _values(row), changes, link=link, resolve_major=self._major, sealed=row.sealed
                )
                self._pending.append(("graduate", graduate, False, changes, graduate.family_id))
                self.report.count("updated" if changes else "unchanged")
                self.written += 1
                written.append(graduate)
            ids = self._insert(Graduate, new)
            for values in new:
                self._created.append(
                    ("graduate", ids[values["id_number_bidx"]], values["family_id"], values["org_unit_id"])
                )
            self._flush_history()
            for g in written:
                self.session.expunge(g)
            self._tick()

    def _major(self, raw: str | None, education: str | None) -> ResolvedMajor | None:
        key = (raw, education)
        if key not in self.majors:
            self.majors[key] = resolve(raw, education=education)
        return self.majors[key]

    def _flush_history(self) -> None:
        """Flush the chunk's changes, then one history row per record created or changed, sent in one batch.
        A created record's history names no values: they are the record's first state."""
        self.session.flush()
        rows = [
            self._history_row(entity_type, entity_id, family_id, org_unit_id, "create", {})
            for entity_type, entity_id, family_id, org_unit_id in self._created
        ]
        rows += [
            self._history_row(
                entity_type,
                obj.id,
                family_id,
                obj.org_unit_id,
                "create" if creating else "update",
                {} if creating else changes,
            )
            for entity_type, obj, creating, changes, family_id in self._pending
            if creating or changes
        ]
        self._created.clear()
        self._pending.clear()
        if rows:
            self.session.connection().execute(insert(cast(Table, RegistryChange.__table__)), rows)

    def _history_row(
        self,
        entity_type: str,
        entity_id: int,
        family_id: int | None,
        org_unit_id: int,
        action: str,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "actor_id": self.actor.user_id,
            "actor_role": self.actor.role,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "family_id": family_id,
            "org_unit_id": org_unit_id,
            "action": action,
            "source": self.source,
            "changes": changes,
        }

    def _release(self, families: Sequence[Family], members: dict[int, list[FamilyMember]]) -> None:
        """Forget written rows (already flushed) so that a big sheet does not pile up in the identity map."""
        for family in families:
            for member in members.get(family.id, []):
                if member in self.session:
                    self.session.expunge(member)
            if family in self.session:
                self.session.expunge(family)


def _nulls(model: type[Family] | type[FamilyMember] | type[Graduate]) -> dict[str, None]:
    """Every nullable column set to None on a new object, so that rows share one INSERT shape and are sent in
    batches (rows with different sets of given columns would each need their own statement)."""
    return {
        c.key: None
        for c in model.__table__.columns
        if c.nullable and not c.primary_key and c.default is None and c.server_default is None
    }


_NULLS = {model: _nulls(model) for model in (Family, FamilyMember, Graduate)}


def _values(row: Row) -> dict[str, Any]:
    return {k: v for k, v in row.data.items() if k not in {"id_number_masked", "family_head_id_number"}}
