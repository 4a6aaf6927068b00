"""The demo world at a small size, on SQLite and PostgreSQL: every kind of position, every pipeline state, aid at
every step, identifiers valid and synthetic, the same seed gives the same world, and the printed logins work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.aid.models import AidApplication, AidAward, AidObjection, AidPayment
from services.app import create_app
from services.catalog.models import Employer, Position, ProgramRuleSet, ServiceContract
from services.demo import logins, world
from services.demo.logins import DEMO_PASSWORD, DEMO_USERS
from services.errors import Conflict
from services.identifiers import normalize_bank_card, normalize_credit_code, normalize_phone, parse_resident_id
from services.orgs.models import OrgUnit
from services.registry.models import Consent, EconomicCheck, Family, FamilyMember, Graduate
from services.security import pii
from services.security.models import User
from services.tracking.mentor_models import ContestEntry, Mentor, MentorContact, MentorPairing, Venture, VentureSupport
from services.tracking.models import Application, Contact, Handoff, ServiceReferral
from tests.demo.worlds import SEED, SIZE, DemoWorld, demo_world, fresh_engine, populate, session_of


@pytest.fixture(scope="module")
def demo(backend: str, request: pytest.FixtureRequest) -> Iterator[DemoWorld]:
    with demo_world(backend, request) as built:
        yield built


def test_every_kind_of_position_and_every_program(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        kinds = set(session.scalars(select(Position.kind)))
        programs = set(session.scalars(select(Position.program).where(Position.program.is_not(None))))
        linked = session.scalars(select(Position.rule_set_id).where(Position.kind == "grassroots")).all()
        statuses = set(session.scalars(select(Position.status)))
        employer_statuses = set(session.scalars(select(Employer.status)))
        rule_years = set(session.scalars(select(ProgramRuleSet.year)))
    assert kinds == {"job", "internship", "work_study", "grassroots", "entrepreneurship"}
    assert programs == {"tegang", "sanzhi_yifu", "xibu", "chengxiang_shequ", "xiangcun_yisheng"}
    assert linked and all(rule_id is not None for rule_id in linked)
    assert {"open", "closed", "draft"} <= statuses
    assert employer_statuses == {"verified", "pending", "rejected"}
    assert demo.summary.today.year in rule_years or max(rule_years) < demo.summary.today.year


def test_pipelines_in_every_state_with_services_and_overdue_contacts(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        states = set(session.scalars(select(Application.state)))
        overdue = session.scalars(select(Contact.id).where(Contact.next_due_on < demo.summary.today)).all()
    assert states == {
        "recommended",
        "applied",
        "interviewing",
        "offered",
        "signed",
        "employed",
        "rejected",
        "withdrawn",
        "expired",
    }
    assert demo.summary.services > 0
    assert overdue, "some follow-ups are overdue"


def test_aid_at_every_step(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        applications = set(session.scalars(select(AidApplication.status)))
        awards = set(session.scalars(select(AidAward.status)))
        objections = set(session.scalars(select(AidObjection.status)))
        payments = set(session.scalars(select(AidPayment.status)))
        consents = session.scalars(select(Consent.family_id)).all()
        checks = session.scalars(select(EconomicCheck.consent_id)).all()
    assert {"submitted", "returned", "refused", "grassroots_approved", "approved", "revoked"} <= applications
    assert {"approved", "noticed", "paid", "revoked"} <= awards
    assert {"open", "upheld", "dismissed"} == objections
    assert "succeeded" in payments
    assert consents and len(checks) == len(consents), "each aided family signed 附件5 before its economic check"


def test_families_graduates_and_cohorts(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        graduates = session.scalars(select(Graduate).where(Graduate.stage == "graduate")).all()
        families = session.scalars(select(Family)).all()
    # the three latest classes, and the notice's own 2021–2023 cohorts of the 2023 campaign beside them
    assert {g.cohort for g in graduates} == set(world.cohorts_on(demo.summary.today)) | {2021, 2022, 2023}
    assert all(g.major_code for g in graduates if g.major_raw), "every written major resolves to the catalog"
    assert {f.archive_type for f in families} == {"1", "2"}
    assert any(f.family_size > 2 for f in families)


def test_identifiers_are_valid_and_visibly_synthetic(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        ids = [pii.decrypt(v) for v in session.scalars(select(Family.id_number_enc))]
        ids += [pii.decrypt(v) for v in session.scalars(select(FamilyMember.id_number_enc))]
        cards = [pii.decrypt(v) for v in session.scalars(select(Family.bank_card_enc)) if v]
        phones = [pii.decrypt(v) for v in session.scalars(select(Family.phone_enc)) if v]
        codes = list(session.scalars(select(Employer.credit_code)))
    for number in ids:
        assert parse_resident_id(number).number == number
        assert number[14:16] == "99"
    assert len(set(ids)) == len(ids)
    for card in cards:
        assert normalize_bank_card(card) == card and card.startswith("621799")
    for phone in phones:
        assert normalize_phone(phone) == phone and phone.startswith("1700000")
    for code in codes:
        assert normalize_credit_code(code) == code and code[8:10] == "DM"


def test_the_same_seed_gives_the_same_world(demo: DemoWorld, request: pytest.FixtureRequest) -> None:
    """A second build from the same seed and demo today, on a fresh SQLite file, has the same key fields."""
    engine, _, _ = fresh_engine("sqlite", request)
    try:
        again = populate(engine, size=SIZE, seed=SEED, today=demo.summary.today)
        with session_of(again) as one, session_of(demo) as two:
            assert world.digest(one) == world.digest(two)
        assert again.summary.applications_by_state == demo.summary.applications_by_state
    finally:
        engine.dispose()


def test_a_world_is_never_built_twice(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        assert world.has_world(session)
        with pytest.raises(Conflict):
            world.build_world(session, size=SIZE, seed=SEED)


def test_the_printed_logins_work(demo: DemoWorld) -> None:
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        tokens = {}
        for login in demo.logins:
            answer = client.post("/api/v1/auth/token", data={"username": login.username, "password": DEMO_PASSWORD})
            assert answer.status_code == 200, answer.text
            assert answer.json()["role"] == login.role
            tokens[login.role] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        me = client.get("/api/v1/registry/me", headers=tokens["graduate"])
        assert me.status_code == 200 and me.json()["stage"] == "graduate"
        applications = client.get("/api/v1/tracking/applications", headers=tokens["graduate"]).json()
        assert applications["items"], "the graduate login has a pipeline of its own"
        employers = client.get("/api/v1/employers", headers=tokens["enterprise"]).json()
        assert len(employers["items"]) == 1 and employers["items"][0]["status"] == "verified"
        own_employer = employers["items"][0]["id"]
        managed = client.get("/api/v1/positions", params={"mine": True}, headers=tokens["enterprise"]).json()
        assert managed["items"], "the enterprise login manages positions of its own"
        assert {p["employer_id"] for p in managed["items"]} == {own_employer}
        everyone = client.get("/api/v1/positions", headers=tokens["enterprise"]).json()
        assert everyone["total"] > managed["total"], "without mine the list shows other employers' positions too"
        bench = client.get("/api/v1/tracking/workbench", headers=tokens["counselor"]).json()
        assert bench["caseload_total"] > 0
        report = client.get("/api/v1/reports/annex9", headers=tokens["union_city"])
        assert report.status_code == 200, report.text


def test_the_logins_are_made_once(demo: DemoWorld) -> None:
    """``sunshine demo`` on a database that has its world and logins creates nothing new and links the same records."""
    with session_of(demo) as session, session.begin():
        before = session.scalar(select(func.count()).select_from(User))
        again = logins.ensure_logins(session, password=DEMO_PASSWORD, specs=DEMO_USERS)
        assert session.scalar(select(func.count()).select_from(User)) == before
    assert again == demo.logins


def test_annex7_of_the_demo_comes_from_the_county_surveys_and_a_stage_report_opens_in_word(demo: DemoWorld) -> None:
    import io

    from docx import Document

    from services.orgs.models import OrgUnit
    from services.reports.campaign_models import CountySurvey
    from services.reports.tables import COUNTY_KINDS

    with session_of(demo) as session:
        counties = session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.kind.in_(COUNTY_KINDS)))
        surveyed = session.scalar(
            select(func.count()).select_from(CountySurvey).where(CountySurvey.status == "submitted")
        )
    assert counties and surveyed == counties - 1
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        tokens = {}
        for login in demo.logins:
            answer = client.post("/api/v1/auth/token", data={"username": login.username, "password": DEMO_PASSWORD})
            tokens[login.username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        table = client.get("/api/v1/reports/annex7", headers=tokens["city"]).json()["tables"][0]
        flags = [r["values"]["survey_submitted"] for r in table["rows"] if r["county_code"] != "BZ"]
        assert flags.count(1) == counties - 1 and flags.count(0) == 1
        assert table["total"]["values"]["survey_submitted"] == counties - 1
        assert all(r["values"]["total_persons"] > 0 for r in table["rows"] if r["values"]["survey_submitted"])
        year = world.demo_today().year
        made = client.post(
            "/api/v1/reports/narratives", json={"year": year, "kind": "stage"}, headers=tokens["mengcheng"]
        )
        assert made.status_code == 201, made.text
        word = client.get(f"/api/v1/reports/narratives/{made.json()['id']}/document", headers=tokens["mengcheng"])
        assert word.status_code == 200
        doc = Document(io.BytesIO(word.content))
        assert doc.paragraphs[0].text.startswith("蒙城县总工会")
        assert any("实名登记困难职工家庭高校毕业生" in p.text for p in doc.paragraphs)
        assert doc.tables[0].rows[1].cells[0].text == "蒙城县总工会"


def test_a_handoff_to_hefei_acknowledged_and_a_purchased_service_with_outcomes(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        handoffs = session.execute(
            select(OrgUnit.name, Handoff.state, Handoff.decided_on_behalf, Handoff.outcome)
            .join(OrgUnit, OrgUnit.id == Handoff.to_org_unit_id)
            .where(OrgUnit.kind == "external")
            .order_by(Handoff.id)
        ).all()
        contracts = session.scalars(select(ServiceContract.number)).all()
        referrals = sorted(session.scalars(select(ServiceReferral.state)))
    assert ("合肥市总工会", "accepted", True, "unemployed") in handoffs
    assert ("合肥市蜀山区总工会", "pending", False, None) in handoffs
    assert len(contracts) == 1
    assert {"referred", "accepted", "placed", "not_placed"} <= set(referrals)


def test_two_after_tracks_and_golden_pairings_with_internships_aid_and_a_placement(demo: DemoWorld) -> None:
    from services.catalog.pairings import GoldenPairing
    from services.registry.vocational import VocationalTrack
    from services.tracking.pairings import PairingAid, PairingInternship, PairingStudent

    with session_of(demo) as session:
        tracks = session.execute(select(VocationalTrack.kind, VocationalTrack.status)).all()
        two_after = session.scalar(select(func.count()).select_from(Graduate).where(Graduate.service_category == "4"))
        pairings = session.scalars(select(GoldenPairing.school_name)).all()
        states = sorted(session.scalars(select(PairingStudent.state)))
        internships = session.scalar(select(func.count()).select_from(PairingInternship))
        aid = session.scalar(select(func.sum(PairingAid.amount)))
    assert two_after and two_after >= 3
    assert {("training", "completed"), ("training", "dropped"), ("school", "enrolled")} <= set(tracks)
    assert ("apprenticeship", "enrolled") in tracks
    assert set(pairings) == {"亳州职业技术学院", "亳州中药科技学校"}
    assert "placed" in states and states.count("joined") >= 1
    assert internships and aid


def test_the_notice_year_beside_the_current_one_with_signings_work_study_and_donations(demo: DemoWorld) -> None:
    """The 2023 campaign with the notice's deadlines and the 2021–2023 cohorts; grassroots signings; work-study
    with the summer special's subsidy; a donor's fund with allocations within its condition and one refused."""
    from services.aid.donation_models import AidDonationAllocation, AidDonationFund
    from services.aid.models import AidCampaign, AidWorkStudy
    from services.reports.campaign_models import CampaignDeadline
    from services.security.models import AuditEvent

    with session_of(demo) as session:
        campaign = session.scalar(select(AidCampaign).where(AidCampaign.year == 2023))
        due = {
            d.code: d.due_on.isoformat()
            for d in session.scalars(select(CampaignDeadline).where(CampaignDeadline.year == 2023))
        }
        signed = session.execute(
            select(Position.program, func.count())
            .join(Application, Application.position_id == Position.id)
            .where(Position.kind == "grassroots", Application.state == "signed")
            .group_by(Position.program)
        ).all()
        posts = list(session.scalars(select(AidWorkStudy)))
        fund = session.scalar(select(AidDonationFund).where(AidDonationFund.donor_kind == "enterprise"))
        assert fund is not None
        allocations = list(
            session.scalars(select(AidDonationAllocation).where(AidDonationAllocation.fund_id == fund.id))
        )
        students = {
            g.id: g
            for g in session.scalars(select(Graduate).where(Graduate.id.in_([a.student_id for a in allocations])))
        }
        refused = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "aid.donation.allocate",
                AuditEvent.outcome == "denied",
                AuditEvent.target_id == str(fund.id),
            )
        ).all()
    assert campaign is not None and campaign.archives_due.isoformat() == "2023-07-14"
    assert (campaign.paper_files_due, campaign.stage_report_due, campaign.final_report_due) == (
        date(2023, 8, 20),
        date(2023, 8, 29),
        date(2023, 11, 28),
    )
    assert sorted(due.values()) == ["2023-07-14", "2023-08-20", "2023-08-29", "2023-11-28"]
    assert signed and sum(n for _, n in signed) >= 3, signed
    assert any(p.summer_special and p.subsidy_amount > 0 for p in posts)
    assert any(not p.summer_special for p in posts)
    assert {p.year for p in posts} == {2023, demo.summary.today.year}
    assert allocations and all(a.amount == Decimal("2000.00") for a in allocations)
    assert all(
        students[a.student_id].education == "21" and students[a.student_id].stage == "student" for a in allocations
    )
    assert fund.allocated == sum((a.amount for a in allocations), Decimal(0)) <= fund.received
    assert [(r.detail or {}).get("reason") for r in refused] == ["捐赠方限定：仅资助大学本科在读学生"]


def test_a_donation_allocation_breaking_the_donors_condition_is_refused_through_the_api(demo: DemoWorld) -> None:
    from services.aid.donation_models import AidDonationFund

    with session_of(demo) as session:
        fund = session.scalar(select(AidDonationFund).where(AidDonationFund.donor_kind == "enterprise"))
        assert fund is not None
        college = session.scalar(
            select(Graduate).where(Graduate.stage == "student", Graduate.education == "31").order_by(Graduate.id)
        )
        assert college is not None
        fund_id, student_id, before = fund.id, college.id, fund.allocated
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        token = client.post("/api/v1/auth/token", data={"username": "city", "password": DEMO_PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        answer = client.post(
            f"/api/v1/aid/donations/{fund_id}/allocations",
            json={"student_id": student_id, "amount": "2000.00"},
            headers=headers,
        )
        assert answer.status_code == 422
        assert answer.json()["detail"] == "捐赠方限定：仅资助大学本科在读学生"
        after = client.get(f"/api/v1/aid/donations/{fund_id}", headers=headers).json()
        assert Decimal(after["allocated"]) == before
        report = client.get(f"/api/v1/aid/donations/{fund_id}/report", headers=headers).json()
        assert report["recipients"] == len(report["lines"]) > 0
        assert all("*" in line["name_masked"] for line in report["lines"])


def test_policies_claims_paid_once_and_national_aid(demo: DemoWorld) -> None:
    from services.aid.policy_models import AidPolicy, AidPolicyClaim, AidPolicyVersion, NationalAid

    with session_of(demo) as session:
        codes = set(session.scalars(select(AidPolicy.code)))
        versions = session.scalar(select(func.count()).select_from(AidPolicyVersion))
        paid = session.scalars(
            select(AidPolicyClaim.id)
            .join(AidPolicy, AidPolicy.id == AidPolicyClaim.policy_id)
            .where(AidPolicy.code == "summer_special", AidPolicyClaim.status == "paid")
        ).all()
        payments = session.scalars(select(AidPayment.status).where(AidPayment.claim_id.in_(paid))).all()
        statuses = set(session.scalars(select(AidPolicyClaim.status)))
        national = session.scalar(select(func.count()).select_from(NationalAid))
    assert {"job_seeking", "internship", "grassroots_tuition", "loan_repayment", "skills_training"} <= codes
    assert {"job_referral", "summer_special"} <= codes
    assert versions == len(codes) + 1, "职业介绍补贴 has a second version"
    assert len(paid) == 1 and payments == ["succeeded"], "the summer-special subsidy is paid exactly once"
    assert "paid" in statuses
    assert national


def test_mentors_paired_with_contact_logs_and_a_contest_screened_and_supported(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        kinds = set(session.scalars(select(Mentor.kind)))
        pairings = session.execute(select(MentorPairing.kind, MentorPairing.state)).all()
        contacts = session.scalar(select(func.count()).select_from(MentorContact))
        projects = set(session.scalars(select(Venture.kind)))
        entries = sorted(session.scalars(select(ContestEntry.state)))
        supports = set(session.scalars(select(VentureSupport.kind)))
    assert {"model_worker", "craftsman", "caring_enterprise", "business_expert"} <= kinds
    assert ("help", "employed") in pairings and ("startup", "business_started") in pairings
    assert (contacts or 0) >= 2
    assert {"online", "returning", "traditional"} <= projects
    assert {"passed", "refused"} <= set(entries)
    assert {"funds", "space"} <= supports
