from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillLevel(models.IntegerChoices):
    """How far a technician masters a skill: what they may do alone."""

    BASIC = 1, _("Basic: works under guidance")
    AUTONOMOUS = 2, _("Autonomous")
    EXPERT = 3, _("Expert: diagnoses and trains others")


class HabilitationCategory(models.TextChoices):
    ELECTRICAL = "electrical", _("Electrical (NF C 18-510)")
    HEIGHT = "height", _("Work at height")
    CONFINED_SPACE = "confined_space", _("Confined space")
    LIFTING = "lifting", _("Lifting and handling equipment")
    OTHER = "other", _("Other")


class AbsenceReason(models.TextChoices):
    LEAVE = "leave", _("Leave")
    SICKNESS = "sickness", _("Sickness")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class PreventionDocumentKind(models.TextChoices):
    PREVENTION_PLAN = "prevention_plan", _("Prevention plan")
    PPSPS = "ppsps", _("PPSPS (construction site)")


class RiskRating(models.IntegerChoices):
    """The DUER's four-step scale, used for both severity and likelihood."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    VERY_HIGH = 4, _("Very high")
