"""Matrix entries for the student-aid routes."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid import service, workdays
from services.aid.models import AidCampaign, AidPayment
from tests.aid import factories as f
from tests.authz.matrix import STAFF, Call, Relation, all_roles, case
from tests.conftest import World

STAFF_ALL = {"admin": "*", "city": "*"}
SCOPED = {**STAFF_ALL, "county_a": {"own", "same"}}
CITY = {"admin": "*", "city": "*"}


def _ready(session: Session, world: World) -> None:
    if session.scalar(select(AidCampaign.id).where(AidCampaign.year == f.YEAR)) is None:
        f.setup_year(session, world)


def _side(relation: Relation) -> str:
    return "b" if relation == "other" else "a"


def _application(session: Session, world: World, actor: str, relation: Relation, *, attach: bool = False):
    _ready(session, world)
    user_key = actor if relation == "own" else None
    _, seeded = f.seeded_student(session, world, side=_side(relation), user_key=user_key)
    staff = f.principal(session, world, "city")
    app = service.submit_application(session, principal=staff, data=f.application_input(seeded))
    if attach:
        f.attach_all(session, staff, app)
    return app, seeded


def _app_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app, _ = _application(session, world, actor, relation)
    return Call(path_params={"application_id": app.id})


def _submit_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _ready(session, world)
    user_key = actor if relation == "own" else None
    _, seeded = f.seeded_student(session, world, side=_side(relation), user_key=user_key)
    return Call(json=_form_body(seeded), ok=frozenset({201}))


def _form_body(seeded: f.Seeded) -> dict[str, object]:
    data = f.application_input(seeded)
    body = {k: v for k, v in dataclasses.asdict(data).items() if v is not None and k != "members"}
    body = {k: (str(v) if isinstance(v, date | Decimal) else v) for k, v in body.items()}
    body["members"] = [{"relation": "父亲", "name": "张建国", "phone": seeded.phone}]
    return body


def _correct_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app, seeded = _application(session, world, actor, relation)
    service.review(
        session,
        principal=f.principal(session, world, "city" if actor != "city" else "admin"),
        application_id=app.id,
        stage="grassroots",
        decision="return",
        opinion="缺少录取通知书",
    )
    return Call(path_params={"application_id": app.id}, json=_form_body(seeded))


def _upload_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app, _ = _application(session, world, actor, relation)
    return Call(
        path_params={"application_id": app.id},
        data={"kind": "admission_notice"},
        files={"file": ("admission.png", f.PNG, "image/png")},
        ok=frozenset({201}),
    )


def _attachment_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app, _ = _application(session, world, actor, relation)
    row = service.upload_attachment(
        session,
        principal=f.principal(session, world, "admin"),
        application_id=app.id,
        kind="score_slip",
        filename="score.pdf",
        content=f.PDF,
    )
    return Call(path_params={"attachment_id": row.id}, json={"note": "与原件一致"})


def _review_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app, _ = _application(session, world, actor, relation, attach=True)
    return Call(
        path_params={"application_id": app.id},
        json={"stage": "grassroots", "decision": "approve", "opinion": "经走访核实，情况属实"},
    )


def _award(session: Session, world: World, relation: Relation):
    _ready(session, world)
    award, _ = f.approved_award(session, world, side=_side(relation))
    return award


def _revoke_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"award_id": _award(session, world, relation).id}, json={"reason": "经复核不符合条件"})


def _notice_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    award = _award(session, world, relation)
    county = "BZ-GY" if relation == "other" else "BZ-MC"
    return Call(
        json={
            "org_unit_id": world.orgs[county],
            "award_ids": [award.id],
            "supervision_phone": "0558-3032682",
        },
        ok=frozenset({201}),
    )


def _notice(session: Session, world: World, relation: Relation, *, starts_on: date = date(2023, 9, 25)):
    award = _award(session, world, relation)
    return f.noticed(session, world, [award], starts_on=starts_on, side=_side(relation)), award


def _notice_view_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    notice, _ = _notice(session, world, relation, starts_on=workdays.today())
    return Call(path_params={"notice_id": notice.id})


def _objection_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    notice, award = _notice(session, world, relation, starts_on=workdays.today())
    return Call(
        path_params={"notice_id": notice.id},
        json={"award_id": award.id, "content": "群众来电反映情况不实"},
        ok=frozenset({201}),
    )


def _resolve_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    today = workdays.today()
    notice, award = _notice(session, world, relation, starts_on=today)
    row = service.lodge_objection(
        session,
        principal=f.principal(session, world, "admin"),
        notice_id=notice.id,
        award_id=award.id,
        content="反映情况不实",
        today=today,
    )
    return Call(path_params={"objection_id": row.id}, json={"upheld": False, "resolution": "经核查，异议不成立"})


def _take_down_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    notice, _ = _notice(session, world, relation)
    return Call(path_params={"notice_id": notice.id})


def _pay_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _, award = _notice(session, world, relation)
    return Call(
        path_params={"award_id": award.id}, json={"idempotency_key": f"matrix-{actor}-{relation}"}, ok=frozenset({201})
    )


def _payment(session: Session, world: World, relation: Relation) -> AidPayment:
    _, award = _notice(session, world, relation)
    answer = service.request_payment(
        session,
        principal=f.principal(session, world, "admin"),
        award_id=award.id,
        idempotency_key=f"setup-{award.id}-key",
        today=workdays.today(),
    )
    payment = session.get(AidPayment, answer.body["payment_id"])
    assert payment is not None
    return payment


def _batch_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _payment(session, world, relation)
    county = "BZ-GY" if relation == "other" else "BZ-MC"
    return Call(json={"county_org_id": world.orgs[county], "year": f.YEAR}, ok=frozenset({201}))


def _batch(session: Session, world: World, relation: Relation, *, export: bool):
    payment = _payment(session, world, relation)
    admin = f.principal(session, world, "admin")
    batch = service.create_batch(session, principal=admin, county_org_id=payment.county_org_id, year=f.YEAR)
    if export:
        service.export_batch(session, principal=admin, batch_id=batch.id, gateway=bankmod.FileBankGateway())
    return batch, payment


def _export_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    batch, _ = _batch(session, world, relation, export=False)
    return Call(path_params={"batch_id": batch.id})


def _results_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    batch, payment = _batch(session, world, relation, export=True)
    content = bankmod.render_results(
        [bankmod.BankResult(payment.reference, payment.amount, bankmod.BankOutcome.SUCCEEDED, "")]
    )
    return Call(path_params={"batch_id": batch.id}, files={"file": ("result.csv", content, "text/csv")})


def _resend_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    batch, payment = _batch(session, world, relation, export=True)
    content = bankmod.render_results(
        [bankmod.BankResult(payment.reference, payment.amount, bankmod.BankOutcome.FAILED, "账户已销户")]
    )
    service.import_results(
        session,
        principal=f.principal(session, world, "admin"),
        batch_id=batch.id,
        content=content,
        gateway=bankmod.FileBankGateway(),
    )
    return Call(path_params={"payment_id": payment.id})


def _work_study_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _ready(session, world)
    grad, _ = f.seeded_student(session, world, side=_side(relation))
    return Call(
        json={
            "student_id": grad.id,
            "year": f.YEAR,
            "post_title": "职工书屋管理助理",
            "employer_name": "蒙城县职工服务中心",
            "summer_special": True,
            "starts_on": "2023-07-10",
            "ends_on": "2023-08-20",
            "subsidy_amount": "1200.00",
            "fund_source": "city",
        },
        ok=frozenset({201}),
    )


def _campaign_year(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _ready(session, world)
    return Call(path_params={"year": f.YEAR})


def _year_query(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _ready(session, world)
    return Call(params={"year": f.YEAR})


def _campaign_put(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        path_params={"year": 2024},
        json={
            "name": "2024年金秋助学活动",
            "archives_due": "2024-07-14",
            "paper_files_due": "2024-08-20",
            "stage_report_due": "2024-08-29",
            "final_report_due": "2024-11-28",
        },
    )


def _standard_put(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _ready(session, world)
    return Call(
        path_params={"year": f.YEAR, "code": "donor_x"},
        json={
            "name": "某爱心企业助学金",
            "fund_source": "donation",
            "archived_family": True,
            "stages": ["college"],
            "kinds": ["new_enrolment"],
            "basis": "designated",
            "cap": "800.00",
            "donor": "亳州某药业有限公司",
        },
    )


def _budget_put(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        json={"county_org_id": world.orgs["BZ-MC"], "year": 2024, "fund_source": "province", "amount": "50000.00"}
    )


VIEWERS = {**SCOPED, "counselor_a": {"own", "same"}, "graduate_a": {"own"}}
EDITORS = {**SCOPED, "graduate_a": {"own"}}
STAFF_ONLY = {"admin": "*", "city": "*", "county_a": {"same"}}
APP = "/api/v1/aid"

case("GET", f"{APP}/campaigns/{{year}}", allowed=dict.fromkeys(STAFF, "*"), relations=("none",), build=_campaign_year)
case("PUT", f"{APP}/campaigns/{{year}}", allowed=CITY, relations=("none",), build=_campaign_put)
case("GET", f"{APP}/campaigns/{{year}}/deadlines", allowed=all_roles(), relations=("none",), build=_campaign_year)
case("GET", f"{APP}/standards", allowed=dict.fromkeys(STAFF, "*"), relations=("none",), build=_year_query)
case("PUT", f"{APP}/standards/{{year}}/{{code}}", allowed=CITY, relations=("none",), build=_standard_put)
case("GET", f"{APP}/budgets", allowed=dict.fromkeys(STAFF, "*"), relations=("none",), build=_year_query)
case("PUT", f"{APP}/budgets", allowed=CITY, relations=("none",), build=_budget_put)
case("GET", f"{APP}/budgets/totals", allowed=dict.fromkeys(STAFF, "*"), relations=("none",), build=_year_query)

case("POST", f"{APP}/applications", allowed=EDITORS, build=_submit_call)
case("GET", f"{APP}/applications", allowed=all_roles(except_=("enterprise_a",)))
case("GET", f"{APP}/applications/{{application_id}}", allowed=VIEWERS, build=_app_call)
case("PUT", f"{APP}/applications/{{application_id}}", allowed=EDITORS, build=_correct_call)
case("GET", f"{APP}/applications/{{application_id}}/checklist", allowed=VIEWERS, build=_app_call)
case("POST", f"{APP}/applications/{{application_id}}/attachments", allowed=EDITORS, build=_upload_call)
case("GET", f"{APP}/attachments/{{attachment_id}}/file", allowed=VIEWERS, build=_attachment_call)
case("POST", f"{APP}/attachments/{{attachment_id}}/check", allowed=SCOPED, build=_attachment_call)
case(
    "POST",
    f"{APP}/applications/{{application_id}}/reviews",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_review_call,
)

case("GET", f"{APP}/awards", allowed=dict.fromkeys(STAFF, "*"))
case("POST", f"{APP}/awards/{{award_id}}/revoke", allowed=STAFF_ONLY, relations=("same", "other"), build=_revoke_call)
case("POST", f"{APP}/notices", allowed=STAFF_ONLY, relations=("same", "other"), build=_notice_call)
case("GET", f"{APP}/notices", allowed={**dict.fromkeys(STAFF, "*"), "counselor_a": "*"})
case(
    "GET",
    f"{APP}/notices/{{notice_id}}/html",
    relations=("same", "other"),
    build=_notice_view_call,
    allowed={**STAFF_ONLY, "counselor_a": {"same"}},
)
case(
    "GET",
    f"{APP}/notices/{{notice_id}}/xlsx",
    relations=("same", "other"),
    build=_notice_view_call,
    allowed={**STAFF_ONLY, "counselor_a": {"same"}},
)
case(
    "POST",
    f"{APP}/notices/{{notice_id}}/objections",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_objection_call,
)
case(
    "GET",
    f"{APP}/notices/{{notice_id}}/objections",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_notice_view_call,
)
case(
    "POST",
    f"{APP}/objections/{{objection_id}}/resolve",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_resolve_call,
)
case(
    "POST",
    f"{APP}/notices/{{notice_id}}/take-down",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_take_down_call,
)

case("POST", f"{APP}/awards/{{award_id}}/payments", allowed=STAFF_ONLY, relations=("same", "other"), build=_pay_call)
case("GET", f"{APP}/payments", allowed=dict.fromkeys(STAFF, "*"))
case(
    "POST", f"{APP}/payments/{{payment_id}}/resend", allowed=STAFF_ONLY, relations=("same", "other"), build=_resend_call
)
case("POST", f"{APP}/payment-batches", allowed=STAFF_ONLY, relations=("same", "other"), build=_batch_call)
case(
    "POST",
    f"{APP}/payment-batches/{{batch_id}}/export",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_export_call,
)
case(
    "POST",
    f"{APP}/payment-batches/{{batch_id}}/results",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_results_call,
)

case("POST", f"{APP}/work-study", allowed=STAFF_ONLY, relations=("same", "other"), build=_work_study_call)
case("GET", f"{APP}/work-study", allowed=dict.fromkeys(STAFF, "*"))
