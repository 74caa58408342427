"""The maintenance company's people: technicians, their skills and habilitations, absences, on-call duty,
and the safety documents of the client sites they work on.

Technicians belong to the maintenance company, not to a client: client users and operators see none of
their records. A site's prevention plan and risks belong to the site's client, who co-signs them.
"""

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import ServiceLot, Technology
from maintenir.assets.models import Site
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, STAFF_ROLES, Action, Role
from maintenir.core.models import NamedInTwoLanguages, RestrictedModel, coordinate_field
from maintenir.people.choices import (
    AbsenceReason,
    HabilitationCategory,
    PreventionDocumentKind,
    RiskRating,
    SkillLevel,
)

# Staff records: the whole maintenance company reads them, managers keep them.
STAFF_PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW: STAFF_ROLES,
    Action.ADD: MANAGING_ROLES,
    Action.CHANGE: MANAGING_ROLES,
    Action.DELETE: MANAGING_ROLES,
}
# The accounts that can have a technician's profile: those who go on site.
TECHNICIAN_ROLES = frozenset({Role.TECHNICIAN, Role.MANAGER})
# The habilitation that lets a technician parameterise live equipment wherever they work, without an open
# work order on it (a standard one, loaded by a migration).
REMOTE_PARAMETERISATION = "TELEPARAM"
WORKING_DAYS = RegexValidator(r"^[1-7]{1,7}$", _("ISO weekday numbers, 1 = Monday … 7 = Sunday, e.g. 12345."))


class StaffModel(RestrictedModel):
    role_permissions = STAFF_PERMISSIONS

    class Meta:
        abstract = True


