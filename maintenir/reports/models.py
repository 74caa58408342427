from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Site
from maintenir.core.choices import ALL_ROLES, Action, Role
from maintenir.core.models import Organisation, RestrictedModel
from maintenir.reports.choices import ReportKind
from maintenir.workorders.models import WorkOrder


class ReportMailing(RestrictedModel):
    """One report sent by e-mail: which report (kind and what it is about), to whom, by whom and when."""

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    # Whose data the report shows; none for a monthly report across clients (only managers see it).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("client organisation"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, null=True, related_name="+")
    # The report's other choices (period, month, scope), as its PDF's query string.
    parameters = models.CharField(_("parameters"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300)
    recipients = models.JSONField(_("recipients"))
    message = models.TextField(_("message"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))

    tenant_path = "organisation"
    # Whoever may see a report may send it; a sending is never edited afterwards.
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: ALL_ROLES,
        Action.CHANGE: frozenset(),
        Action.DELETE: frozenset({Role.ADMINISTRATOR}),
    }

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["kind", "parameters"])]
        verbose_name = _("report sent by e-mail")
        verbose_name_plural = _("reports sent by e-mail")

    def __str__(self) -> str:
        return f"{self.title} → {', '.join(self.recipients)}"
