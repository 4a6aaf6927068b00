"""Full-process tracking, its public surface: who may see and serve a graduate (with handoffs), the application
pipeline, the employment status and its history, events, services delivered against the service standard, contacts
with reminders, caseload assignment and the views built on them.

Other domains import from here; the code lives in one module per aggregate beside this one. Work that crosses
domains (the one gate for applications and recommendations, signing through the catalog) is in
:mod:`services.tracking.flows`.
"""

from __future__ import annotations

from services.clock import local_today as local_today
from services.security.scope import UNION_SIDE, Col, GraduateScope
from services.tracking.access import (
    actor_of,
    end_of_day_utc,
    own_employer_id,
    own_graduate,
    readable_graduate,
    servable_graduate,
)
from services.tracking.applications import (
    apply,
    expire,
    expire_past_deadline,
    get_application,
    history,
    list_applications,
    move,
    position_problem,
    recommend,
    visible_applications,
)
from services.tracking.caseload import (
    assign_counselor,
)
from services.tracking.contacts import (
    Mail,
    Overdue,
    claim_reminder_emails,
    create_follow_up_reminders,
    finish_reminder_email,
    list_contacts,
    overdue_contacts,
    record_contact,
)
from services.tracking.events import (
    list_events,
    record_event,
)
from services.tracking.figures import (
    compliance,
    count_graduates,
    services_by_kind,
)
from services.tracking.handoffs import (
    HANDOFF_NAMES,
    UNION_LEVELS,
    decide_handoff,
    end_handoff,
    get_handoff,
    list_handoffs,
    request_handoff,
)
from services.tracking.services_delivered import (
    DEFAULT_STANDARD,
    Gap,
    GapGroup,
    Requirement,
    Standard,
    active_standard,
    group_gaps,
    list_services,
    record_service,
    service_gaps,
    set_standard,
)
from services.tracking.status import (
    active_override,
    current_status,
    derived_status,
    ensure_baseline,
    recompute_status,
    refresh_statuses,
    set_override,
    status_as_of,
    status_history,
)
from services.tracking.views import (
    Applicant,
    CaseRow,
    FreshMatch,
    StoredMatchLike,
    TimelineItem,
    Workbench,
    fresh_matches,
    position_applicants,
    timeline,
    workbench,
)

__all__ = [
    "DEFAULT_STANDARD",
    "HANDOFF_NAMES",
    "UNION_LEVELS",
    "UNION_SIDE",
    "Applicant",
    "CaseRow",
    "Col",
    "FreshMatch",
    "Gap",
    "GapGroup",
    "GraduateScope",
    "Mail",
    "Overdue",
    "Requirement",
    "Standard",
    "StoredMatchLike",
    "TimelineItem",
    "Workbench",
    "active_override",
    "active_standard",
    "actor_of",
    "apply",
    "assign_counselor",
    "claim_reminder_emails",
    "compliance",
    "count_graduates",
    "create_follow_up_reminders",
    "current_status",
    "decide_handoff",
    "derived_status",
    "end_handoff",
    "end_of_day_utc",
    "ensure_baseline",
    "expire",
    "expire_past_deadline",
    "finish_reminder_email",
    "fresh_matches",
    "get_application",
    "get_handoff",
    "group_gaps",
    "history",
    "list_applications",
    "list_contacts",
    "list_events",
    "list_handoffs",
    "list_services",
    "local_today",
    "move",
    "overdue_contacts",
    "own_employer_id",
    "own_graduate",
    "position_applicants",
    "position_problem",
    "readable_graduate",
    "recommend",
    "recompute_status",
    "record_contact",
    "record_event",
    "record_service",
    "refresh_statuses",
    "request_handoff",
    "servable_graduate",
    "service_gaps",
    "services_by_kind",
    "set_override",
    "set_standard",
    "status_as_of",
    "status_history",
    "timeline",
    "visible_applications",
    "workbench",
]