class Team(StaffModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("team-detail", args=[self.pk])


class Technician(StaffModel):
    """A technician's profile: what dispatch needs to know about the person behind the account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="technician"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    is_trainee = models.BooleanField(
        _("trainee"), default=False, help_text=_("A trainee works only together with a qualified technician.")
    )
    technical_referent = models.ForeignKey(
        "self",
        verbose_name=_("technical referent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred",
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    home_base = models.CharField(_("home base"), max_length=200, blank=True)
    home_latitude = coordinate_field(_("home latitude"), 90)
    home_longitude = coordinate_field(_("home longitude"), 180)
    work_start = models.TimeField(_("working day starts"), default=datetime.time(8, 0))
    work_end = models.TimeField(_("working day ends"), default=datetime.time(17, 0))
    working_days = models.CharField(_("working days"), max_length=7, default="12345", validators=[WORKING_DAYS])

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username

    def get_absolute_url(self) -> str:
        return reverse("technician-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.user_id is not None and self.user.role not in TECHNICIAN_ROLES:
            errors["user"] = _("A technician's profile belongs to a technician or manager account.")
        if self.work_start >= self.work_end:
            errors["work_end"] = _("The working day ends before it starts.")
        if (self.home_latitude is None) != (self.home_longitude is None):
            errors["home_longitude"] = _("Give both the latitude and the longitude of the home base, or neither.")
        if self.technical_referent_id is not None and self.technical_referent_id == self.pk:
            errors["technical_referent"] = _("A technician cannot be their own referent.")
        if errors:
            raise ValidationError(errors)

    def works_on(self, day: datetime.date) -> bool:
        return str(day.isoweekday()) in self.working_days


class Skill(StaffModel):
    """A know-how dispatch matches against the work: a technology or a service lot, at a level."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    technology = models.CharField(_("technology"), max_length=20, choices=Technology.choices, blank=True)
    service_lot = models.CharField(_("service lot"), max_length=10, choices=ServiceLot.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class TechnicianSkill(StaffModel):
    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices, default=SkillLevel.AUTONOMOUS)

    changelog_parent = "technician"

    class Meta:
        ordering = ["technician", "skill__name"]
        constraints = [models.UniqueConstraint(fields=["technician", "skill"], name="technician_skill_unique")]
        verbose_name = _("technician's skill")
        verbose_name_plural = _("technicians' skills")

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


class HabilitationType(NamedInTwoLanguages, StaffModel):
    """A habilitation the employer grants: the NF C 18-510 electrical symbols, work at height… or one a
    manager adds."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=HabilitationCategory.choices)
    description = models.TextField(_("description"), blank=True)
    # The standard ones are loaded by a migration and cannot be deleted from the pages.
    is_standard = models.BooleanField(_("standard"), default=False, editable=False)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("habilitation type")
        verbose_name_plural = _("habilitation types")

    def __str__(self) -> str:
        return self.code


class Habilitation(StaffModel):
    """A habilitation held: valid from the day it is granted up to and including its expiry day."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="habilitations")
    habilitation_type = models.ForeignKey(
        HabilitationType, verbose_name=_("habilitation"), on_delete=models.PROTECT, related_name="+"
    )
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    granted_by = models.CharField(_("granted by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    changelog_parent = "technician"

    class Meta:
        ordering = ["technician", "habilitation_type__code"]
        constraints = [
            models.UniqueConstraint(fields=["technician", "habilitation_type"], name="technician_habilitation_unique")
        ]
        verbose_name = _("habilitation")
        verbose_name_plural = _("habilitations")

    def __str__(self) -> str:
        return str(self.habilitation_type)

    def clean(self) -> None:
        if self.expires_on is not None and self.granted_on is not None and self.expires_on < self.granted_on:
            raise ValidationError({"expires_on": _("The habilitation expires before it is granted.")})

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.granted_on <= day and (self.expires_on is None or day <= self.expires_on)


class Absence(StaffModel):
    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=20, choices=AbsenceReason.choices, default=AbsenceReason.LEAVE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    changelog_parent = "technician"

    class Meta:
        ordering = ["technician", "starts_at"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")

    def __str__(self) -> str:
        return f"{self.technician}: {self.get_reason_display()}"

    def clean(self) -> None:
        if self.starts_at is not None and self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The absence ends before it starts.")})


class OnCallDuty(StaffModel):
    """One technician's place in a team's on-call roster (astreinte) for a week: rank 1 is called first, the
    next rank when the call is not acknowledged in time."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="on_call")
    week_start = models.DateField(_("week of"), help_text=_("The Monday the week starts on."))
    technician = models.ForeignKey(
        Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="on_call"
    )
    rank = models.PositiveSmallIntegerField(_("rank"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["team", "week_start", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week_start", "rank"], name="on_call_rank_unique"),
            models.UniqueConstraint(fields=["team", "week_start", "technician"], name="on_call_technician_unique"),
        ]
        verbose_name = _("on-call duty")
        verbose_name_plural = _("on-call duties")

    def __str__(self) -> str:
        return f"{self.team} {self.week_start} #{self.rank}: {self.technician}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.week_start is not None and self.week_start.isoweekday() != 1:
            errors["week_start"] = _("A roster week starts on a Monday.")
        if self.technician_id is not None and self.team_id is not None and self.technician.team_id != self.team_id:
            errors["technician"] = _("This technician is not a member of the team.")
        if errors:
            raise ValidationError(errors)


class SiteSafetyModel(RestrictedModel):
    tenant_path = "site__organisation"
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: MANAGING_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }
    changelog_parent = "site"

    class Meta:
        abstract = True


class PreventionPlan(SiteSafetyModel):
    """The prevention plan agreed with the client before working on their site (or the PPSPS of a
    construction site)."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="prevention_plans")
    kind = models.CharField(
        _("kind"), max_length=20, choices=PreventionDocumentKind.choices, default=PreventionDocumentKind.PREVENTION_PLAN
    )
    reference = models.CharField(_("reference"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    client_contact = models.CharField(_("client's representative"), max_length=200, blank=True)
    measures = models.TextField(_("agreed prevention measures"), blank=True)
    document = models.FileField(_("document"), upload_to="safety/%Y/", blank=True)

    class Meta:
        ordering = ["site", "-valid_from"]
        verbose_name = _("prevention plan")
        verbose_name_plural = _("prevention plans")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    def clean(self) -> None:
        if self.valid_until is not None and self.valid_from is not None and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The plan ends before it starts.")})

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class SiteRisk(SiteSafetyModel):
    """One line of the site's risk assessment (DUER style): the hazard, where, how serious and how likely,
    and what is done about it."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="risks")
    hazard = models.CharField(_("hazard"), max_length=200)
    location = models.CharField(_("where"), max_length=200, blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=RiskRating.choices)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=RiskRating.choices)
    measures = models.TextField(_("prevention measures"), blank=True)
    required_habilitation = models.ForeignKey(
        HabilitationType,
        verbose_name=_("habilitation required"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["site", "-severity", "-likelihood", "hazard"]
        verbose_name = _("site risk")
        verbose_name_plural = _("site risks")

    def __str__(self) -> str:
        return self.hazard

    @property
    def score(self) -> int:
        """Severity × likelihood, 1 to 16: the order in which risks are treated."""
        return self.severity * self.likelihood
