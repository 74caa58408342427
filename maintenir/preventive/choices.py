from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class TriggerKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar")
    COUNTER = "counter", _("Counter")
    WHICHEVER_FIRST = "whichever_first", _("Calendar or counter, whichever first")
    CONDITION = "condition", _("Condition on a measured value")
    PREDICTIVE = "predictive", _("Predictive (trend of a measured value)")


# Kinds whose orders are preventive systematic; the others are condition-based (EN 13306).
SYSTEMATIC_KINDS = frozenset({TriggerKind.CALENDAR, TriggerKind.COUNTER, TriggerKind.WHICHEVER_FIRST})
CALENDAR_KINDS = frozenset({TriggerKind.CALENDAR, TriggerKind.WHICHEVER_FIRST})
COUNTER_KINDS = frozenset({TriggerKind.COUNTER, TriggerKind.WHICHEVER_FIRST})
MEASUREMENT_KINDS = frozenset({TriggerKind.CONDITION, TriggerKind.PREDICTIVE})


class IntervalUnit(models.TextChoices):
    DAY = "day", _("days")
    WEEK = "week", _("weeks")
    MONTH = "month", _("months")
    YEAR = "year", _("years")


class Anchor(models.TextChoices):
    SCHEDULE = "schedule", _("On the scheduled date")
    COMPLETION = "completion", _("On the last completion")


class ConditionOperator(models.TextChoices):
    ABOVE = "above", _("Above the threshold")
    BELOW = "below", _("Below the threshold")
    OUTSIDE = "outside", _("Outside the band")
    RATE = "rate", _("Changing faster than the rate (per day)")


class MaintenanceLevel(models.IntegerChoices):
    """NF X 60-000 maintenance levels; level 1 is simple work that trained operators take over."""

    LEVEL_1 = 1, _("Level 1 — simple operator work")
    LEVEL_2 = 2, _("Level 2 — simple procedures, trained technician")
    LEVEL_3 = 3, _("Level 3 — complex procedures, qualified technician")
    LEVEL_4 = 4, _("Level 4 — specialised work and tooling")
    LEVEL_5 = 5, _("Level 5 — renovation, reconstruction")
