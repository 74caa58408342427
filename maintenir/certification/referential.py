"""Keeping the titre professionnel referential: title versions and how they end (extended, revised, closed),
their CCPs, the correspondences a revision sets, CCS and approved centres.

Administrators write it (`models.REFERENTIAL_PERMISSIONS`); the training centre reads these pages (the
titles themselves stay public). Each write goes through `save_restricted` or `delete_restricted`, so the
model's checks run and the change log records it, as for every other object.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from maintenir.certification import rules
from maintenir.certification.choices import VersionStatus
from maintenir.certification.models import CERTIFICATION_STAFF, Candidate, Correspondence, Decision, TitleVersion
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_permission, delete_restricted, save_restricted


def may_read(user: User | Any) -> bool:
    """Whether the user may open the pages that keep the referential: administrators and the training centre."""
    return bool(user.is_superuser or user.role in CERTIFICATION_STAFF)


def check_read(user: User | Any) -> None:
    if not may_read(user):
        raise PermissionDenied(_("Your role may not read the keeping of the referential."))


def save(user: User | Any, instance: Model) -> Model:
    """Create or change a title version, CCP, CCS or approved centre, checked by its model."""
    if isinstance(instance, TitleVersion) and instance.status == VersionStatus.CLOSED and not instance.valid_until:
        raise TransitionError({"valid_until": _("A closed version has its closing date: the end of its validity.")})
    return save_restricted(user, instance)


@transaction.atomic
def revise(user: User | Any, old: TitleVersion, new: TitleVersion) -> TitleVersion:
    """Create `new`, the revision of `old` (same title), and mark `old` revised, in one transaction."""
    check_permission(user, Action.CHANGE, old)
    if old.status == VersionStatus.CLOSED:
        raise TransitionError({"revises": _("A closed version is not revised.")})
    new.title, new.revises = old.title, old
    save(user, new)
    old.status = VersionStatus.REVISED
    save_restricted(user, old)
    return new


@dataclass(frozen=True)
class ClosureEffect:
    """A candidate holding CCPs of a closed title, and the last day to obtain the title."""

    candidate: Candidate
    ccps_held: int
    first_ccp_on: datetime.date
    deadline: datetime.date | None


def closure_effects(version: TitleVersion, valid_until: datetime.date) -> list[ClosureEffect]:
    """The candidates holding CCPs of `version` but not its title, with their deadline were it closed on
    `valid_until`. Asks `rules.capitalisation_deadline` and writes nothing."""
    title_holders = Decision.objects.filter(
        title_granted=True, registration__session__version__title_id=version.title_id
    ).values("registration__candidate")
    candidates = (
        Candidate.objects.filter(registrations__decision__ccps__ccp__version__title_id=version.title_id)
        .exclude(pk__in=title_holders)
        .distinct()
    )
    effects = []
    for candidate in candidates:
        held = candidate.ccps_held(version)
        if not held:
            continue
        first = min(held.values())
        deadline = rules.capitalisation_deadline(version.regulation, valid_until, VersionStatus.CLOSED, first)
        effects.append(ClosureEffect(candidate, len(held), first, deadline))
    return effects


@transaction.atomic
def close(user: User | Any, version: TitleVersion, valid_until: datetime.date) -> list[ClosureEffect]:
    """Close the version at the end of its validity; returns its CCP holders with their new deadlines."""
    check_permission(user, Action.CHANGE, version)
    if version.status == VersionStatus.REVISED:
        raise TransitionError({"status": _("A revised version is not closed: its candidates sit the new one.")})
    version.status, version.valid_until = VersionStatus.CLOSED, valid_until
    save(user, version)
    return closure_effects(version, valid_until)


def correspondences_into(version: TitleVersion) -> QuerySet[Correspondence]:
    """The correspondences that lead to the CCPs of `version`."""
    return (
        Correspondence.objects.filter(new_ccp__version=version)
        .select_related("new_ccp")
        .prefetch_related("old_ccps__version")
    )


def remove_correspondence(user: User | Any, correspondence: Correspondence) -> None:
    delete_restricted(user, correspondence)
