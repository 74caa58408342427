"""Keeping the staff records: every write checks the acting user's rights and validates with `clean()`."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from maintenir.core.models import User
from maintenir.core.services import TransitionError, delete_restricted, save_restricted
from maintenir.people.models import HabilitationType, StaffModel


def save_record(user: User, record: StaffModel) -> StaffModel:
    """Create or change a staff record (a profile, a skill held, a habilitation, an absence, a team…)."""
    save_restricted(user, record)
    return record


@transaction.atomic
def delete_record(user: User, record: StaffModel) -> None:
    """Delete a staff record; the standard habilitation types (NF C 18-510…) stay."""
    if isinstance(record, HabilitationType) and record.is_standard:
        raise TransitionError({"habilitation_type": _("A standard habilitation type cannot be deleted.")})
    try:
        delete_restricted(user, record)
    except ProtectedError as error:
        raise TransitionError(
            {"record": _("%(record)s is still in use and cannot be deleted.") % {"record": record}}
        ) from error
