"""A dispatch plan: the optimiser's proposal of who does which open work order when, kept until a manager
accepts it (the assignments are then written to the orders) or discards it.

Plans are the maintenance company's working documents: client users and operators see none of them.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.core.choices import MANAGING_ROLES, STAFF_ROLES, Action
from maintenir.core.models import RestrictedModel
from maintenir.planning.choices import DispatchPlanStatus, Solver
from maintenir.workorders.models import WorkOrder

PLAN_PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW: STAFF_ROLES,
    Action.ADD: MANAGING_ROLES,
    Action.CHANGE: MANAGING_ROLES,
    Action.DELETE: MANAGING_ROLES,
}


class DispatchPlan(RestrictedModel):
    start_date = models.DateField(_("from"))
    days = models.PositiveSmallIntegerField(_("days"))
    solver = models.CharField(_("solver"), max_length=20, choices=Solver.choices, default=Solver.OPTIMISER)
    status = models.CharField(
        _("status"), max_length=20, choices=DispatchPlanStatus.choices, default=DispatchPlanStatus.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The plan's figures as the solver's evaluation gives them: placed, lateness, travel, cost.
    figures = models.JSONField(_("figures"), default=dict)
    solve_seconds = models.FloatField(_("solving time (s)"), default=0)

    role_permissions = PLAN_PERMISSIONS

    class Meta:
        ordering = ["-created"]
        verbose_name = _("dispatch plan")
        verbose_name_plural = _("dispatch plans")

    def __str__(self) -> str:
        return f"{self.start_date} + {self.days} d ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("dispatchplan-detail", args=[self.pk])


class PlannedVisit(RestrictedModel):
    """One work order in a plan: who, from when to when, and the drive there."""

    plan = models.ForeignKey(DispatchPlan, on_delete=models.CASCADE, related_name="visits")
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="planned_visits"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    travel_minutes = models.PositiveIntegerField(_("travel (min)"))
    return_minutes = models.PositiveIntegerField(_("drive home (min)"), default=0)
    lateness_minutes = models.PositiveIntegerField(_("late by (min)"), default=0)

    role_permissions = PLAN_PERMISSIONS
    changelog_parent = "plan"

    class Meta:
        ordering = ["plan", "technician", "starts_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "work_order"], name="planned_visit_once")]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")

    def __str__(self) -> str:
        return f"{self.work_order.reference} → {self.technician}"


class UnplacedOrder(RestrictedModel):
    plan = models.ForeignKey(DispatchPlan, on_delete=models.CASCADE, related_name="unplaced")
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("why it could not be placed"))

    role_permissions = PLAN_PERMISSIONS
    changelog_parent = "plan"

    class Meta:
        ordering = ["plan", "work_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "work_order"], name="unplaced_order_once")]
        verbose_name = _("unplaced order")
        verbose_name_plural = _("unplaced orders")

    def __str__(self) -> str:
        return f"{self.work_order.reference}: {self.reason}"
