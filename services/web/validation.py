"""Posted forms read into the API's own request models, so a page refuses exactly what the API refuses and with
the same Chinese reasons (the field errors of ``services.app``'s validation handler)."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from services.errors import FieldError
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


def blank_to_none(form: dict[str, str], *names: str) -> dict[str, Any]:
    """The form with the named empty fields dropped (an empty optional field means "not given")."""
    out: dict[str, Any] = dict(form)
    for name in names:
        if not str(out.get(name, "")).strip():
            out.pop(name, None)
    return out
