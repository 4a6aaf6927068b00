"""Imports every domain's models so that metadata is complete (Alembic, create_all)."""

from __future__ import annotations

from services.aid import donation_models as aid_donation_models  # noqa: F401
from services.aid import models as aid_models  # noqa: F401
from services.aid import policy_models as aid_policy_models  # noqa: F401
from services.catalog import models as catalog_models  # noqa: F401
from services.catalog import pairings as catalog_pairings  # noqa: F401
from services.db import Base
from services.matches import models as matches_models  # noqa: F401
from services.notifications import models as notifications_models  # noqa: F401
from services.orgs import models as orgs_models
from services.refdata import enum_models as refdata_enum_models  # noqa: F401
from services.refdata import models as refdata_models  # noqa: F401
from services.registry import certificates as registry_certificates  # noqa: F401
from services.registry import invitations as invitation_models  # noqa: F401
from services.registry import models as registry_models  # noqa: F401
from services.registry import vocational as registry_vocational  # noqa: F401
from services.reports import campaign_models  # noqa: F401
from services.reports import models as reports_models  # noqa: F401
from services.security import models as security_models
from services.tracking import mentor_models as tracking_mentor_models  # noqa: F401
from services.tracking import models as tracking_models  # noqa: F401
from services.tracking import pairings as tracking_pairings  # noqa: F401

__all__ = ["Base", "orgs_models", "security_models"]
