"""Which application fields staff may reveal, and how each is loaded under scope."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.aid.applications import get_application, reveal_form_field
from services.errors import NotFound
from services.security import pii, reveal
from services.security.models import Role
from services.security.principal import Principal


def _load_application_field(field_name: str) -> reveal.Loader:
    def load(session: Session, principal: Principal, target_id: str) -> str | None:
        if not target_id.isdigit():
            raise NotFound("助学申请不存在")
        app = get_application(session, principal=principal, application_id=int(target_id))
        return reveal_form_field(app, field_name)

    return load


for _field, _kind in (
    ("student_id_number", pii.PiiKind.ID_NUMBER),
    ("worker_id_number", pii.PiiKind.ID_NUMBER),
    ("home_address", pii.PiiKind.TEXT),
    ("payee_card", pii.PiiKind.BANK_CARD),
    ("reason", pii.PiiKind.TEXT),
):
    reveal.register(
        "aid_application",
        _field,
        kind=_kind,
        roles={Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN},
        load=_load_application_field(_field),
    )
