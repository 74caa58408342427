"""The titre professionnel referential and the candidates' side: paths, sessions, juries, evaluations, decisions.

Certification records belong to the training centre, not to a client organisation: client users and
operators see none of them; a candidate (and a technician) sees only the records about themselves.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.certification import rules
from maintenir.certification.choices import (
    Admissibility,
    CapitalisationWindow,
    CcpEvaluators,
    CcsRoute,
    ElementKind,
    FinalInterview,
    MemberProfile,
    PathKind,
    PracticeFile,
    SessionKind,
    VersionStatus,
)
from maintenir.core.choices import SELF_ROLES, Action, Role
from maintenir.core.models import RestrictedModel

CERTIFICATION_STAFF = frozenset({Role.ADMINISTRATOR, Role.TRAINING_STAFF})
# The referential is public (it is published in the Journal officiel); administrators keep it.
REFERENTIAL_WRITERS = frozenset({Role.ADMINISTRATOR})
REFERENTIAL_PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW: frozenset(Role),
    Action.ADD: REFERENTIAL_WRITERS,
    Action.CHANGE: REFERENTIAL_WRITERS,
    Action.DELETE: REFERENTIAL_WRITERS,
}
# Candidates' records: the training centre manages them, maintenance managers read them for dispatch,
# technicians and candidates read their own.
RECORD_PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW: frozenset({*CERTIFICATION_STAFF, Role.MANAGER, Role.TECHNICIAN, Role.CANDIDATE}),
    Action.ADD: CERTIFICATION_STAFF,
    Action.CHANGE: CERTIFICATION_STAFF,
    Action.DELETE: CERTIFICATION_STAFF,
}
RECORD_SELF_ROLES = SELF_ROLES | {Role.TECHNICIAN}
# The accounts a candidate may be linked to.
ACCOUNT_ROLES = frozenset({Role.TECHNICIAN, Role.CANDIDATE})
# Who may ask which technicians hold a CCP: those who dispatch work, and the training centre.
DISPATCH_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.TRAINING_STAFF})
ROME_CODE = re.compile(r"^[A-N]\d{4}$")


class ReferentialModel(RestrictedModel):
    role_permissions = REFERENTIAL_PERMISSIONS
    self_roles: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True


class RecordModel(RestrictedModel):
    role_permissions = RECORD_PERMISSIONS
    self_roles = RECORD_SELF_ROLES

    class Meta:
        abstract = True


class RegulationVersion(ReferentialModel):
    """The conditions of delivery of the title in force for a title version: what differs between texts."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    reference = models.TextField(_("texts"), blank=True, help_text=_("The orders (arrêtés) this version encodes."))
    issuing_authority = models.CharField(_("issuing authority"), max_length=200)
    practice_file = models.CharField(_("practice file"), max_length=10, choices=PracticeFile.choices)
    vae_min_experience_months = models.PositiveIntegerField(
        _("VAE minimum experience (months)"), help_text=_("0: no minimum, some related experience only.")
    )
    ccs_route = models.CharField(
        _("CCS without training"),
        max_length=20,
        choices=CcsRoute.choices,
        default=CcsRoute.VAE,
        help_text=_("How a holder of the title prepares a CCS without a training path."),
    )
    ccs_experience_months = models.PositiveIntegerField(
        _("CCS experience without training (months)"),
        help_text=_("Experience in the trade that opens a CCS to a candidate without a training path."),
    )
    ccp_evaluators = models.CharField(
        _("evaluators of a CCP outside a title session"), max_length=10, choices=CcpEvaluators.choices
    )
    jury_min_members = models.PositiveIntegerField(_("minimum jury members"), default=2)
    member_min_years_in_trade = models.PositiveIntegerField(_("member's minimum years in the trade"), default=0)
    member_max_years_out = models.PositiveIntegerField(
        _("member's maximum years out of the trade"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    capitalisation_window = models.CharField(
        _("capitalisation window"), max_length=20, choices=CapitalisationWindow.choices
    )
    capitalisation_years = models.PositiveIntegerField(
        _("capitalisation years"), default=0, help_text=_("Years from the first CCP, for that window.")
    )
    closure_grace_months = models.PositiveIntegerField(_("closure grace (months)"), default=12)
    final_interview = models.CharField(_("final interview"), max_length=20, choices=FinalInterview.choices)
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        help_text=_("The text this version amends; it applies from its date to the titles under that text."),
    )
    effective_from = models.DateField(
        _("in force from"), null=True, blank=True, help_text=_("Empty for a text: in force since it was issued.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("regulation version")
        verbose_name_plural = _("regulation versions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.capitalisation_window == CapitalisationWindow.FROM_FIRST_CCP and not self.capitalisation_years:
            raise ValidationError({"capitalisation_years": _("Give the number of years from the first CCP.")})
        if self.amends_id is not None and self.effective_from is None:
            raise ValidationError({"effective_from": _("An amendment applies from a date.")})

    def on(self, day: datetime.date) -> "RegulationVersion":
        """The version of this text in force on `day`: its latest amendment in force then, else the text itself.

        The rules apply by the date of the act: a jury by its session's date (since 2017 each professional
        has 3 years in the trade and has not left it for more than 5), a VAE application by its own date.
        """
        text = self.amends or self
        return text.amendments.filter(effective_from__lte=day).order_by("-effective_from").first() or text


class Title(ReferentialModel):
    """A titre professionnel of the Ministry of Labour."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    tp_code = models.CharField(_("TP code"), max_length=20, blank=True)
    rncp = models.CharField(_("RNCP number"), max_length=20, blank=True)
    level = models.CharField(_("level"), max_length=4, help_text=_('As the text words it: "4" or "IV".'))
    nsf_code = models.CharField(_("NSF code"), max_length=10)
    rome_codes = models.JSONField(_("ROME codes"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("title")
        verbose_name_plural = _("titles")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("certification-title-detail", args=[self.pk])

    def clean(self) -> None:
        codes = self.rome_codes
        if not isinstance(codes, list) or not all(isinstance(code, str) and ROME_CODE.match(code) for code in codes):
            raise ValidationError({"rome_codes": _("ROME codes are a list of codes such as I1304.")})

    def current_version(self) -> "TitleVersion | None":
        """The newest version: the one candidates sit, and the one older CCPs correspond to."""
        return self.versions.order_by("-valid_from", "-pk").first()


class TitleVersion(ReferentialModel):
    """One version of a title, valid between two dates; at its end it is extended, revised or closed."""

    title = models.ForeignKey(Title, verbose_name=_("title"), on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=200, help_text=_("The order that created it, for instance."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.ACTIVE)
    regulation = models.ForeignKey(
        RegulationVersion, verbose_name=_("regulation version"), on_delete=models.PROTECT, related_name="+"
    )
    revises = models.ForeignKey(
        "self",
        verbose_name=_("revises"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text=_("The older version of the same title this one replaces."),
    )

    class Meta:
        ordering = ["title", "valid_from", "pk"]
        verbose_name = _("title version")
        verbose_name_plural = _("title versions")

    def __str__(self) -> str:
        return f"{self.title} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("certification-version-detail", args=[self.pk])

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity is before its start.")})
        if self.revises_id is not None and self.revises is not None and self.revises.title_id != self.title_id:
            raise ValidationError({"revises": _("A version revises an older version of the same title.")})


class ActivityType(ReferentialModel):
    """An activity type of a title version; one CCP certifies it."""

    version = models.ForeignKey(
        TitleVersion, verbose_name=_("title version"), on_delete=models.CASCADE, related_name="ccps"
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=300)

    changelog_parent = "version"

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="ccp_position_unique_per_version")]
        verbose_name = _("CCP (activity type)")
        verbose_name_plural = _("CCPs (activity types)")

    def __str__(self) -> str:
        return f"CCP {self.position} — {self.name}"


class Competence(ReferentialModel):
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("CCP"), on_delete=models.CASCADE, related_name="competences"
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        ordering = ["activity_type", "position"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")

    def __str__(self) -> str:
        return self.name


class Ccs(ReferentialModel):
    """A certificat complémentaire de spécialisation, open to holders of its title."""

    title = models.ForeignKey(Title, verbose_name=_("title"), on_delete=models.CASCADE, related_name="ccs_set")
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        ordering = ["title", "name"]
        verbose_name = _("CCS")
        verbose_name_plural = _("CCS")

    def __str__(self) -> str:
        return self.name


class Correspondence(ReferentialModel):
    """Set by a revised title's order: holding all of its old CCPs counts as holding the new CCP.

    "l'arrêté de spécialité fixe les correspondances entre les CCP de l'ancien titre et ceux du titre
    révisé": the order may say that old CCP3 and old CCP4 together correspond to new CCP3; one old CCP
    may also feed several new ones. Two correspondences to the same new CCP are two ways of obtaining it.
    """

    old_ccps = models.ManyToManyField(
        ActivityType,
        verbose_name=_("old CCPs"),
        related_name="+",
        help_text=_("All of them are needed for the new CCP."),
    )
    new_ccp = models.ForeignKey(
        ActivityType, verbose_name=_("new CCP"), on_delete=models.CASCADE, related_name="corresponds_from"
    )

    # Shown in the change log of the revised version.
    changelog_parent = "new_ccp.version"

    class Meta:
        verbose_name = _("correspondence")
        verbose_name_plural = _("correspondences")

    def __str__(self) -> str:
        return f"{' + '.join(str(ccp) for ccp in self.old_ccps.all())} → {self.new_ccp}"

    @staticmethod
    def check_ccps(new_ccp: ActivityType, old_ccps: Collection[ActivityType]) -> None:
        """The old CCPs belong to the version the new CCP's version revises (the relation is saved after `clean`)."""
        if not old_ccps:
            raise ValidationError({"old_ccps": _("Name the old CCPs that give the new CCP.")})
        if any(ccp.version_id != new_ccp.version.revises_id for ccp in old_ccps):
            raise ValidationError({"old_ccps": _("The old CCPs belong to the version the new CCP's version revises.")})


def correspondences(title_ids: Iterable[int] | QuerySet[Any]) -> list[tuple[frozenset[int], int]]:
    """The correspondences between the versions of these titles, as (old CCPs, new CCP), in one query."""
    olds: dict[int, set[int]] = defaultdict(set)
    news: dict[int, int] = {}
    rows = Correspondence.objects.filter(new_ccp__version__title_id__in=title_ids).values_list(
        "pk", "new_ccp_id", "old_ccps"
    )
    for pk, new_ccp, old_ccp in rows:
        news[pk] = new_ccp
        if old_ccp is not None:
            olds[pk].add(old_ccp)
    return [(frozenset(olds[pk]), new_ccp) for pk, new_ccp in news.items()]


class Centre(ReferentialModel):
    """A centre approved by the ministry to hold sessions."""

    name = models.CharField(_("name"), max_length=200)
    approval_number = models.CharField(_("approval number"), max_length=50, unique=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("approved centre")
        verbose_name_plural = _("approved centres")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("certification-centre-detail", args=[self.pk])


class Candidate(RecordModel):
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        help_text=_("The technician or candidate account this person logs in with."),
    )

    owner_path = "user"

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("certification-candidate-detail", args=[self.pk])

    def clean(self) -> None:
        if self.user is not None and self.user.role not in ACCOUNT_ROLES:
            raise ValidationError({"user": _("A candidate is linked to a technician or candidate account.")})

    def holds_title(self, title: Title) -> bool:
        return Decision.objects.filter(
            registration__candidate=self, title_granted=True, registration__session__version__title=title
        ).exists()

    def ccps_held(self, version: TitleVersion) -> dict[int, datetime.date]:
        """CCPs of `version` the candidate holds, with the date obtained (see `rules.ccps_held`)."""
        granted = ccps_granted("candidate_id", [self.pk]).get(self.pk, {})
        wanted = set(version.ccps.values_list("pk", flat=True))
        held = rules.ccps_held(granted, correspondences([version.title_id]))
        return {ccp: day for ccp, day in held.items() if ccp in wanted}


def ccps_granted(candidate_field: str, keys: Collection[int]) -> dict[int, dict[int, datetime.date]]:
    """The CCPs granted to candidates, alone or as part of a title, each with the earliest date obtained.

    Keyed by the registration's `candidate_field`: "candidate_id", or "candidate__user_id" for accounts.
    Two queries, whatever the number of candidates.
    """
    granted: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    rows = list(
        GrantedCcp.objects.filter(**{f"decision__registration__{candidate_field}__in": keys}).values_list(
            f"decision__registration__{candidate_field}", "ccp_id", "decision__decided_on"
        )
    )
    # A title granted comprises every CCP of the version it was granted on.
    rows += Decision.objects.filter(
        title_granted=True,
        registration__session__version__ccps__isnull=False,
        **{f"registration__{candidate_field}__in": keys},
    ).values_list(f"registration__{candidate_field}", "registration__session__version__ccps", "decided_on")
    for owner, ccp_id, day in rows:
        held = granted[owner]
        held[ccp_id] = min(day, held.get(ccp_id, day))
    return dict(granted)


class Path(RecordModel):
    """How a candidate prepares a title (or a CCS): training, VAE, or capitalisation of CCPs."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="paths"
    )
    kind = models.CharField(_("path"), max_length=20, choices=PathKind.choices)
    version = models.ForeignKey(
        TitleVersion, verbose_name=_("title version"), on_delete=models.PROTECT, related_name="paths"
    )
    ccs = models.ForeignKey(
        Ccs, verbose_name=_("CCS"), on_delete=models.PROTECT, null=True, blank=True, related_name="paths"
    )
    started_on = models.DateField(_("started on"))
    admissibility = models.CharField(
        _("VAE admissibility"), max_length=20, choices=Admissibility.choices, default=Admissibility.PENDING
    )
    admissibility_on = models.DateField(_("admissibility notified on"), null=True, blank=True)
    # Who recorded the notification and when: the notification's own date says nothing of either.
    admissibility_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admissibility recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    admissibility_recorded_at = models.DateTimeField(
        _("admissibility recorded at"), null=True, blank=True, editable=False
    )
    admissibility_regulation = models.ForeignKey(
        RegulationVersion,
        verbose_name=_("admissibility decided under"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    owner_path = "candidate__user"

    class Meta:
        ordering = ["candidate", "started_on", "pk"]
        verbose_name = _("path")
        verbose_name_plural = _("paths")

    def __str__(self) -> str:
        return f"{self.candidate} — {self.get_kind_display()} — {self.ccs or self.version.title}"

    def clean(self) -> None:
        if self.ccs is not None and self.version_id is not None and self.ccs.title_id != self.version.title_id:
            raise ValidationError({"ccs": _("The CCS is attached to another title.")})
        if self.kind != PathKind.VAE and self.admissibility != Admissibility.PENDING:
            raise ValidationError({"admissibility": _("Only a VAE application has an admissibility decision.")})
        if self.kind == PathKind.EXPERIENCE and self.ccs_id is None:
            raise ValidationError({"kind": _("Only a CCS is prepared directly on experience in the trade.")})
        if self.ccs is not None and self.version_id is not None and self.candidate_id is not None:
            title = self.version.title
            verdict = rules.ccs_route(self.version.regulation, title.name, self.candidate.holds_title(title), self.kind)
            if not verdict:
                raise ValidationError({"ccs": verdict.reason})
        if (self.admissibility != Admissibility.PENDING) != (self.admissibility_on is not None):
            raise ValidationError({"admissibility_on": _("An admissibility decision has its date, and only then.")})

    def regulation(self) -> RegulationVersion:
        """The rules in force on the application's date (the path's start) for the title version's text."""
        return self.version.regulation.on(self.started_on)

    def experience(self) -> int:
        """Months of experience related to the title declared for this path."""
        return rules.experience_months(
            (period.started_on, period.ended_on) for period in self.experience_periods.all() if period.related
        )


class ExperiencePeriod(RecordModel):
    path = models.ForeignKey(Path, verbose_name=_("path"), on_delete=models.CASCADE, related_name="experience_periods")
    employer = models.CharField(_("employer"), max_length=200)
    job = models.CharField(_("job"), max_length=200, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    related = models.BooleanField(_("related to the title"), default=True)

    owner_path = "path__candidate__user"

    class Meta:
        ordering = ["path", "started_on"]
        verbose_name = _("experience period")
        verbose_name_plural = _("experience periods")

    def __str__(self) -> str:
        return f"{self.employer} ({self.started_on} – {self.ended_on})"

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The period ends before it starts.")})


class Session(RecordModel):
    """A title, CCP or CCS session at an approved centre, for one title version."""

    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices)
    version = models.ForeignKey(
        TitleVersion, verbose_name=_("title version"), on_delete=models.PROTECT, related_name="sessions"
    )
    ccp = models.ForeignKey(
        ActivityType, verbose_name=_("CCP"), on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    ccs = models.ForeignKey(
        Ccs, verbose_name=_("CCS"), on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    centre = models.ForeignKey(
        Centre, verbose_name=_("approved centre"), on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField(_("date"))

    owner_path = "registrations__candidate__user"

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        subject = self.ccp or self.ccs or self.version.title
        return f"{self.get_kind_display()} — {subject} — {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("certification-session-detail", args=[self.pk])

    def clean(self) -> None:
        if self.version_id is None:
            return
        if (self.kind == SessionKind.CCP) != (self.ccp_id is not None):
            raise ValidationError({"ccp": _("A CCP session names its CCP, and only a CCP session does.")})
        if self.ccp is not None and self.ccp.version_id != self.version_id:
            raise ValidationError({"ccp": _("The CCP belongs to another title version.")})
        if (self.kind == SessionKind.CCS) != (self.ccs_id is not None):
            raise ValidationError({"ccs": _("A CCS session names its CCS, and only a CCS session does.")})
        if self.ccs is not None and self.ccs.title_id != self.version.title_id:
            raise ValidationError({"ccs": _("The CCS is attached to another title.")})
        if self.date is not None:
            version = self.version
            verdict = rules.session_date_allowed(
                version.regulation, version.valid_from, version.valid_until, version.status, self.date
            )
            if not verdict:
                raise ValidationError({"date": verdict.reason})

    def regulation(self) -> RegulationVersion:
        """The rules in force on the session date for the title version's text."""
        return self.version.regulation.on(self.date)

    def jury_problems(self) -> list[str]:
        return rules.jury_problems(self.regulation(), self.kind, list(self.jury.all()))


class JuryMember(RecordModel):
    """A member of a session's jury (or one of a pair of evaluators), with what makes them eligible."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="jury")
    name = models.CharField(_("name"), max_length=200)
    profile = models.CharField(_("profile"), max_length=20, choices=MemberProfile.choices)
    years_in_trade = models.PositiveIntegerField(_("years in the trade"))
    years_out_of_trade = models.PositiveIntegerField(
        _("years since leaving the trade"), default=0, help_text=_("0 while still working in it.")
    )
    approved = models.BooleanField(_("approved"), default=False)
    approval_reference = models.CharField(_("approval reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["session", "name"]
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")

    def __str__(self) -> str:
        return self.name


class Registration(RecordModel):
    """A candidate registered to a session, on one of their paths."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="registrations"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="registrations"
    )
    path = models.ForeignKey(Path, verbose_name=_("path"), on_delete=models.PROTECT, related_name="registrations")

    owner_path = "candidate__user"

    class Meta:
        ordering = ["session", "candidate"]
        constraints = [
            models.UniqueConstraint(fields=["session", "candidate"], name="registration_unique_per_session_candidate")
        ]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.candidate} — {self.session}"

    def clean(self) -> None:
        if self.session_id is None or self.candidate_id is None or self.path_id is None:
            return
        session, path = self.session, self.path
        if path.candidate_id != self.candidate_id:
            raise ValidationError({"path": _("The path is another candidate's.")})
        if path.version.title_id != session.version.title_id:
            raise ValidationError({"path": _("The path prepares another title.")})
        if path.ccs_id != session.ccs_id:
            raise ValidationError({"path": _("The path prepares another certificate than the session's.")})
        # The CCS's own conditions first: they say what is missing, where the admissibility would only say "none".
        if session.kind == SessionKind.CCS:
            title = session.version.title
            verdict = rules.ccs_eligibility(
                session.version.regulation, title.name, self.candidate.holds_title(title), path.kind, path.experience()
            )
            if not verdict:
                raise ValidationError({"candidate": verdict.reason})
        if path.kind == PathKind.VAE and not _admissible_on(path, session.date):
            raise ValidationError({"path": _("The VAE application has no admissibility in force on the session date.")})
        if session.kind != SessionKind.CCS and self.candidate.holds_title(session.version.title):
            raise ValidationError({"candidate": _("The candidate already holds this title.")})
        if rules.in_closure_grace(session.version.valid_until, session.date) and not self.candidate.ccps_held(
            session.version
        ):
            raise ValidationError(
                {"session": _("After the title's closure, only candidates holding some of its CCPs may sit.")}
            )


def _admissible_on(path: Path, day: datetime.date) -> bool:
    if path.admissibility != Admissibility.ADMISSIBLE or path.admissibility_on is None:
        return False
    return path.admissibility_on <= day <= rules.admissibility_expires(path.admissibility_on)


class EvaluationElement(RecordModel):
    """One element the jury evaluates a registered candidate on."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="elements"
    )
    kind = models.CharField(_("element"), max_length=30, choices=ElementKind.choices)
    ccp = models.ForeignKey(
        ActivityType, verbose_name=_("CCP"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.TextField(_("result"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    owner_path = "registration__candidate__user"

    class Meta:
        ordering = ["registration", "created"]
        verbose_name = _("evaluation element")
        verbose_name_plural = _("evaluation elements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.registration.candidate}"

    def clean(self) -> None:
        if self.registration_id is None:
            return
        verdict = rules.element_allowed(self.registration.path.kind, self.kind)
        if not verdict:
            raise ValidationError({"kind": verdict.reason})
        if self.ccp is not None and self.ccp.version_id != self.registration.session.version_id:
            raise ValidationError({"ccp": _("The CCP belongs to another title version.")})


class Decision(RecordModel):
    """The jury's decision on a registered candidate: title, CCPs, CCS."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="decision"
    )
    title_granted = models.BooleanField(_("title granted"), default=False)
    ccs_granted = models.BooleanField(_("CCS granted"), default=False)
    decided_on = models.DateField(_("decided on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    regulation = models.ForeignKey(
        RegulationVersion,
        verbose_name=_("decided under"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        help_text=_("The version of the rules in force on the session date."),
    )
    notes = models.TextField(_("notes"), blank=True)

    owner_path = "registration__candidate__user"

    class Meta:
        ordering = ["-decided_on", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.registration} — {self.decided_on}"


class GrantedCcp(RecordModel):
    """A CCP granted by a decision: a line of the livret de certification."""

    decision = models.ForeignKey(Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="ccps")
    ccp = models.ForeignKey(ActivityType, verbose_name=_("CCP"), on_delete=models.PROTECT, related_name="grants")

    owner_path = "decision__registration__candidate__user"

    class Meta:
        ordering = ["decision", "ccp"]
        constraints = [models.UniqueConstraint(fields=["decision", "ccp"], name="granted_ccp_unique_per_decision")]
        verbose_name = _("granted CCP")
        verbose_name_plural = _("granted CCPs")

    def __str__(self) -> str:
        return str(self.ccp)
