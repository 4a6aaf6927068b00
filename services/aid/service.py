"""Student aid: standards, applications, review, awards and budgets, public notices, payments, deadlines.

The rules live in one module per aggregate (``campaigns``, ``budgets``, ``applications``, ``checklist``,
``reviews``, ``notices``, ``payments``, ``deadlines``, ``work_study``, ``reveals``); this module gathers their
public functions under one name for the router, the jobs and other domains. Every function is keyword-only,
takes a session, flushes and never commits. Dates that matter to the rules (notice periods, objections, payment
eligibility, deadline warnings) take ``today`` so that tests and the daily job run on a working-day clock of
their choosing.
"""

from __future__ import annotations

from services.aid import reveals as reveals
from services.aid.applications import (
    ApplicationInput,
    MemberInput,
    correct_application,
    get_application,
    list_applications,
    reveal_form_field,
    submit_application,
)
from services.aid.budgets import BudgetTotal, budget_totals, list_budgets, set_budget
from services.aid.campaigns import (
    StandardSpec,
    bundled_config,
    get_campaign,
    get_standard,
    list_standards,
    load_year,
    upsert_campaign,
    upsert_standard,
)
from services.aid.checklist import (
    ChecklistItem,
    attachment_file,
    check_attachment,
    checklist,
    checklist_complete,
    get_attachment,
    upload_attachment,
)
from services.aid.deadlines import DEADLINES, Deadline, deadlines_of, warn_deadlines
from services.aid.guards import CENT, REVIEW_ROLES
from services.aid.notices import (
    NoticeLine,
    get_notice,
    get_objection,
    list_notices,
    lodge_objection,
    notice_is_showing,
    notice_lines,
    objections_of,
    public_notice,
    publish_notice,
    resolve_objection,
    take_down,
    take_down_expired,
)
from services.aid.payments import (
    ImportSummary,
    PaymentAnswer,
    create_batch,
    export_batch,
    get_batch,
    get_payment,
    import_results,
    list_payments,
    new_reference,
    payment_blockers,
    request_payment,
    resend_payment,
)
from services.aid.reviews import award_of, get_award, list_awards, review, reviews_of, revoke_award, withdraw_award
from services.aid.work_study import add_work_study, list_work_study

__all__ = [
    "CENT",
    "DEADLINES",
    "REVIEW_ROLES",
    "ApplicationInput",
    "BudgetTotal",
    "ChecklistItem",
    "Deadline",
    "ImportSummary",
    "MemberInput",
    "NoticeLine",
    "PaymentAnswer",
    "StandardSpec",
    "add_work_study",
    "attachment_file",
    "award_of",
    "budget_totals",
    "bundled_config",
    "check_attachment",
    "checklist",
    "checklist_complete",
    "correct_application",
    "create_batch",
    "deadlines_of",
    "export_batch",
    "get_application",
    "get_attachment",
    "get_award",
    "get_batch",
    "get_campaign",
    "get_notice",
    "get_objection",
    "get_payment",
    "get_standard",
    "import_results",
    "list_applications",
    "list_awards",
    "list_budgets",
    "list_notices",
    "list_payments",
    "list_standards",
    "list_work_study",
    "load_year",
    "lodge_objection",
    "new_reference",
    "notice_is_showing",
    "notice_lines",
    "objections_of",
    "payment_blockers",
    "public_notice",
    "publish_notice",
    "request_payment",
    "resend_payment",
    "resolve_objection",
    "reveal_form_field",
    "reveals",
    "review",
    "reviews_of",
    "revoke_award",
    "set_budget",
    "submit_application",
    "take_down",
    "take_down_expired",
    "upload_attachment",
    "upsert_campaign",
    "upsert_standard",
    "warn_deadlines",
    "withdraw_award",
]
