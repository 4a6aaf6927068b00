"""Posted forms read into the API's own request models, so a page refuses exactly what the API refuses and with
the same Chinese reasons (the field errors of ``services.app``'s validation handler)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from services.errors import FieldError, ValidationFailed
from services.web.pages import FormErrors

M = TypeVar("M", bound=BaseModel)


def field_errors(exc: ValidationError) -> list[FieldError]:
    from services.app import _field_errors  # the API's reasons (imported late: the app imports the console)

    return _field_errors(RequestValidationError(exc.errors()))


def parse(model: type[M], data: dict[str, Any]) -> M | FormErrors:
    """``data`` as ``model``, or the refusal the API would give as :class:`FormErrors`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        return FormErrors.from_fields(errors, "；".join(f"{e.field}：{e.reason}" for e in errors[:5]))


def day(text: str | None, *, field: str) -> date | None:
    """A date typed in a form's date field ("" when left empty) as a date, or a refusal naming the field."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD", field=field) from exc


def blank_to_none(form: dict[str, str], *names: str) -> dict[str, Any]:
    """The form with the named empty fields dropped (an empty optional field means "not given")."""
    out: dict[str, Any] = dict(form)
    for name in names:
        if not str(out.get(name, "")).strip():
            out.pop(name, None)
    return out
