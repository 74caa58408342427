"""A part's documents: data sheets, drawings, manuals, stored and served like the equipment's technical file."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import DocumentType
from maintenir.core.models import RestrictedModel
from maintenir.stores.models.catalogue import Part


class PartDocument(RestrictedModel):
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    document_type = models.CharField(
        _("type"), max_length=30, choices=DocumentType.choices, default=DocumentType.DATASHEET
    )
    version = models.CharField(_("version"), max_length=30, blank=True)
    file = models.FileField(_("file"), upload_to="parts/documents/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    tenant_path = "part__owner"
    role_permissions = Part.role_permissions
    changelog_parent = "part"

    class Meta:
        ordering = ["title", "-version"]
        verbose_name = _("part document")
        verbose_name_plural = _("part documents")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title
