from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupBy(models.TextChoices):
    """How a KPI table breaks its scope down."""

    EQUIPMENT = "equipment", _("Equipment")
    EQUIPMENT_TYPE = "equipment_type", _("Equipment type")
    PRODUCTION_LINE = "production_line", _("Production line")
    SITE = "site", _("Site")
    ORGANISATION = "organisation", _("Client organisation")


class ParetoBy(models.TextChoices):
    """What the failures of a Pareto chart are counted by."""

    FAILURE_MODE = "failure_mode", _("Failure mode")
    FAILURE_CAUSE = "failure_cause", _("Failure cause")
    EQUIPMENT = "equipment", _("Equipment")
    COST = "cost", _("Cost by equipment")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CARRIED_OUT = "carried_out", _("Carried out")


class EffectStage(models.TextChoices):
    """Where the measurement of a carried-out proposal's effect stands."""

    WORK_UNDER_WAY = "work_under_way", _("Work under way")
    MEASURING = "measuring", _("Measuring")
    MEASURED = "measured", _("Measured")


class ModificationKind(models.TextChoices):
    TECHNICAL = "technical", _("Technical modification")
    ORGANISATIONAL = "organisational", _("Organisational change")
