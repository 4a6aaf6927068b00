"""The demo world's campaign records: each county's 摸排 for the year — what its applications show plus the
families found by the survey who have not applied yet — handed in by the county clerk (one county still a draft,
so 附件7 shows a row flagged as drawn from applications), the year's deadlines, and a few 典型经验."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from services.demo.build_base import BuilderBase, log
from services.reports import measures, tables
from services.reports.campaign import deadlines, narratives, surveys
from services.reports.columns import AID_CATEGORIES

EXPERIENCES = (
    (
        "“一对一”结对帮扶困难家庭毕业生",
        "县总工会组织劳模、工匠与未就业的困难家庭毕业生结对，每月至少联系一次，推荐岗位、辅导面试。",
    ),
    (
        "金秋助学与暑期勤工俭学一体推进",
        "在发放助学金的同时，联合爱心企业开设暑期专项勤工俭学岗位，让受助学生在实践中了解就业。",
    ),
)


class CampaignPart(BuilderBase):
    def _campaign(self) -> None:
        year = self.today.year
        deadlines.ensure_year(self.session, year=year)
        fold, _units = tables.county_units(self.session)
        ctx = measures.Ctx(session=self.session, org_ids=None, as_of=self.today, year=year)
        applied: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (org, _cohort), values in measures.aid_demand(ctx).items():
            for key, value in values.items():
                if key in surveys.PERSON_KEYS:
                    applied[fold.get(org, org)][key] += int(value)
        handed_in = 0
        for i, unit in enumerate(self.units):
            clerk = self._p(unit.clerk)
            persons = dict(applied.get(unit.unit.id, {}))
            for prefix, _name in surveys.FAMILY_KINDS:
                category = AID_CATEGORIES[self.rng.randrange(len(AID_CATEGORIES))][0]
                persons[f"{prefix}_{category}"] = persons.get(f"{prefix}_{category}", 0) + self.rng.randint(1, 4)
            amounts = {
                prefix: Decimal(sum(n for k, n in persons.items() if k.startswith(f"{prefix}_")) * 2000)
                for prefix, _ in surveys.FAMILY_KINDS
            }
            seekers = self.rng.randint(8, 30)
            figures = surveys.SurveyFigures(
                aid_persons=persons,
                archived_amount=amounts["archived"],
                nonarchived_amount=amounts["nonarchived"],
                job_seekers=seekers,
                internship_need=self.rng.randint(0, seekers // 2),
                training_need=self.rng.randint(0, seekers // 2),
                entrepreneurship_need=self.rng.randint(0, seekers // 4),
                note="基层工会摸底调查和职工自主申报汇总",
            )
            row = surveys.save(self.session, principal=clerk, county_id=unit.unit.id, year=year, figures=figures)
            if i < len(self.units) - 1:  # the last one is still being filled in
                surveys.submit(self.session, principal=clerk, survey_id=row.id)
                handed_in += 1
        for unit, (title, body) in zip(self.units, EXPERIENCES, strict=False):
            narratives.add_experience(self.session, principal=self._p(unit.clerk), year=year, title=title, body=body)
        log.info("campaign: %d county surveys handed in of %d", handed_in, len(self.units))
