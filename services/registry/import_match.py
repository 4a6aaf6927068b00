"""Checks of an import's rows against the registry: the same person already registered elsewhere, a member
whose head has no archive, a graduate whose family cannot be found (matched by ID blind index city-wide)."""

from __future__ import annotations

from sqlalchemy import select

from services.registry import sheets
from services.registry.import_rows import RunState
from services.registry.models import Family, FamilyMember, Graduate


class RegistryChecks(RunState):
    def _check_families(self) -> None:
        rows = self.rows[sheets.SHEET_FAMILIES]
        for chunk in self._chunks(rows):
            keys = [r.bidx for r in chunk]
            heads = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.org_unit_id).where(Family.id_number_bidx.in_(keys))
                ).all()
            )
            members = set(
                self.session.scalars(select(FamilyMember.id_number_bidx).where(FamilyMember.id_number_bidx.in_(keys)))
            )
            for row in chunk:
                masked = row.data["id_number_masked"]
                if row.bidx in members:
                    self.report.row_error(
                        row, "id_number", "duplicate_in_database", "该身份证号已登记为其他家庭的成员", masked
                    )
                elif row.bidx in heads and not self.principal.covers(heads[row.bidx]):
                    self.report.row_error(
                        row, "id_number", "duplicate_in_database", "该身份证号已在您管辖范围以外的单位建档", masked
                    )

    def _check_members(self) -> None:
        rows = self.rows[sheets.SHEET_MEMBERS]
        family_rows = {r.bidx: r for r in self.rows[sheets.SHEET_FAMILIES]}
        for chunk in self._chunks(rows):
            heads_wanted = [r.head_bidx for r in chunk if r.head_bidx and r.head_bidx not in family_rows]
            db_heads = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.org_unit_id).where(Family.id_number_bidx.in_(heads_wanted))
                ).all()
            )
            keys = [r.bidx for r in chunk]
            as_head = set(self.session.scalars(select(Family.id_number_bidx).where(Family.id_number_bidx.in_(keys))))
            as_member = dict(
                self.session.execute(
                    select(FamilyMember.id_number_bidx, Family.id_number_bidx)
                    .join(Family, Family.id == FamilyMember.family_id)
                    .where(FamilyMember.id_number_bidx.in_(keys))
                ).all()
            )
            for row in chunk:
                masked = row.data["id_number_masked"]
                head = row.head_bidx
                if head in family_rows:
                    if (family_rows[head].sheet, family_rows[head].number) in self.report.bad:
                        self.report.row_error(
                            row,
                            "head_id_number",
                            "family_row_invalid",
                            f"户主所在的档案行（第{family_rows[head].number}行）有误，本行一并未导入",
                        )
                        continue
                elif head not in db_heads or not self.principal.covers(db_heads[head]):
                    self.report.row_error(
                        row,
                        "head_id_number",
                        "no_family",
                        "户主身份证号未找到对应档案（本文件或您管辖范围内的系统档案）",
                    )
                    continue
                if row.bidx == head:
                    self.report.row_error(row, "id_number", "member_is_head", "家庭成员不能是户主本人", masked)
                elif row.bidx in family_rows or row.bidx in as_head:
                    self.report.row_error(
                        row,
                        "id_number",
                        "duplicate_in_database",
                        "该身份证号已作为户主建档，不能同时登记为家庭成员",
                        masked,
                    )
                elif row.bidx in as_member and as_member[row.bidx] != head:
                    self.report.row_error(
                        row, "id_number", "duplicate_in_database", "该身份证号已登记为其他家庭的成员", masked
                    )

    def _check_graduates(self) -> None:
        rows = self.rows[sheets.SHEET_GRADUATES]
        family_rows = {r.bidx: r for r in self.rows[sheets.SHEET_FAMILIES]}
        category = self.vocab["service_category"]
        for chunk in self._chunks(rows):
            keys = [r.bidx for r in chunk]
            existing = dict(
                self.session.execute(
                    select(Graduate.id_number_bidx, Graduate.org_unit_id).where(Graduate.id_number_bidx.in_(keys))
                ).all()
            )
            heads_wanted = [r.head_bidx for r in chunk if r.head_bidx and r.head_bidx not in family_rows]
            db_heads = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.org_unit_id).where(Family.id_number_bidx.in_(heads_wanted))
                ).all()
            )
            for row in chunk:
                if row.bidx in existing and not self.principal.covers(existing[row.bidx]):
                    self.report.row_error(
                        row,
                        "id_number",
                        "duplicate_in_database",
                        "该身份证号已在您管辖范围以外的单位登记为学生/毕业生",
                        row.data["id_number_masked"],
                    )
                    continue
                head = row.head_bidx
                if head is not None:
                    in_file = (
                        head in family_rows
                        and (family_rows[head].sheet, family_rows[head].number) not in self.report.bad
                    )
                    in_db = head in db_heads and self.principal.covers(db_heads[head])
                    if not (in_file or in_db):
                        self.report.row_error(
                            row, "family_head_id_number", "no_family", "户主身份证号未找到对应的困难职工档案"
                        )
                        continue
                elif category.has_flag(row.data.get("service_category"), "family"):
                    name = category.name(row.data.get("service_category"))
                    self.report.row_error(
                        row,
                        "family_head_id_number",
                        "required",
                        f"服务对象“{name}”须关联建档家庭，请填写户主身份证号",
                    )
