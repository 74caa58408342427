from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The reports that can be e-mailed."""

    INTERVENTION = "intervention", _("Intervention report")
    EQUIPMENT_STATE = "equipment_state", _("Equipment-state report")
    MONTHLY = "monthly", _("Monthly maintenance report")
