from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import (
    COUNTER_UNITS,
    CounterKind,
    Criticality,
    DocumentType,
    EquipmentStatus,
    ReadingSource,
    ServiceLot,
    Technology,
)
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, Action, Role
from maintenir.core.models import Organisation, RestrictedModel, coordinate_field

FIELD_ROLES = frozenset({*MANAGING_ROLES, Role.TECHNICIAN})


class Site(RestrictedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("client organisation"), on_delete=models.PROTECT, related_name="sites"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    latitude = coordinate_field(_("latitude"), 90)
    longitude = coordinate_field(_("longitude"), 180)
    description = models.TextField(_("description"), blank=True)

    tenant_path = "organisation"

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="site_code_unique_per_organisation")
        ]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("site-detail", args=[self.pk])


class Building(RestrictedModel):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("name"), max_length=200)

    tenant_path = "site__organisation"
    changelog_parent = "site"

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name


class Floor(RestrictedModel):
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="floors")
    name = models.CharField(_("name"), max_length=100)
    level = models.SmallIntegerField(_("level"), default=0)

    tenant_path = "building__site__organisation"
    changelog_parent = "building.site"

    class Meta:
        ordering = ["building", "level"]
        verbose_name = _("floor")
        verbose_name_plural = _("floors")

    def __str__(self) -> str:
        return f"{self.building} — {self.name}"


class Space(RestrictedModel):
    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(_("name"), max_length=100)
    usage = models.CharField(_("usage"), max_length=100, blank=True)

    tenant_path = "floor__building__site__organisation"
    changelog_parent = "floor.building.site"

    class Meta:
        ordering = ["floor", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self) -> str:
        return f"{self.floor} — {self.name}"


class ProductionLine(RestrictedModel):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="production_lines")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    tenant_path = "site__organisation"
    changelog_parent = "site"

    class Meta:
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="line_code_unique_per_site")]
        verbose_name = _("production line")
        verbose_name_plural = _("production lines")

    def __str__(self) -> str:
        return self.name


class EquipmentType(RestrictedModel):
    """A shared catalogue entry (air-handling unit, hydraulic press…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("equipment type")
        verbose_name_plural = _("equipment types")

    def __str__(self) -> str:
        return self.name


class TechnologyTag(models.Model):
    """One row per `Technology` choice, so an equipment can carry several."""

    code = models.CharField(_("technology"), max_length=20, choices=Technology.choices, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")

    def __str__(self) -> str:
        return str(Technology(self.code).label)


class Equipment(RestrictedModel):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="equipment")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.SET_NULL, null=True, blank=True, related_name="equipment"
    )
    floor = models.ForeignKey(
        Floor, verbose_name=_("floor"), on_delete=models.SET_NULL, null=True, blank=True, related_name="equipment"
    )
    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.SET_NULL, null=True, blank=True, related_name="equipment"
    )
    production_line = models.ForeignKey(
        ProductionLine,
        verbose_name=_("production line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment",
    )
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    equipment_type = models.ForeignKey(
        EquipmentType, verbose_name=_("equipment type"), on_delete=models.PROTECT, related_name="equipment"
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    installation_date = models.DateField(_("installation date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    service_lot = models.CharField(
        _("service lot"),
        max_length=10,
        choices=ServiceLot.choices,
        blank=True,
        help_text=_("For building equipment: energy, comfort or security."),
    )
    technologies = models.ManyToManyField(
        TechnologyTag, verbose_name=_("technologies"), blank=True, related_name="equipment"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EquipmentStatus.choices, default=EquipmentStatus.IN_SERVICE
    )
    description = models.TextField(_("description"), blank=True)

    tenant_path = "site__organisation"
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: FIELD_ROLES,
        Action.CHANGE: FIELD_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="equipment_code_unique_per_site")]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("equipment-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.site_id is not None:
            if self.parent is not None:
                if self.parent.site_id != self.site_id:
                    errors["parent"] = _("The parent equipment must be on the same site.")
                elif self.pk is not None and (self.parent.pk == self.pk or self.pk in self.parent.ancestor_ids()):
                    errors["parent"] = _("An equipment cannot be its own ancestor.")
            for name, site_id in (
                ("building", self.building and self.building.site_id),
                ("floor", self.floor and self.floor.building.site_id),
                ("space", self.space and self.space.floor.building.site_id),
                ("production_line", self.production_line and self.production_line.site_id),
            ):
                if site_id and site_id != self.site_id:
                    errors[name] = _("This location is on another site.")
        if self.installation_date and self.warranty_end and self.warranty_end < self.installation_date:
            errors["warranty_end"] = _("The warranty cannot end before the installation date.")
        if errors:
            raise ValidationError(errors)

    def ancestor_ids(self) -> list[int]:
        ids: list[int] = []
        parent_id = self.parent_id
        while parent_id is not None and parent_id not in ids:
            ids.append(parent_id)
            parent_id = Equipment.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        return ids

    def ancestors(self) -> list["Equipment"]:
        ids = self.ancestor_ids()
        by_id = Equipment.objects.in_bulk(ids)
        return [by_id[pk] for pk in reversed(ids) if pk in by_id]


class Counter(RestrictedModel):
    """A usage counter of an equipment; its value is its latest dated reading."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="counters"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CounterKind.choices)

    tenant_path = "equipment__site__organisation"
    changelog_parent = "equipment"
    role_permissions = Equipment.role_permissions

    class Meta:
        ordering = ["equipment", "kind"]
        constraints = [models.UniqueConstraint(fields=["equipment", "kind"], name="one_counter_per_kind")]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.equipment.code} — {self.get_kind_display()}"

    @property
    def unit(self) -> str:
        return COUNTER_UNITS[CounterKind(self.kind)]


class CounterReading(RestrictedModel):
    counter = models.ForeignKey(Counter, verbose_name=_("counter"), on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    read_at = models.DateTimeField(_("read at"))
    source = models.CharField(_("source"), max_length=10, choices=ReadingSource.choices, default=ReadingSource.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    tenant_path = "counter__equipment__site__organisation"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: frozenset({*FIELD_ROLES, Role.OPERATOR}),
        Action.CHANGE: MANAGING_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }
    # Readings are append-only measurements; the reading row is its own record.
    changelog_enabled = False

    class Meta:
        ordering = ["counter", "-read_at"]
        indexes = [models.Index(fields=["counter", "-read_at"])]
        verbose_name = _("counter reading")
        verbose_name_plural = _("counter readings")

    def __str__(self) -> str:
        return f"{self.value} @ {self.read_at:%Y-%m-%d %H:%M}"


class Document(RestrictedModel):
    """A piece of the technical file, attached to a site or to one of its equipment."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="documents")
    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    document_type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices, default=DocumentType.OTHER)
    version = models.CharField(_("version"), max_length=30, blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    tenant_path = "site__organisation"
    role_permissions = Equipment.role_permissions

    class Meta:
        ordering = ["title", "-version"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title

    def clean(self) -> None:
        if self.equipment is not None and self.site_id is not None and self.equipment.site_id != self.site_id:
            raise ValidationError({"equipment": _("This equipment is on another site.")})
